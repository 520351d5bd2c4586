"""The outbox relay waits out its database: a restart or failover is retried, never the end of the service."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from contracts import Topic
from services.review.db import Database, migrate
from services.review.models import OutboxRecord
from services.runtime import InMemoryPublisher
from services.runtime.outbox import OutboxRelay
from tests.conftest import wait_for

pytestmark = pytest.mark.unit


def _add(db: Database, event_id: str) -> None:
    with db.transaction() as session:
        session.add(OutboxRecord(event_id=event_id, topic=Topic.OPS_EVENTS.value, key="review", value="{}",
                                 headers=[["ce_id", event_id]], created_at=datetime.now(UTC)))


async def test_a_database_outage_is_waited_out_and_the_records_go_out_after_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    migrate(url)
    db = Database(url)
    publisher = InMemoryPublisher()
    await publisher.start()
    relay = OutboxRelay(db, publisher, model=OutboxRecord, now=lambda: datetime.now(UTC), poll_s=0.05)
    reads = relay._pending
    outage = {"failures": 3}

    def pending() -> list[object]:
        if outage["failures"]:  # as psycopg answers while PostgreSQL restarts
            outage["failures"] -= 1
            raise OperationalError("SELECT", {}, Exception("the database system is shutting down"))
        return reads()

    monkeypatch.setattr(relay, "_pending", pending)
    _add(db, "first")
    stop = asyncio.Event()
    caplog.set_level(logging.INFO, logger="services.runtime.outbox")
    running = asyncio.create_task(relay.run(stop))
    try:
        await wait_for(lambda: len(publisher.records(Topic.OPS_EVENTS)) == 1, timeout=30,
                       what="the record published once the database is back")
        assert not running.done()
        _add(db, "second")
        relay.wake()
        await wait_for(lambda: len(publisher.records(Topic.OPS_EVENTS)) == 2, what="later records too")
    finally:
        stop.set()
        await running
        db.dispose()
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("outbox: database unreachable, retrying") == 1  # a line per outage, not per try
    assert messages.count("outbox: database reachable again") == 1
