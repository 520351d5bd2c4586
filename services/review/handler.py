"""Applying a ``signals.triaged`` record to the case store."""

from __future__ import annotations

import logging

from contracts.events import SignalTriaged
from services.review.store import CaseStore
from services.runtime import InvalidMessage, Message

log = logging.getLogger(__name__)


async def record_triaged(message: Message, *, store: CaseStore) -> None:
    if not isinstance(message.event, SignalTriaged):
        raise InvalidMessage(f"review reads SignalTriaged, got {message.envelope.type}")
    applied = await store.apply_triaged(message.envelope.id, message.event)
    log.info("case recorded" if applied else "duplicate event ignored", extra={
        "event_id": message.envelope.id, "signal_id": str(message.event.signal_id),
        "urgency": message.event.urgency.value, "topic": message.topic.value,
        "partition": message.partition, "offset": message.offset})
