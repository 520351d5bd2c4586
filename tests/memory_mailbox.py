"""In-memory stand-in for the email intake's mailbox port (intake_email.source.ImapMailbox): unit tests only.

It passes the same behaviour suite as the port over a real Dovecot (tests/behaviour/mailbox_suite.py),
so a unit test may lean on it for what that suite pins, and on nothing more.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass, field

from imapclient.exceptions import IMAPClientError

# UIDVALIDITY differs per folder and per server, as on a real server: a test cannot come to rely on one value.
_UIDVALIDITY = itertools.count(1_700_000_000)


@dataclass
class _Folder:
    uidvalidity: int
    next_uid: int = 1
    messages: dict[int, bytes] = field(default_factory=dict)


class MemoryMailServer:
    """Folders of messages held in memory, shared by every ``MemoryMailbox`` opened on them."""

    def __init__(self, folders: tuple[str, ...] = ("INBOX", "Processed", "Quarantine")) -> None:
        self._folders = {name: _Folder(next(_UIDVALIDITY)) for name in folders}
        self._waiting: set[asyncio.Event] = set()

    def mailbox(self, name: str) -> MemoryMailbox:
        """A port on the folder ``name``, not yet opened (as ``ImapMailbox(client, name)``)."""
        return MemoryMailbox(self, name)

    def deliver(self, folder: str, raw: bytes) -> int:
        """Mail arriving from outside; its UID. Wakes every port waiting for mail."""
        uid = self._append(folder, raw)
        for waiting in self._waiting:
            waiting.set()
        return uid

    def expunge(self, folder: str, uid: int) -> None:
        """Another client deleting a message."""
        self._folder(folder).messages.pop(uid, None)

    def messages(self, folder: str) -> dict[int, bytes]:
        """What the folder holds now, by UID."""
        return dict(self._folder(folder).messages)

    def _folder(self, name: str) -> _Folder:
        try:
            return self._folders[name]
        except KeyError:
            # What imapclient raises when the server answers NO for a missing folder.
            raise IMAPClientError(f"no such folder: {name}") from None

    def _append(self, folder: str, raw: bytes) -> int:
        target = self._folder(folder)
        uid = target.next_uid
        target.next_uid += 1  # UIDs are never reused, even once a message has left
        target.messages[uid] = raw
        return uid


class MemoryMailbox:
    """One selected folder of a ``MemoryMailServer``: the same methods as ``ImapMailbox``."""

    def __init__(self, server: MemoryMailServer, name: str) -> None:
        self._server = server
        self.name = name
        self.closed = False

    async def open(self) -> int:
        return self._server._folder(self.name).uidvalidity

    async def after(self, last_uid: int) -> list[int]:
        return sorted(uid for uid in self._server._folder(self.name).messages if uid > last_uid)

    async def fetch(self, uids: list[int]) -> dict[int, bytes]:
        messages = self._server._folder(self.name).messages
        return {uid: messages[uid] for uid in uids if uid in messages}

    async def move(self, uids: list[int], folder: str) -> None:
        source = self._server._folder(self.name)
        self._server._folder(folder)  # a missing target fails before anything leaves, as MOVE does
        for uid in sorted(uids):
            if (raw := source.messages.pop(uid, None)) is not None:
                self._server._append(folder, raw)

    async def wait_for_mail(self, stop: asyncio.Event, *, idle_timeout_s: float,
                            poll_interval_s: float) -> None:
        # As the port over a server with IDLE: back on new mail, on stop, or when the IDLE is re-issued.
        arrived = asyncio.Event()
        self._server._waiting.add(arrived)
        try:
            waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(arrived.wait())]
            _, pending = await asyncio.wait(waits, timeout=idle_timeout_s,
                                            return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        finally:
            self._server._waiting.discard(arrived)

    async def close(self) -> None:
        self.closed = True
