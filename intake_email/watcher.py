"""Watching one mailbox: every message becomes a signal (or a quarantine record), none lost, none doubled.

The hand-off order is what makes it safe: store the raw message in the blob store, publish and wait
for Kafka's ack, and only then move the message out of the mailbox (MOVE, or COPY + \\Deleted +
expunge). A crash anywhere re-reads the message at worst; its dedup key (Message-ID plus content
hash) gives the same signal id, so every consumer absorbs the repeat. UIDVALIDITY and the last UID
handed off are kept per mailbox: a restart resumes, and a new UIDVALIDITY reads the mailbox again
from the start (what is still there was not handed off).

imapclient is blocking; each IMAP command runs in a worker thread, one connection per mailbox.
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
from datetime import datetime
from typing import Any
from uuid import UUID

from imapclient import DELETED, IMAPClient
from imapclient.exceptions import IMAPClientError

from contracts import Service, Topic
from contracts.events import AttachmentRef, Channel, EmailSource, InputQuarantined, SignalReceived
from intake_email.config import EmailSettings
from intake_email.metrics import EmailMetrics
from intake_email.parse import ParsedEmail, Unparseable, parse
from intake_email.state import KnownSignal, MailboxState, StateStore
from intake_email.translate import attachment_ref, related_for, to_signal
from services.runtime import BrokerUnavailable, Health, Publisher, PublishError
from services.runtime.blobs import BlobStore
from services.runtime.tracing import accepting, annotate

log = logging.getLogger(__name__)
_CONNECTION_ERRORS = (IMAPClientError, imaplib.IMAP4.error, imaplib.IMAP4.abort, OSError, socket.timeout,
                      ssl.SSLError, EOFError)
_IDLE_SLICE_S = 1.0
# Messages fetched, published (concurrently) and moved together. The order stays safe: a batch is
# moved only after every record in it was acknowledged.
_BATCH = 50


class MailboxWatcher:
    def __init__(
        self,
        settings: EmailSettings,
        mailbox: str,
        *,
        publisher: Publisher,
        blobs: BlobStore,
        state: StateStore,
        metrics: EmailMetrics,
        health: Health,
        stop: asyncio.Event,
        now: Callable[[], datetime],
    ) -> None:
        self._settings = settings
        self.mailbox = mailbox
        self._publisher = publisher
        self._blobs = blobs
        self._state = state
        self._metrics = metrics
        self._health = health
        self._stop = stop
        self._now = now
        self._secret = settings.reference_secret.get_secret_value().encode()
        self._component = f"imap:{mailbox}"

    # ------------------------------------------------------------ the loop

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
            except _CONNECTION_ERRORS as error:
                self._health.set(self._component, ready=False, detail="reconnecting")
                self._metrics.reconnects.labels(mailbox=self.mailbox).inc()
                log.warning("IMAP connection lost; reconnecting",
                            extra={"component": self._component, "error_class": type(error).__name__,
                                   "backoff_s": backoff})
                await self._sleep(backoff)
                backoff = min(backoff * 2, self._settings.reconnect_max_s)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    def _connect(self) -> IMAPClient:
        s = self._settings
        context = ssl.create_default_context() if s.imap_tls else None
        client = IMAPClient(s.imap_host, port=s.imap_port, ssl=s.imap_tls, ssl_context=context,
                            timeout=s.imap_timeout_s)
        client.login(s.imap_username, s.imap_password.get_secret_value())
        for folder in (s.processed_folder, s.quarantine_folder):
            if not client.folder_exists(folder):
                client.create_folder(folder)
        return client

    async def _session(self) -> None:
        client = await asyncio.to_thread(self._connect)
        try:
            selected = await asyncio.to_thread(client.select_folder, self.mailbox)
            uidvalidity = int(selected[b"UIDVALIDITY"])
            state = self._state.mailbox(self.mailbox)
            if state is None or state.uidvalidity != uidvalidity:
                if state is not None:
                    log.warning("UIDVALIDITY changed: reading the mailbox again from the start",
                                extra={"component": self._component})
                state = MailboxState(uidvalidity, 0)
                await asyncio.to_thread(self._state.set_mailbox, self.mailbox, state)
            self._health.set(self._component, ready=True, detail="connected")
            idle = client.has_capability("IDLE")
            while not self._stop.is_set():
                found = await asyncio.to_thread(client.search, ["UID", f"{state.last_uid + 1}:*"])
                pending = sorted(int(uid) for uid in found if int(uid) > state.last_uid)
                backlog = self._metrics.backlog.labels(mailbox=self.mailbox)
                backlog.set(len(pending))
                for start in range(0, len(pending), _BATCH):
                    if self._stop.is_set():
                        return
                    batch = pending[start:start + _BATCH]
                    await self._hand_off(client, batch, uidvalidity)
                    state = MailboxState(uidvalidity, batch[-1])
                    await asyncio.to_thread(self._state.set_mailbox, self.mailbox, state)
                    backlog.set(len(pending) - start - len(batch))
                if not pending:
                    await (self._idle(client) if idle else self._sleep(self._settings.poll_interval_s))
        finally:
            with contextlib.suppress(*_CONNECTION_ERRORS):
                await asyncio.to_thread(client.logout)

    async def _idle(self, client: IMAPClient) -> None:
        """Wait for new mail with IDLE, re-issued before ``idle_timeout_s`` (servers drop it at 29 min)."""
        await asyncio.to_thread(client.idle)
        try:
            deadline = time.monotonic() + self._settings.idle_timeout_s
            while not self._stop.is_set() and time.monotonic() < deadline:
                responses = await asyncio.to_thread(client.idle_check, _IDLE_SLICE_S)
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                    break
        finally:
            await asyncio.to_thread(client.idle_done)

    # ------------------------------------------------------------ one message

    def _source(self, uidvalidity: int, uid: int, message_id: str | None = None) -> EmailSource:
        return EmailSource(mailbox=self.mailbox[:256], uidvalidity=uidvalidity, uid=uid,
                           message_id=message_id[:998] if message_id else None)

    async def _hand_off(self, client: IMAPClient, uids: list[int], uidvalidity: int) -> None:
        fetched: dict[int, dict[bytes, Any]] = await asyncio.to_thread(client.fetch, uids, ["BODY.PEEK[]"])
        signals: list[tuple[int, SignalReceived, KnownSignal, ParsedEmail]] = []
        quarantined: list[tuple[int, InputQuarantined]] = []
        for uid in uids:
            raw = fetched.get(uid, {}).get(b"BODY[]")
            if not isinstance(raw, bytes):
                continue  # expunged by someone else between SEARCH and FETCH: nothing to hand off
            raw_sha256 = await asyncio.to_thread(self._blobs.put, raw)
            try:
                parsed = parse(raw)
                signal, known = await self._signal(parsed, uidvalidity, uid, raw_sha256)
            except Unparseable as unparseable:
                record = self._quarantine_record(uid, uidvalidity, raw_sha256, unparseable.reason)
                quarantined.append((uid, record))
                continue
            except ValueError as invalid:  # the signal could not be built (pydantic): set aside, carry on
                reason = f"translate_error:{type(invalid).__name__.lower()}"
                quarantined.append((uid, self._quarantine_record(uid, uidvalidity, raw_sha256, reason)))
                continue
            signals.append((uid, signal, known, parsed))
        await asyncio.gather(*(self._publish(Topic.SIGNALS_RECEIVED, s) for _, s, _, _ in signals),
                             *(self._publish(Topic.OPS_EVENTS, q) for _, q in quarantined))
        threads = [(parsed.message_id, known) for _, _, known, parsed in signals if parsed.message_id]
        if threads:
            await asyncio.to_thread(self._state.remember_many, threads)
        await self._move(client, [uid for uid, *_ in signals], self._settings.processed_folder)
        await self._move(client, [uid for uid, _ in quarantined], self._settings.quarantine_folder)
        for _, signal, _, parsed in signals:
            self._metrics.handed_off("automated" if parsed.automated else "signal")
            log.info("message handed off", extra={"signal_id": str(signal.signal_id), "channel": "email",
                                                  "reference_number": signal.reference_number})
        for _, record in quarantined:
            self._metrics.handed_off("quarantined")
            log.warning("message quarantined", extra={"reason": record.reason, "component": self._component})

    async def _signal(self, parsed: ParsedEmail, uidvalidity: int, uid: int,
                      raw_sha256: str) -> tuple[SignalReceived, KnownSignal]:
        attachments: list[AttachmentRef] = []
        for attachment in parsed.attachments[:100]:
            sha256 = await asyncio.to_thread(self._blobs.put, attachment.data)
            attachments.append(attachment_ref(sha256, attachment.content_type, len(attachment.data),
                                              attachment.filename))
        thread_ids = tuple(i for i in ((parsed.in_reply_to or ""), *parsed.references) if i)
        known = await asyncio.to_thread(self._state.lookup, thread_ids) if thread_ids else None
        signal = to_signal(parsed, mailbox=self.mailbox, uidvalidity=uidvalidity, uid=uid,
                           raw_sha256=raw_sha256, attachments=attachments, received_at=self._now(),
                           reference_secret=self._secret,
                           related=related_for(parsed, (UUID(known.signal_id), known.reference_number)
                                               if known else None))
        return signal, KnownSignal(str(signal.signal_id), signal.reference_number)

    def _quarantine_record(
        self, uid: int, uidvalidity: int, raw_sha256: str, reason: str
    ) -> InputQuarantined:
        return InputQuarantined(service=Service.INTAKE_EMAIL.value, channel=Channel.EMAIL,
                                source=self._source(uidvalidity, uid), reason=reason[:80],
                                raw_sha256=raw_sha256, quarantined_at=self._now())

    async def _publish(self, topic: Topic, event: SignalReceived | InputQuarantined) -> None:
        """Publish and wait for the ack; while Kafka is away, keep the message and retry."""
        if not isinstance(event, SignalReceived):
            await self._publish_until_acked(topic, event)
            return
        # Accepting a mail is the root of its signal's trace; every attempt is a span in it.
        with accepting(event.channel.value) as accepted:
            annotate(accepted, {"hotline.signal_id": str(event.signal_id)})
            await self._publish_until_acked(topic, event)

    async def _publish_until_acked(self, topic: Topic, event: SignalReceived | InputQuarantined) -> None:
        backoff = 0.5
        while True:
            try:
                await self._publisher.publish(topic, event)
                self._health.set("publisher", ready=True, detail="connected")
                return
            except PublishError as error:
                self._health.set("publisher", ready=False, detail="retrying")
                if not isinstance(error, BrokerUnavailable):  # an outage: the broker link counts it
                    log.warning("broker did not take the signal; retrying",
                                extra={"topic": topic.value, "error_class": type(error).__name__,
                                       "backoff_s": backoff})
                if self._stop.is_set():
                    raise
                await self._sleep(backoff)
                backoff = min(backoff * 2, 30.0)

    async def _move(self, client: IMAPClient, uids: list[int], folder: str) -> None:
        if not uids:
            return

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
