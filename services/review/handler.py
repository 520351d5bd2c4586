"""Applying ``signals.received``, ``signals.triaged``, ``alerts.urgent``, ``reports.outcomes`` and
``replies.outcomes`` records to the case store."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from sqlalchemy.exc import IntegrityError, OperationalError

from contracts.events import ReplyOutcome, ReportOutcome, SignalReceived, SignalTriaged, Urgency, UrgentAlert
from services.review.cases import CaseChange, CaseStore, Streamed
from services.review.live import LivePublisher
from services.review.writer_turns import WriterTurns
from services.runtime import InvalidMessage, Message, RetriableError
from services.runtime.tracing import annotate, finished_span, span

log = logging.getLogger(__name__)


def live_message(change: CaseChange) -> dict[str, object]:
    """What open queue pages are told of an applied change. ``urgent``: an urgent alert (or an
    exhausted chain) was applied; ``announce``: the page calls for attention (title, sound),
    decided here so that the page holds no rule of its own about which urgencies are urgent."""
    announce = change.urgent_alert or (change.created and Urgency(change.urgency).is_urgent)
    return {"type": "case", "case_id": str(change.case_id), "reference_number": change.reference_number,
            "urgency": change.urgency, "created": change.created, "urgent": change.urgent_alert,
            "announce": announce}


class CaseWriter:
    """One writer per process (SQLite has one anyway): applies are serialised, urgent alerts
    before waiting batches (``WriterTurns``); a conflict with another replica (the same case
    created twice at once) is retried by the consumer loop."""

    def __init__(self, store: CaseStore, live: LivePublisher) -> None:
        self._store = store
        self._live = live
        self._turns = WriterTurns()

    async def received(self, message: Message) -> None:
        event = message.event
        if not isinstance(event, SignalReceived):
            raise InvalidMessage(f"review reads SignalReceived here, got {message.envelope.type}")
        await self._apply(message, lambda: self._store.apply_received(message.envelope.id, event))

    async def triaged(self, message: Message) -> None:
        event = message.event
        if not isinstance(event, SignalTriaged):
            raise InvalidMessage(f"review reads SignalTriaged here, got {message.envelope.type}")
        await self._apply(message, lambda: self._store.apply_triaged(message.envelope.id, event))

    async def alert(self, message: Message) -> None:
        event = message.event
        if not isinstance(event, UrgentAlert):
            raise InvalidMessage(f"review reads UrgentAlert here, got {message.envelope.type}")
        await self._apply(message, lambda: self._store.apply_alert(message.envelope.id, event), urgent=True)

    async def outcome(self, message: Message) -> None:
        event = message.event
        if not isinstance(event, ReportOutcome):
            raise InvalidMessage(f"review reads ReportOutcome here, got {message.envelope.type}")
        await self._apply(message, lambda: self._store.apply_outcome(message.envelope.id, event))

    async def reply_outcome(self, message: Message) -> None:
        event = message.event
        if not isinstance(event, ReplyOutcome):
            raise InvalidMessage(f"review reads ReplyOutcome here, got {message.envelope.type}")
        await self._apply(message, lambda: self._store.apply_reply_outcome(message.envelope.id, event))

    # The heavy streams also apply in batches: one transaction for a poll's records (the consumer
    # loop falls back to the methods above, record by record, when a batch is refused).

    async def received_batch(self, messages: Sequence[Message]) -> None:
        await self._apply_batch(messages, SignalReceived)

    async def triaged_batch(self, messages: Sequence[Message]) -> None:
        await self._apply_batch(messages, SignalTriaged)

    async def alert_batch(self, messages: Sequence[Message]) -> None:
        await self._apply_batch(messages, UrgentAlert)

    async def _apply_batch(self, messages: Sequence[Message], kind: type[Streamed]) -> None:
        events: list[tuple[str, Streamed]] = []
        for message in messages:
            if not isinstance(message.event, kind):
                raise InvalidMessage(f"review reads {kind.__name__} here, got {message.envelope.type}")
            events.append((message.envelope.id, message.event))
        if not messages:
            return
        started = time.time_ns()
        async with self._turns.turn(urgent=kind is UrgentAlert):
            try:
                changes = await asyncio.to_thread(self._store.apply_batch, messages[0].topic.value, events)
            except (IntegrityError, OperationalError) as error:
                raise RetriableError(f"case store: {type(error).__name__}") from error
        # Committed: now each record's trace, log line and live push, as when applied alone.
        for message, change in zip(messages, changes, strict=True):
            if message.trace is None:
                self._applied(message, change)
                continue
            finished_span("review apply", message.trace, started_ns=started, attributes={
                "cloudevents.event_type": message.envelope.type,
                "hotline.signal_id": str(getattr(message.event, "signal_id", "")),
                "hotline.outcome": "applied" if change else "duplicate",
                "hotline.case_id": str(change.case_id) if change else None})
            with message.trace.current():  # the record's log line carries its own trace id
                self._applied(message, change)

    async def _apply(self, message: Message, apply: Callable[[], CaseChange | None], *,
                     urgent: bool = False) -> None:
        event = message.event
        with span("review apply", {"cloudevents.event_type": message.envelope.type,
                                   "hotline.signal_id": str(getattr(event, "signal_id", ""))}) as applying:
            async with self._turns.turn(urgent=urgent):
                try:
                    change = await asyncio.to_thread(apply)
                except (IntegrityError, OperationalError) as error:
                    raise RetriableError(f"case store: {type(error).__name__}") from error
            annotate(applying, {"hotline.outcome": "applied" if change else "duplicate",
                                "hotline.case_id": str(change.case_id) if change else None})
        self._applied(message, change)

    def _applied(self, message: Message, change: CaseChange | None) -> None:
        log.info("case updated" if change else "duplicate event ignored", extra={
            "event_id": message.envelope.id, "topic": message.topic.value, "partition": message.partition,
            "offset": message.offset, "reference_number": change.reference_number if change else None})
        if change is not None:
            self._live.publish(live_message(change))
