"""Taking in a text: its conversation, its media, the signal made durable, then any answer carriers require.

Order of work, per sender (one at a time, so a burst of texts threads in the order it arrived):
place the text in its conversation (the state store, fsynced), fetch and scrub its media, build
the signal, and make it durable (Kafka's ack, or the fsynced spool). Only then does Twilio get its
2xx: Twilio does not retry every messaging webhook, so an answer must mean the text is kept.

After that, and only for a webhook seen for the first time: the carriers' keyword answers (STOP,
HELP, START) and, for a texter who opted in, one acknowledgement when a conversation opens.
Those go out in the background; a failure to send one is counted, never the text's failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from contracts import Topic
from contracts.reference_numbers import reference_for
from intake_sms.conversations import ConversationStore, Placement
from intake_sms.media import MediaFetcher, TakenMedia, take_media
from intake_sms.metrics import SmsMetrics
from intake_sms.outbound import SendFailed, TextSender
from intake_sms.translate import InboundText, read_params, text_signal
from intake_sms.wording import CarrierReplies, hotline_names_in
from services.runtime.blobs import BlobStore
from services.runtime.durable import DurableSender, Outcome

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Taken:
    signal_id: str
    reference_number: str
    outcome: Outcome


@dataclass(frozen=True)
class AutoReplies:
    """Which automatic texts are on, and their words."""

    words: CarrierReplies
    keywords: bool = True
    acknowledge_opted_in: bool = True


class _KeyedLocks:
    """One lock per sender, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class TextIntake:
    def __init__(
        self,
        *,
        sender: DurableSender,
        store: ConversationStore,
        fetcher: MediaFetcher,
        blobs: BlobStore,
        texts: TextSender,
        auto: AutoReplies,
        secret: bytes,
        hotline_names: Sequence[str],
        now: Callable[[], datetime],
        metrics: SmsMetrics,
        default_region: str = "US",
        max_media_bytes: int = 5 * 1024 * 1024,
        media_timeout_s: float = 8.0,
        source: str = "/hotline/intake-sms",
    ) -> None:
        self._sender = sender
        self._store = store
        self._fetcher = fetcher
        self._blobs = blobs
        self._texts = texts
        self._auto = auto
        self._secret = secret
        self._names = tuple(hotline_names)
        self._now = now
        self.metrics = metrics
        self._region = default_region
        self._max_media_bytes = max_media_bytes
        self._media_timeout_s = media_timeout_s
        self._source = source
        self._locks = _KeyedLocks()
        self._answers: set[asyncio.Task[None]] = set()

    @property
    def spooled(self) -> int:
        return self._sender.spooled

    async def take(self, params: dict[str, str]) -> Taken:
        """Raises ``BadCallback`` (nothing kept) or ``SpoolFull`` (cannot be made durable)."""
        inbound = read_params(params, secret=self._secret, default_region=self._region)
        async with self._locks.hold(inbound.sender_key or inbound.message_sid):
            at = self._now()
            own_reference = reference_for(str(inbound.signal_id), self._secret)
            placement = await asyncio.to_thread(
                self._store.place, message_sid=inbound.message_sid, signal_id=inbound.signal_id,
                reference_number=own_reference, sender_key=inbound.sender_key, number=inbound.number,
                keyword=inbound.keyword, names=hotline_names_in(inbound.body, self._names), at=at)
            media = await self._media(inbound)
            signal = text_signal(inbound, conversation=placement.conversation, texts_ok=placement.texts_ok,
                                 media=media.media, attachments=media.attachments, received_at=at,
                                 secret=self._secret)
            outcome = await self._sender.accept(Topic.SIGNALS_RECEIVED, signal, source=self._source)
        self.metrics.accept(outcome.value)
        self.metrics.spool_records.set(self._sender.spooled)
        log.info("text taken in", extra={"signal_id": str(signal.signal_id), "outcome": outcome.value,
                                         "reference_number": placement.conversation.reference_number})
        if placement.first_time and inbound.number is not None:
            self._answer(inbound, inbound.number, placement)
        return Taken(str(signal.signal_id), signal.reference_number, outcome)

    async def _media(self, inbound: InboundText) -> TakenMedia:
        if not inbound.media:
            return TakenMedia(media=[], attachments=[])
        taken = await take_media(inbound.media, fetcher=self._fetcher, blobs=self._blobs,
                                 max_bytes=self._max_media_bytes, timeout_s=self._media_timeout_s)
        for medium in taken.media:
            self.metrics.media.labels(outcome=medium.outcome, reason=medium.reason or "").inc()
        return taken

    # ------------------------------------------------------------ automatic answers

    def _answer(self, inbound: InboundText, number: str, placement: Placement) -> None:
        """Only what carriers require, or one acknowledgement to a texter who opted in."""
        words = self._auto.words
        kind: str
        if inbound.keyword is not None:
            if not self._auto.keywords:
                return
            kind, body = inbound.keyword, words.for_keyword(inbound.keyword)
        elif self._auto.acknowledge_opted_in and placement.texts_ok and placement.opened:
            kind, body = "acknowledge", words.acknowledge.format(
                reference=placement.conversation.reference_number)
        else:
            return
        task = asyncio.create_task(self._send(kind, number, body), name=f"sms-answer-{kind}")
        self._answers.add(task)
        task.add_done_callback(self._answers.discard)

    async def _send(self, kind: str, number: str, body: str) -> None:
        try:
            await self._texts.send(number, body)
        except SendFailed as error:
            self.metrics.texts_sent.labels(kind=kind, result="failed").inc()
            log.warning("automatic text not sent", extra={"reason": error.reason, "status": error.status})
            return
        self.metrics.texts_sent.labels(kind=kind, result="sent").inc()

    async def wait_answers(self) -> None:
        """For shutdown and tests: let answers in flight finish (each is bounded by its client's timeout)."""
        if self._answers:
            await asyncio.wait(set(self._answers))
