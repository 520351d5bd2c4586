"""The local spool: signals the broker could not take right now, fsynced to disk and drained in order.

An intake tells a reporter "received" (a web tip's reference number, a text's 2xx to Twilio) only
when the signal is durable: acked by Kafka with acks=all, or written here and fsynced (file and
directory). One file per record, named by a sequence number,
so the order survives a restart and a torn write damages one record, not the spool.

The spool holds encoded records (key, value, CloudEvents headers), so the drained record is
byte-for-byte the one first offered to the broker, with the same deterministic event id.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from contracts import KafkaRecord, Topic

log = logging.getLogger(__name__)

_SUFFIX = ".rec"
_FORMAT = 1


class SpoolFull(Exception):
    """The spool reached its record or byte limit; the caller must refuse the signal (503)."""


@dataclass(frozen=True)
class SpooledRecord:
    seq: int
    topic: Topic
    record: KafkaRecord
    size: int


@dataclass(frozen=True)
class SpoolUsage:
    records: int
    bytes: int
    max_records: int
    max_bytes: int


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _encode(topic: Topic, record: KafkaRecord) -> bytes:
    body = {
        "topic": topic.value,
        "key": _b64(record.key) if record.key is not None else None,
        "value": _b64(record.value),
        "headers": [[name, _b64(value)] for name, value in record.headers],
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return json.dumps({"format": _FORMAT, "sha256": digest, "body": body},
                      sort_keys=True, separators=(",", ":")).encode()


def _decode(data: bytes) -> tuple[Topic, KafkaRecord]:
    wrapper = json.loads(data)
    if wrapper.get("format") != _FORMAT:
        raise ValueError(f"unknown spool format {wrapper.get('format')!r}")
    body = wrapper["body"]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    if hashlib.sha256(canonical.encode()).hexdigest() != wrapper["sha256"]:
        raise ValueError("checksum mismatch")
    key = base64.b64decode(body["key"]) if body["key"] is not None else None
    headers = tuple((str(name), base64.b64decode(value)) for name, value in body["headers"])
    return Topic(body["topic"]), KafkaRecord(key=key, value=base64.b64decode(body["value"]),
                                             headers=headers)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    """A bounded, crash-safe FIFO of records on local disk. Thread-safe; calls block on fsync."""

    def __init__(self, directory: Path, *, max_records: int, max_bytes: int) -> None:
        self.directory = directory
        self.quarantine = directory / "unreadable"
        self._max_records = max_records
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        # Sequence numbers handed out by append whose file is not yet renamed into place: the
        # drainer waits for them instead of reading a file that is not there yet (and setting the
        # record aside as unreadable, which left an acknowledged tip on disk and out of the queue).
        self._writing: set[int] = set()
        self._written = threading.Condition(self._lock)
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._sizes: dict[int, int] = {}
        for path in directory.glob(f"*{_SUFFIX}"):
            with contextlib.suppress(ValueError):
                self._sizes[int(path.stem)] = path.stat().st_size
        for leftover in directory.glob("*.tmp"):  # a write that never reached its rename
            leftover.unlink()
        self._next = max(self._sizes, default=0) + 1

    def __len__(self) -> int:
        return len(self._sizes)

    @property
    def size_bytes(self) -> int:
        return sum(self._sizes.values())

    def usage(self) -> SpoolUsage:
        """What the spool holds against its limits (safe from any thread: a metrics scrape)."""
        with self._lock:
            return SpoolUsage(records=len(self._sizes), bytes=self.size_bytes,
                              max_records=self._max_records, max_bytes=self._max_bytes)

    def _path(self, seq: int) -> Path:
        return self.directory / f"{seq:016d}{_SUFFIX}"

    def append(self, topic: Topic, record: KafkaRecord) -> SpooledRecord:
        """Write and fsync one record; returns once it survives a power cut. Raises ``SpoolFull``."""
        data = _encode(topic, record)
        with self._lock:
            if len(self._sizes) >= self._max_records or self.size_bytes + len(data) > self._max_bytes:
                raise SpoolFull(f"spool holds {len(self._sizes)} records, {self.size_bytes} bytes")
            seq = self._next
            self._next += 1
            self._sizes[seq] = len(data)
            self._writing.add(seq)
        path = self._path(seq)
        temporary = path.with_suffix(".tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(fd, "wb") as file:  # closes fd
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
            _fsync_dir(self.directory)
        except BaseException:
            with self._written:
                self._sizes.pop(seq, None)
                self._writing.discard(seq)
                self._written.notify_all()
            temporary.unlink(missing_ok=True)
            raise
        with self._written:
            self._writing.discard(seq)
            self._written.notify_all()
        return SpooledRecord(seq=seq, topic=topic, record=record, size=len(data))

    def oldest(self) -> SpooledRecord | None:
        """The first record in order; an unreadable file is moved aside (never deleted) and skipped."""
        while True:
            with self._written:
                if not self._sizes:
                    return None
                seq = min(self._sizes)
                while seq in self._writing:  # an fsync away: wait for it, in order
                    self._written.wait()
                    if not self._sizes:
                        return None
                    seq = min(self._sizes)
            path = self._path(seq)
            try:
                topic, record = _decode(path.read_bytes())
            except (OSError, ValueError, KeyError, TypeError) as error:
                self._set_aside(seq, path, error)
                continue
            return SpooledRecord(seq=seq, topic=topic, record=record, size=self._sizes.get(seq, 0))

    def remove(self, seq: int) -> None:
        """Forget a record once the broker has acknowledged it."""
        self._path(seq).unlink(missing_ok=True)
        with self._lock:
            self._sizes.pop(seq, None)

    def _set_aside(self, seq: int, path: Path, error: Exception) -> None:
        self.quarantine.mkdir(exist_ok=True, mode=0o700)
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, self.quarantine / path.name)
        with self._lock:
            self._sizes.pop(seq, None)
        log.error("spool record set aside as unreadable",
                  extra={"seq": seq, "error_class": type(error).__name__})
