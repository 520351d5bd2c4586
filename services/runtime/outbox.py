"""The transactional outbox's relay: publishes what a service committed to its outbox table, in
order, and marks it published.

A service writes its events in the same database transaction as the change that caused them (a
review decision, a ledger step), so the database and Kafka never disagree. A crash between the
commit and the publish leaves the record unpublished: it goes out after the restart. A crash
between the publish and the mark publishes it again after the restart with the same event id,
which every consumer ignores (at-least-once with idempotent effects, DESIGN 4).

The outbox table is the service's own model with the columns ``id`` (ordering), ``topic``,
``key``, ``value`` (the encoded JSON), ``headers`` ([[name, text], ...]) and ``published_at``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import InterfaceError, OperationalError

from contracts import KafkaRecord, Topic
from services.runtime.errors import BrokerUnavailable, RetriableError
from services.runtime.publisher import Publisher
from services.runtime.sql import Database

log = logging.getLogger(__name__)

class OutboxRelay:
    def __init__(self, db: Database, publisher: Publisher, *, model: Any, now: Callable[[], datetime],
                 batch: int = 100, poll_s: float = 1.0) -> None:
        self._db = db
        self._model = model
        self._publisher = publisher
        self._now = now
        self._batch = batch
        self._poll_s = poll_s
        self._wake = asyncio.Event()
        self.published = 0

    def wake(self) -> None:
        """Called after a change commits (from any thread): publish now rather than at the next poll."""
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(self._wake.set)

    _loop: asyncio.AbstractEventLoop | None = None

    async def run(self, stop: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()
        delay = 0.2
        database_away = False
        while not stop.is_set():
            try:
                sent = await self.publish_pending()
                delay = 0.2
                if database_away:
                    database_away = False
                    log.info("outbox: database reachable again")
            except (OperationalError, InterfaceError) as error:
                # The database restarting or failing over: what is committed stays committed, so
                # the relay waits for it (a line per outage, not per try) rather than ending the
                # service; a record published but not yet marked goes out again with its event id.
                if not database_away:
                    database_away = True
                    log.warning("outbox: database unreachable, retrying",
                                extra={"error_class": type(error).__name__})
                await _wait(stop, delay)
                delay = min(delay * 2, 10.0)
                continue
            except RetriableError as error:
                if not isinstance(error, BrokerUnavailable):  # the publisher told the broker link
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

    def _pending(self) -> list[Any]:
        model = self._model
        with self._db.read() as session:
            return list(session.scalars(select(model).where(model.published_at.is_(None))
                                        .order_by(model.id).limit(self._batch)))

    def _mark(self, row_id: int) -> None:
        with self._db.transaction() as session:
            session.execute(update(self._model).where(self._model.id == row_id)
                            .values(published_at=self._now()))

    def backlog(self) -> int:
        from sqlalchemy import func

        with self._db.read() as session:
            return session.scalar(select(func.count()).select_from(self._model)
                                  .where(self._model.published_at.is_(None))) or 0


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
