"""The retention purge as review's periodic task, on PostgreSQL: one replica at a time (the advisory
lock), counted for Prometheus, and stopped with the service."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from prometheus_client import CollectorRegistry

from services.review.cases import CaseStore
from services.review.db import SCHEMA, Database
from services.review.decisions import Decisions
from services.review.purge import PURGE_LOCK, Purge
from services.review.retention_job import PurgeMetrics, purge_once, retention_purge
from services.runtime.blobs import BlobStore
from services.runtime.sql import advisory_lock
from tests.databases import migrated
from tests.unit import test_review_retention as suite
from tests.unit.test_review_retention import NOW, Clock, a_case, close, signal_of

pytestmark = pytest.mark.postgres

clock = suite.clock
blobs = suite.blobs
store = suite.store
decisions = suite.decisions
purge = suite.purge


@pytest.fixture
def db(postgres_url: str) -> Iterator[Database]:
    yield from migrated(SCHEMA, postgres_url)


def test_a_run_waits_its_turn_while_another_replica_purges(
        db: Database, store: CaseStore, decisions: Decisions, purge: Purge, blobs: BlobStore,
        clock: Clock) -> None:
    case_id = a_case(store, blobs)
    close(decisions, case_id)
    clock.now = NOW + timedelta(days=4000)
    stop = asyncio.Event()
    with advisory_lock(db.engine, PURGE_LOCK) as held:  # another replica's run
        assert held
        assert purge_once(purge, stop) is None
    assert signal_of(db, case_id).narrative is not None
    result = purge_once(purge, stop)
    assert result is not None and result.cases == 1
    assert signal_of(db, case_id).narrative is None


async def test_the_periodic_task_purges_counts_and_stops(
        db: Database, store: CaseStore, decisions: Decisions, blobs: BlobStore, clock: Clock) -> None:
    case_id = a_case(store, blobs)
    close(decisions, case_id)
    clock.now = NOW + timedelta(days=4000)
    registry = CollectorRegistry()
    metrics = PurgeMetrics(registry)
    purge = Purge(db, suite.Schedule.from_days(suite.DEFAULT_DAYS), [blobs.root], now=clock,
                  on_purged=metrics.purged)
    stop = asyncio.Event()
    task = asyncio.create_task(retention_purge(purge, 3600, metrics, stop))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while registry.get_sample_value("hotline_review_purge_last_success_timestamp_seconds") in (None, 0.0):
        assert loop.time() < deadline, "the purge never ran"
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 30)
    assert registry.get_sample_value("hotline_review_purged_items_total", {"data_class": "narrative"}) == 1
    assert registry.get_sample_value("hotline_review_purged_items_total", {"data_class": "attachments"}) == 1
    assert signal_of(db, case_id).narrative is None
