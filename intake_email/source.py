"""The email intake's adapter: the IMAP mailbox behind a port of a few methods, and the loop that watches it.

One connection per mailbox. UIDVALIDITY and the last UID handed off are kept per mailbox: a restart
resumes, and a new UIDVALIDITY reads the mailbox again from the start (what is still there was not
handed off). imapclient is blocking; each IMAP command runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import logging
import socket
import ssl
import time
from collections.abc import Callable
from typing import Protocol

from imapclient import DELETED, IMAPClient
from imapclient.exceptions import IMAPClientError

from intake_email.config import EmailSettings
from intake_email.handler import MailboxPort, MailHandOff
from intake_email.metrics import EmailMetrics
from intake_email.state import MailboxState, StateStore
from services.runtime import Health, PublishError

log = logging.getLogger(__name__)
CONNECTION_ERRORS = (IMAPClientError, imaplib.IMAP4.error, imaplib.IMAP4.abort, OSError, socket.timeout,
                     ssl.SSLError, EOFError)
_IDLE_SLICE_S = 1.0
# Messages fetched, published (concurrently) and moved together. The order stays safe: a batch is
# moved only after every record in it was acknowledged.
_BATCH = 50


class Mailbox(MailboxPort, Protocol):
    """What the watcher needs of one mailbox: ``ImapMailbox`` (an in-memory stand-in in unit tests)."""

    async def open(self) -> int: ...

    async def after(self, last_uid: int) -> list[int]: ...

    async def wait_for_mail(self, stop: asyncio.Event, *, idle_timeout_s: float,
                            poll_interval_s: float) -> None: ...

    async def close(self) -> None: ...


class ImapMailbox:
    """One selected mailbox on one IMAP connection: the port the watcher and the hand-off use."""

    def __init__(self, client: IMAPClient, name: str) -> None:
        self._client = client
        self.name = name
        self._idle = False

    async def open(self) -> int:
        """Select the mailbox; its UIDVALIDITY."""
        selected = await asyncio.to_thread(self._client.select_folder, self.name)
        self._idle = self._client.has_capability("IDLE")
        return int(selected[b"UIDVALIDITY"])

    async def after(self, last_uid: int) -> list[int]:
        """The UIDs above ``last_uid``, oldest first."""
        found = await asyncio.to_thread(self._client.search, ["UID", f"{last_uid + 1}:*"])
        return sorted(int(uid) for uid in found if int(uid) > last_uid)

    async def fetch(self, uids: list[int]) -> dict[int, bytes]:
        """The raw messages still there (one expunged by someone else meanwhile is left out)."""
        fetched = await asyncio.to_thread(self._client.fetch, uids, ["BODY.PEEK[]"])
        return {uid: raw for uid in uids if isinstance(raw := fetched.get(uid, {}).get(b"BODY[]"), bytes)}

    async def move(self, uids: list[int], folder: str) -> None:
        """MOVE, or COPY + \\Deleted + expunge where the server has no MOVE."""
        if not uids:
            return
        client = self._client

        def move() -> None:
            if client.has_capability("MOVE"):
                client.move(uids, folder)
                return
            client.copy(uids, folder)
            client.add_flags(uids, [DELETED])
            if client.has_capability("UIDPLUS"):
                client.uid_expunge(uids)
            else:
                client.expunge()

        await asyncio.to_thread(move)

    async def wait_for_mail(self, stop: asyncio.Event, *, idle_timeout_s: float,
                            poll_interval_s: float) -> None:
        """Until new mail may be there: IDLE, re-issued before ``idle_timeout_s`` (servers drop it at
        29 min), or a poll interval where the server has no IDLE."""
        if not self._idle:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_interval_s)
            return
        client = self._client
        await asyncio.to_thread(client.idle)
        try:
            deadline = time.monotonic() + idle_timeout_s
            while not stop.is_set() and time.monotonic() < deadline:
                responses = await asyncio.to_thread(client.idle_check, _IDLE_SLICE_S)
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    break
        finally:
            await asyncio.to_thread(client.idle_done)

    async def close(self) -> None:
        with contextlib.suppress(*CONNECTION_ERRORS):
            await asyncio.to_thread(self._client.logout)


def imap_connection(settings: EmailSettings) -> IMAPClient:
    """A logged-in connection, with the processed and quarantine folders made if missing."""
    s = settings
    context = ssl.create_default_context() if s.imap_tls else None
    client = IMAPClient(s.imap_host, port=s.imap_port, ssl=s.imap_tls, ssl_context=context,
                        timeout=s.imap_timeout_s)
    client.login(s.imap_username, s.imap_password.get_secret_value())
    for folder in (s.processed_folder, s.quarantine_folder):
        if not client.folder_exists(folder):
            client.create_folder(folder)
    return client


class MailboxWatcher:
    """Watching one mailbox: every message is handed off, none lost, none doubled."""

    def __init__(
        self,
        settings: EmailSettings,
        mailbox: str,
        *,
        connect: Callable[[str], Mailbox],
        hand_off: MailHandOff,
        state: StateStore,
        metrics: EmailMetrics,
        health: Health,
        stop: asyncio.Event,
    ) -> None:
        self._settings = settings
        self.mailbox = mailbox
        self._connect = connect
        self._hand_off = hand_off
        self._state = state
        self._metrics = metrics
        self._health = health
        self._stop = stop
        self._component = f"imap:{mailbox}"

    async def run(self) -> None:
        """Until stopped: connect, hand off what is there, wait for more; reconnect with backoff."""
        backoff = 1.0
        while not self._stop.is_set():
            try:
                await self._session()
                backoff = 1.0
            except PublishError:
                if self._stop.is_set():
                    return  # stopping while Kafka is away: the message stays in the mailbox
                raise
            except CONNECTION_ERRORS as error:
                self._health.set(self._component, ready=False, detail="reconnecting")
                self._metrics.reconnects.labels(mailbox=self.mailbox).inc()
                log.warning("IMAP connection lost; reconnecting",
                            extra={"component": self._component, "error_class": type(error).__name__,
                                   "backoff_s": backoff})
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), backoff)
                backoff = min(backoff * 2, self._settings.reconnect_max_s)

    async def _session(self) -> None:
        # Connecting and logging in block: a worker thread, as for every IMAP command.
        mailbox = await asyncio.to_thread(self._connect, self.mailbox)
        try:
            uidvalidity = await mailbox.open()
            state = self._state.mailbox(self.mailbox)
            if state is None or state.uidvalidity != uidvalidity:
                if state is not None:
                    log.warning("UIDVALIDITY changed: reading the mailbox again from the start",
                                extra={"component": self._component})
                state = MailboxState(uidvalidity, 0)
                await asyncio.to_thread(self._state.set_mailbox, self.mailbox, state)
            self._health.set(self._component, ready=True, detail="connected")
            while not self._stop.is_set():
                pending = await mailbox.after(state.last_uid)
                backlog = self._metrics.backlog.labels(mailbox=self.mailbox)
                backlog.set(len(pending))
                for start in range(0, len(pending), _BATCH):
                    if self._stop.is_set():
                        return
                    batch = pending[start:start + _BATCH]
                    await self._hand_off.hand_off(mailbox, batch, uidvalidity)
                    state = MailboxState(uidvalidity, batch[-1])
                    await asyncio.to_thread(self._state.set_mailbox, self.mailbox, state)
                    backlog.set(len(pending) - start - len(batch))
                if not pending:
                    await mailbox.wait_for_mail(self._stop, idle_timeout_s=self._settings.idle_timeout_s,
                                                poll_interval_s=self._settings.poll_interval_s)
        finally:
            await mailbox.close()
