"""Removing review's outbox rows once published and past the shortest retention period: a row is
the event as sent (a reply's words and the texter's key among them), and Kafka's copy is gone
within its topic's retention, so the database must not keep it longer than the case would."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from services.review.db import Database
from services.review.models import OutboxRecord

__all__ = ["prune_published"]


def prune_published(db: Database, before: datetime, *, batch: int = 500) -> int:
    """Delete rows published before ``before``, ``batch`` per transaction; returns how many.
    Unpublished rows are never touched: the relay still owes them to Kafka."""
    removed = 0
    while True:
        with db.transaction() as session:
            ids = list(session.scalars(select(OutboxRecord.id)
                                       .where(OutboxRecord.published_at.is_not(None),
                                              OutboxRecord.published_at < before)
                                       .order_by(OutboxRecord.id).limit(batch)))
            if ids:
                session.execute(delete(OutboxRecord).where(OutboxRecord.id.in_(ids)))
        removed += len(ids)
        if len(ids) < batch:
            return removed
