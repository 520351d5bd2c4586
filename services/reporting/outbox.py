"""The relay: publishes what the ledger committed to the outbox, in order, and marks it published.

A crash between the commit and the publish leaves the record unpublished: it goes out after the
restart. A crash between the publish and the mark publishes it again after the restart with the
same event id, which every consumer ignores (at-least-once with idempotent effects, DESIGN 4).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update

from contracts import KafkaRecord, Topic
from services.reporting.db import Database
from services.reporting.models import OutboxRecord
from services.runtime import Publisher, RetriableError

log = logging.getLogger(__name__)

class OutboxRelay:
    def __init__(self, db: Database, publisher: Publisher, *, now: Callable[[], datetime],
                 batch: int = 100, poll_s: float = 0.5) -> None:
        self._db = db
        self._publisher = publisher
        self._now = now
        self._batch = batch
        self._poll_s = poll_s
        self._wake = asyncio.Event()
        self.published = 0

    def wake(self) -> None:
        """Called after a ledger change commits (from any thread): publish now, not at the next poll."""
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self._wake.set)

    _loop: asyncio.AbstractEventLoop | None = None

    async def run(self, stop: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()
        delay = 0.2
        while not stop.is_set():
            try:
                sent = await self.publish_pending()
                delay = 0.2
            except RetriableError as error:
                log.warning("outbox publish failed, retrying", extra={
                    "error_class": type(error).__name__, "backoff_s": delay})
                await _wait(stop, delay)
                delay = min(delay * 2, 10.0)
                continue
            if sent == 0:
                self._wake.clear()
                await _wait_any(stop, self._wake, self._poll_s)

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished records in commit order; how many went out."""
        rows = await asyncio.to_thread(self._pending)
        for row in rows:
            record = KafkaRecord(key=row.key.encode() if row.key is not None else None,
                                 value=row.value.encode("utf-8"),
                                 headers=tuple((name, value.encode("utf-8")) for name, value in row.headers))
            await self._publisher.publish_record(Topic(row.topic), record)
            await asyncio.to_thread(self._mark, row.id)
            self.published += 1
        return len(rows)

    def _pending(self) -> list[OutboxRecord]:
        with self._db.read() as session:
            return list(session.scalars(select(OutboxRecord).where(OutboxRecord.published_at.is_(None))
                                        .order_by(OutboxRecord.id).limit(self._batch)))

    def _mark(self, row_id: int) -> None:
        with self._db.transaction() as session:
            session.execute(update(OutboxRecord).where(OutboxRecord.id == row_id)
                            .values(published_at=self._now()))

    def backlog(self) -> int:
        from sqlalchemy import func

        with self._db.read() as session:
            return session.scalar(select(func.count()).select_from(OutboxRecord)
                                  .where(OutboxRecord.published_at.is_(None))) or 0


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return


async def _wait_any(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
