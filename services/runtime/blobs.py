"""The blob store: attachment bytes on local disk, content-addressed by sha256, never on Kafka.

``root/ab/cd/<sha256>``: written to a temporary file in the same directory, fsynced, renamed into place
and the directory fsynced, so a stored blob survives a crash and a half-written one is never visible
under its name. Storing the same bytes twice is a no-op. Directories are 0700 and files 0600: the
bytes are evidence from people who may be in danger. Synchronous: callers run it in a thread.
Nothing here logs, and nothing here ever sees a file name. Each writer (an intake) keeps its own
store; ``BlobReader`` reads through the stores of all of them, with the same layout, and writes
nothing. Given keys (``services.runtime.blob_keys``), a store seals what it writes with AES-GCM,
and both read sealed and plain blobs; a blob is named by its plaintext's sha256 either way.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from services.runtime.blob_keys import BlobKeys, SealedBlobError, sealed_with

_HEX: Final = re.compile(r"[0-9a-f]{64}")
_DIR_MODE: Final = 0o700
_FILE_MODE: Final = 0o600


def _fsync_dir(directory: Path) -> None:
    # A rename or a new entry is only durable once the directory holding it is flushed.
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_private_dir(directory: Path) -> None:
    """Create the directory (and its parents) 0700, fsyncing each parent that gained an entry."""
    if directory.is_dir():
        return
    _make_private_dir(directory.parent)
    try:
        directory.mkdir(mode=_DIR_MODE)
    except FileExistsError:
        return  # another thread made it first
    os.chmod(directory, _DIR_MODE)  # mkdir's mode is filtered by the umask
    _fsync_dir(directory.parent)


def is_blob_name(name: str) -> bool:
    return _HEX.fullmatch(name) is not None


def blob_path(root: Path, sha256: str) -> Path:
    """Where a store rooted at ``root`` keeps the blob: ``root/ab/cd/<sha256>``."""
    # The name comes from callers that may have taken it from a request: never let it be a path.
    if not is_blob_name(sha256):
        raise ValueError("a blob is named by 64 lower-case hex characters")
    return root / sha256[:2] / sha256[2:4] / sha256


def _verified(data: bytes, sha256: str) -> bytes:
    # Evidence must be what was stored: a flipped bit on disk is an error, not a different photo.
    if hashlib.sha256(data).hexdigest() != sha256:
        raise OSError(errno.EIO, "a stored blob does not match its sha256")
    return data


def readable(raw: bytes, sha256: str, keys: BlobKeys | None) -> bytes:
    """The plaintext of the stored bytes of blob ``sha256``, checked against its name."""
    if sealed_with(raw) is None:
        return _verified(raw, sha256)
    if hashlib.sha256(raw).hexdigest() == sha256:
        return raw  # a plain blob that merely begins like a sealed one
    if keys is None:
        raise SealedBlobError(errno.EACCES, "a blob is sealed and this service has no HOTLINE_BLOB_KEYS")
    return _verified(keys.open(raw, sha256), sha256)


def write_atomically(path: Path, data: bytes) -> None:
    """``data`` under ``path``, all or nothing, durable once this returns."""
    _make_private_dir(path.parent)
    # mkstemp creates the file 0600 with O_EXCL, in the same directory so the rename is atomic.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with open(fd, "wb") as file:  # closes fd
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


class BlobStore:
    def __init__(self, root: Path, keys: BlobKeys | None = None) -> None:
        self.root = root
        self.keys = keys
        _make_private_dir(root)
        os.chmod(root, _DIR_MODE)

    def path_for(self, sha256: str) -> Path:
        return blob_path(self.root, sha256)

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def get(self, sha256: str) -> bytes:
        return readable(self.path_for(sha256).read_bytes(), sha256, self.keys)

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest)
        if path.is_file():
            return digest  # sealed under an older key, or plain: hotline-blobs reencrypt moves it on
        write_atomically(path, self.keys.seal(data, digest) if self.keys else data)
        return digest


class BlobReader:
    """Reads blobs from several stores (every intake's), in order; creates and writes nothing."""

    def __init__(self, roots: Sequence[Path], keys: BlobKeys | None = None) -> None:
        self.roots = tuple(dict.fromkeys(roots))
        self.keys = keys

    def get(self, sha256: str) -> bytes | None:
        """The blob's bytes, checked against its name; None when no store has it. A copy that does
        not match its name is passed over for another store's, and is an ``OSError`` if it is the
        only one."""
        damaged: OSError | None = None
        for root in self.roots:
            try:
                return readable(blob_path(root, sha256).read_bytes(), sha256, self.keys)
            except FileNotFoundError:
                continue
            except OSError as error:
                damaged = error
        if damaged is not None:
            raise damaged
        return None
