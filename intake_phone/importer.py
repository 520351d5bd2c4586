"""Importing a CDR file (or following a growing one) into signals, resumable and loss-free.

Lines are read in batches; a batch's signals (and quarantine records for rows that cannot be read)
are all acknowledged before the position after the batch is fsynced. While one batch is with the
broker the next is read and translated, and sent once the one before is acknowledged. A crash
re-reads at most the batch in flight (nothing before the saved position, all of which was
acknowledged); each row's dedup key (a hash of the line) gives the same signal id, so consumers
absorb it.
In follow mode a line without its newline is still being written and waits; at the end of a file
import it is a truncated row and is quarantined. Without a configured layout each row is read by
its column count (``LayoutDetector``), and every layout met is announced once, in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from contracts import Service
from contracts.events import Channel, InputQuarantined, PhoneSource, SignalReceived
from intake_phone.cdr import BadRow, CdrLayout, LayoutDetector, parse_fields, read_fields
from intake_phone.translate import call_record_signal


class Sink(Protocol):
    async def send(self, signals: list[SignalReceived], quarantined: list[InputQuarantined]) -> None: ...


@dataclass
class Summary:
    rows: int = 0
    signals: int = 0
    quarantined: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.rows} rows read: {self.signals} signals, {self.quarantined} quarantined"
                + (f" (first problems: {', '.join(f'line {n}: {r}' for n, r in self.problems[:5])})"
                   if self.problems else ""))


@dataclass(frozen=True)
class Position:
    inode: int
    offset: int
    line: int


class PositionStore:
    """Where the import of a file got to, fsynced after every acknowledged batch."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Position | None:
        try:
            data = json.loads(self.path.read_text())
            return Position(int(data["inode"]), int(data["offset"]), int(data["line"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, position: Position) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w") as file:
            json.dump({"inode": position.inode, "offset": position.offset, "line": position.line}, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)


class Progress(Protocol):
    """Where the import reports how far into the file it is (``services.runtime.terminal_progress``)."""

    def update(self, *, completed: float | None = None, total: float | None = None,
               description: str | None = None) -> None: ...


def _rows(summary: Summary) -> str:
    return f"CDR import: {summary.rows:,} rows"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # never lose a row to its encoding; latin-1 reads every byte


@dataclass
class Importer:
    sink: Sink
    layout: CdrLayout | None  # None: told from each row's column count (``LayoutDetector``)
    zone: ZoneInfo
    secret: bytes
    default_region: str = "US"
    batch_size: int = 500
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Told, in one line, each layout the rows are read with as it is first met.
    announce: Callable[[str], None] = field(default=lambda line: None)
    _detector: LayoutDetector = field(default_factory=LayoutDetector, init=False)
    _announced: set[CdrLayout] = field(default_factory=set, init=False)
    # The batch with the broker (None for a stretch of blank lines) and the position after it.
    _sent: deque[tuple[asyncio.Task[None] | None, Position]] = field(default_factory=deque, init=False)

    def _quarantine(self, line_number: int, raw: str, reason: str) -> InputQuarantined:
        return InputQuarantined(
            service=Service.INTAKE_PHONE.value, channel=Channel.PHONE,
            source=PhoneSource(call_id=f"cdr-line-{line_number}", fragment="call_record", system="asterisk"),
            reason=reason[:80], raw_sha256=hashlib.sha256(raw.encode()).hexdigest(),
            quarantined_at=self.now())

    def _layout_for(self, number: int, fields: list[str]) -> CdrLayout:
        if self.layout is not None:
            return self.layout
        layout = self._detector.layout_for(fields)
        if layout not in self._announced:
            self._announced.add(layout)
            self.announce(f"CDR layout: {layout.describe()}, detected from line {number}'s column count "
                          "(HOTLINE_CDR_LOGUNIQUEID, _LOGUSERFIELD and _NEWCDRCOLUMNS override it)")
        return layout

    def _translate(self, lines: list[tuple[int, str]], summary: Summary
                   ) -> tuple[list[SignalReceived], list[InputQuarantined]]:
        signals: list[SignalReceived] = []
        quarantined: list[InputQuarantined] = []
        rows: list[tuple[int, str, list[str] | BadRow]] = []
        for number, text in lines:
            try:
                rows.append((number, text, read_fields(text)))
            except BadRow as bad:
                rows.append((number, text, bad))
        if self.layout is None:  # a batch decides together, so one odd row cannot set the layout
            self._detector.learn(fields for _, _, fields in rows if isinstance(fields, list))
        for number, text, fields in rows:
            summary.rows += 1
            try:
                if isinstance(fields, BadRow):
                    raise fields
                record = parse_fields(fields, self._layout_for(number, fields), self.zone)
                signals.append(call_record_signal(record, raw_line=text, secret=self.secret,
                                                  default_region=self.default_region))
            except BadRow as bad:
                quarantined.append(self._quarantine(number, text, bad.reason))
                summary.problems.append((number, bad.reason))
            except ValueError as invalid:  # a row that parses but cannot be a valid signal
                reason = f"invalid_signal_{type(invalid).__name__.lower()}"
                quarantined.append(self._quarantine(number, text, reason))
                summary.problems.append((number, reason))
        return signals, quarantined

    async def _send(self, signals: list[SignalReceived], quarantined: list[InputQuarantined],
                    summary: Summary) -> None:
        await self.sink.send(signals, quarantined)
        summary.signals += len(signals)
        summary.quarantined += len(quarantined)

    async def run(
        self,
        path: Path,
        *,
        positions: PositionStore | None = None,
        follow: bool = False,
        stop: asyncio.Event | None = None,
        progress: Progress | None = None,
        poll_s: float = 0.5,
    ) -> Summary:
        """Import ``path`` from the saved position (or the top); with ``follow``, keep reading as it
        grows until ``stop``, starting again from the top when it is rotated or truncated."""
        stop = stop or asyncio.Event()
        summary = Summary()
        while True:
            try:
                await self._read(path, summary, positions, follow, stop, progress, poll_s)
                break
            except FileReplaced:
                # A new file may come from a PBX configured anew: its layout is read afresh.
                self._detector, self._announced = LayoutDetector(), set()
                if positions:
                    positions.save(Position(os.stat(path).st_ino, 0, 0))
        return summary

    async def _read(
        self, path: Path, summary: Summary, positions: PositionStore | None, follow: bool,
        stop: asyncio.Event, progress: Progress | None, poll_s: float,
    ) -> None:
        stat = os.stat(path)
        saved = positions.load() if positions else None
        position = Position(stat.st_ino, 0, 0)
        if saved is not None and saved.inode == stat.st_ino and saved.offset <= stat.st_size:
            position = saved
        try:
            await self._follow(path, position, summary, positions, follow, stop, progress, poll_s)
        except BaseException:
            # What was sent still settles (acknowledged or not); its positions are not saved, so
            # those rows are read again, and nothing past an unacknowledged row is skipped.
            sent = [task for task, _ in self._sent if task is not None]
            self._sent.clear()
            await asyncio.gather(*sent, return_exceptions=True)
            raise

    async def _follow(
        self, path: Path, position: Position, summary: Summary, positions: PositionStore | None,
        follow: bool, stop: asyncio.Event, progress: Progress | None, poll_s: float,
    ) -> None:
        with path.open("rb") as file:
            file.seek(position.offset)
            pending = b""
            while not stop.is_set():
                chunk = file.read(1 << 20)
                if not chunk:
                    await self._settle(positions)
                    if not follow:
                        break
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), poll_s)
                    try:
                        now = os.stat(path)
                    except FileNotFoundError:
                        continue  # rotated away, the new file not there yet
                    if now.st_ino != position.inode or now.st_size < position.offset + len(pending):
                        raise FileReplaced
                    continue
                pending += chunk
                *complete, pending = pending.split(b"\n")
                batch: list[tuple[int, str]] = []
                offset, line = position.offset, position.line
                for raw in complete:
                    line += 1
                    offset += len(raw) + 1
                    if raw.strip():
                        batch.append((line, _decode(raw)))
                    if len(batch) >= self.batch_size:
                        position = await self._commit(batch, summary, positions,
                                                      Position(position.inode, offset, line))
                        batch = []
                        if progress:
                            progress.update(completed=offset, description=_rows(summary))
                position = await self._commit(batch, summary, positions,
                                              Position(position.inode, offset, line))
                if progress:
                    progress.update(completed=offset, description=_rows(summary))
            await self._settle(positions)
            if not follow and pending.strip():
                # At the end of a finished file, a row without its newline was cut short.
                line = position.line + 1
                summary.rows += 1
                await self.sink.send([], [self._quarantine(line, _decode(pending), "truncated_line")])
                summary.quarantined += 1
                summary.problems.append((line, "truncated_line"))
                if positions:
                    positions.save(Position(position.inode, position.offset + len(pending), line))

    async def _commit(self, batch: list[tuple[int, str]], summary: Summary, positions: PositionStore | None,
                      position: Position) -> Position:
        """Translate ``batch`` while the one before is with the broker, then, once that one is
        acknowledged and its position saved, send this one without waiting for it."""
        sending = None
        if batch:
            signals, quarantined = self._translate(batch, summary)
            sending = self._send(signals, quarantined, summary)
        try:
            await self._settle(positions)
        except BaseException:
            if sending is not None:
                sending.close()  # never sent: read again from the saved position
            raise
        self._sent.append((None if sending is None else asyncio.create_task(sending), position))
        return position

    async def _settle(self, positions: PositionStore | None) -> None:
        """Wait for the batch in flight, then save the position after it. A refusal is raised, and
        the position stays before that batch."""
        settled: Position | None = None
        while self._sent:
            task, position = self._sent[0]
            if task is not None:
                await task
            self._sent.popleft()
            settled = position
        if settled is not None and positions:
            await asyncio.to_thread(positions.save, settled)


class FileReplaced(Exception):
    """The followed file was rotated or truncated; it is read again from the top."""
