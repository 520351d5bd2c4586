"""Supervisors' replies (``replies.requested``): sent, or refused with a reason, once each.

The intake is where a reply is judged, because only it knows what the texter did: a reply goes
only to a texter who opted in and has not opted out since (their safe-contact standing), only
while their number is still kept, and only if it does not name the hotline where the texter did
not. Every request ends in one ``ReplyOutcome`` on ``replies.outcomes``.

At most once: the reply is marked ``sending`` durably before the provider is asked. A request
redelivered after the provider was asked, but before its final state was kept, finds ``sending``
and is reported ``interrupted``, never sent a second time; one redelivered after its final
state republishes the same outcome (same event id).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from contracts import Topic
from contracts.events import ReplyOutcome, ReplyOutcomeKind, ReplyRequested
from intake_sms.conversations import ConversationStore
from intake_sms.metrics import SmsMetrics
from intake_sms.outbound import SendFailed, TextSender
from intake_sms.wording import hotline_names_in
from services.runtime import InvalidMessage, Message, Publisher, PublishError, RetriableError

log = logging.getLogger(__name__)


class ReplyDesk:
    def __init__(self, *, store: ConversationStore, texts: TextSender, publisher: Publisher,
                 hotline_names: Sequence[str], now: Callable[[], datetime], metrics: SmsMetrics) -> None:
        self._store = store
        self._texts = texts
        self._publisher = publisher
        self._names = tuple(hotline_names)
        self._now = now
        self._metrics = metrics

    async def handle(self, message: Message) -> None:
        request = message.event
        if not isinstance(request, ReplyRequested):
            raise InvalidMessage(f"the SMS intake reads ReplyRequested here, got {message.envelope.type}")
        known = await asyncio.to_thread(self._store.reply_state, request.reply_id)
        if known is None:
            kind, reason = await self._deliver(request)
        elif known.state == "sending":
            kind, reason = ReplyOutcomeKind.INTERRUPTED, "interrupted"
            await asyncio.to_thread(self._store.set_reply_state, request.reply_id, kind.value, reason=reason,
                                    at=self._now())
        else:
            kind, reason = ReplyOutcomeKind(known.state), known.reason
        outcome = ReplyOutcome(reply_id=request.reply_id, case_id=request.case_id,
                               signal_id=request.signal_id, kind=kind, reason=reason, occurred_at=self._now())
        try:
            await self._publisher.publish(Topic.REPLIES_OUTCOMES, outcome)
        except PublishError as error:
            # Kept as final already: the retry publishes the same outcome, and sends nothing.
            raise RetriableError("reply outcome not published") from error
        log.info("reply handled", extra={"event_id": str(request.reply_id), "outcome": kind.value,
                                         "reason": reason})

    async def _deliver(self, request: ReplyRequested) -> tuple[ReplyOutcomeKind, str | None]:
        refusal, number = await asyncio.to_thread(self._judge, request)
        if refusal is not None or number is None:
            return await self._final(request, ReplyOutcomeKind.REFUSED, refusal or "unknown_recipient")
        await asyncio.to_thread(self._store.set_reply_state, request.reply_id, "sending", reason=None,
                                at=self._now())
        try:
            await self._texts.send(number, request.body)
        except SendFailed as error:
            return await self._final(request, ReplyOutcomeKind.FAILED, error.reason)
        return await self._final(request, ReplyOutcomeKind.SENT, None)

    def _judge(self, request: ReplyRequested) -> tuple[str | None, str | None]:
        """(why the reply may not go, or None; the number it goes to)."""
        recipient = self._store.recipient(request.recipient_key, now=self._now())
        if recipient is None:
            return "unknown_recipient", None
        if recipient.opted_out:
            return "opted_out", None
        if not recipient.texts_ok:
            return "texts_not_safe", None
        if hotline_names_in(request.body, self._names) - recipient.names:
            return "names_hotline", None
        if recipient.number is None:  # kept no longer than HOTLINE_NUMBER_RETENTION_DAYS
            return "unknown_recipient", None
        return None, recipient.number

    async def _final(self, request: ReplyRequested, kind: ReplyOutcomeKind,
                     reason: str | None) -> tuple[ReplyOutcomeKind, str | None]:
        await asyncio.to_thread(self._store.set_reply_state, request.reply_id, kind.value, reason=reason,
                                at=self._now())
        self._metrics.replies.labels(kind=kind.value, reason=reason or "").inc()
        return kind, reason
