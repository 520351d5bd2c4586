"""The review service's outbox writes: an event becomes a row in the transaction of the change it tells of."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy.orm import Session

from contracts import CODEC, Event, Topic
from services.review.models import OutboxRecord
from services.runtime.tracing import trace_headers

SOURCE: Final = "/hotline/review"


def enqueue(session: Session, topic: Topic, event: Event, *, now: datetime) -> None:
    """Add ``event`` to the outbox within ``session``: it is published after the commit, or never if the
    transaction rolls back. The row's id is topic-qualified, so a repeat of the same event is refused."""
    # The trace starts here (a "create" span), not when the relay publishes the row later.
    record = CODEC.encode(event, source=SOURCE, extra_headers=trace_headers(topic, now=now))
    session.add(OutboxRecord(
        event_id=f"{topic.value}:{record.event_id}", topic=topic.value,
        key=record.key.decode() if record.key is not None else None,
        value=record.value.decode("utf-8"),
        headers=[[name, value.decode("utf-8")] for name, value in record.headers],
        created_at=now, published_at=None))
