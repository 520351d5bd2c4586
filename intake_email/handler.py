"""The email intake's hand-off of a batch of messages: blob store, publish and wait for the ack, then move.

The order is what makes it safe: store the raw message in the blob store, publish and wait for
Kafka's ack, and only then move the message out of the mailbox (to the processed or quarantine
folder). A crash anywhere re-reads the message at worst; its dedup key (Message-ID plus content
hash) gives the same signal id, so every consumer absorbs the repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol
from uuid import UUID

from contracts import Service, Topic
from contracts.events import AttachmentRef, Channel, EmailSource, InputQuarantined, SignalReceived
from intake_email.config import EmailSettings
from intake_email.metrics import EmailMetrics
from intake_email.parse import ParsedEmail, Unparseable, parse
from intake_email.state import KnownSignal, StateStore
from intake_email.translate import attachment_ref, related_for, to_signal
from services.runtime import BrokerUnavailable, Health, Publisher, PublishError
from services.runtime.blobs import BlobStore
from services.runtime.tracing import accepting, annotate

log = logging.getLogger(__name__)


class MailboxPort(Protocol):
    """What the hand-off needs of a mailbox (``intake_email.source.ImapMailbox``)."""

    async def fetch(self, uids: list[int]) -> dict[int, bytes]: ...

    async def move(self, uids: list[int], folder: str) -> None: ...


class MailHandOff:
    """Hands off the messages of one mailbox, a batch at a time."""

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
        self._mailbox = mailbox
        self._publisher = publisher
        self._blobs = blobs
        self._state = state
        self._metrics = metrics
        self._health = health
        self._stop = stop
        self._now = now
        self._secret = settings.reference_secret.get_secret_value().encode()
        self._component = f"imap:{mailbox}"

    async def hand_off(self, mailbox: MailboxPort, uids: list[int], uidvalidity: int) -> None:
        """Every message of ``uids`` becomes a signal or a quarantine record, acknowledged, then moved."""
        fetched = await mailbox.fetch(uids)
        signals: list[tuple[int, SignalReceived, KnownSignal, ParsedEmail]] = []
        quarantined: list[tuple[int, InputQuarantined]] = []
        for uid in uids:
            raw = fetched.get(uid)
            if raw is None:
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
        await mailbox.move([uid for uid, *_ in signals], self._settings.processed_folder)
        await mailbox.move([uid for uid, _ in quarantined], self._settings.quarantine_folder)
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
        signal = to_signal(parsed, mailbox=self._mailbox, uidvalidity=uidvalidity, uid=uid,
                           raw_sha256=raw_sha256, attachments=attachments, received_at=self._now(),
                           reference_secret=self._secret,
                           related=related_for(parsed, (UUID(known.signal_id), known.reference_number)
                                               if known else None))
        return signal, KnownSignal(str(signal.signal_id), signal.reference_number)

    def _quarantine_record(
        self, uid: int, uidvalidity: int, raw_sha256: str, reason: str
    ) -> InputQuarantined:
        source = EmailSource(mailbox=self._mailbox[:256], uidvalidity=uidvalidity, uid=uid, message_id=None)
        return InputQuarantined(service=Service.INTAKE_EMAIL.value, channel=Channel.EMAIL, source=source,
                                reason=reason[:80], raw_sha256=raw_sha256, quarantined_at=self._now())

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
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), backoff)
                backoff = min(backoff * 2, 30.0)
