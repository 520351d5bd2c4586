"""Killing the review consumer mid-stream loses nothing and applies nothing twice."""

from __future__ import annotations

import signal
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts import Topic, physical_name
from contracts.reference_numbers import reference_for
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from tests.builders import triaged
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess

pytestmark = pytest.mark.e2e

COUNT = 400


def cases(db: Path) -> list[tuple[str, int]]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        try:
            # Each case is created (version 1) and refreshed by its one triage (version 2).
            return [(str(uuid.UUID(signal_id)), version) for signal_id, version in conn.execute(
                "SELECT s.signal_id, c.version FROM signals s JOIN cases c ON c.id = s.case_id").fetchall()]
        except sqlite3.OperationalError:  # the service has not created its tables yet
            return []


def applied_events(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM applied_events").fetchone()[0])


async def publish_triaged(settings: RuntimeSettings, count: int) -> set[str]:
    events = []
    for _ in range(count):
        signal_id = uuid.uuid4()
        events.append(triaged(signal_id=signal_id, reference_number=reference_for(str(signal_id), b"t")))
    async with KafkaPublisher(settings, source="/hotline/triage", metrics=RuntimeMetrics("t")) as publisher:
        for event in events:
            await publisher.publish(Topic.SIGNALS_TRIAGED, event)
    return {str(e.signal_id) for e in events}


async def rewind_group(settings: RuntimeSettings, group: str) -> None:
    """Commit offset 0 for every partition: as if every commit of the group had been lost."""
    name = physical_name(Topic.SIGNALS_TRIAGED, settings.topic_prefix)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([name])
    finally:
        await admin.close()
    tps = [TopicPartition(name, p["partition"]) for p in described["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap,
                                group_id=settings.group_id(group), enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.commit({tp: 0 for tp in tps})
    finally:
        await consumer.stop()


async def test_kill_mid_stream_then_restart_loses_nothing_and_applies_nothing_twice(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    db = tmp_path / "review.sqlite3"
    sent = await publish_triaged(topics, COUNT)

    # Review kills itself (SIGKILL: no shutdown, no final commit) once its store has committed an
    # eighth of the records, before their offsets are committed: mid-stream whatever the machine's speed.
    go = tmp_path / "go"
    first = launch("tests.e2e.review_killed_mid_stream", HOTLINE_REVIEW_DATABASE_URL=f"sqlite:///{db}",
                   HOTLINE_HTTP_PORT="0", REVIEW_TEST_KILL_AFTER=str(COUNT // 8), REVIEW_TEST_GO=str(go))
    go.touch()
    assert first.process is not None
    await wait_for(lambda: first.process.poll() is not None, timeout=60, what="the kill mid-stream")
    assert first.process.returncode == -signal.SIGKILL
    applied_before_kill = len(cases(db))
    assert COUNT // 8 <= applied_before_kill < COUNT, "the kill came too late to be mid-stream"

    second = launch("services.review", HOTLINE_REVIEW_DATABASE_URL=f"sqlite:///{db}", HOTLINE_HTTP_PORT="0")
    await wait_for(lambda: len(cases(db)) == COUNT, timeout=60, what="every case after the restart")
    rows = cases(db)
    assert {signal_id for signal_id, _ in rows} == sent
    assert {version for _, version in rows} == {2}, "an event was applied twice"
    assert applied_events(db) == COUNT
    assert second.terminate() == 0


async def test_a_full_redelivery_is_absorbed_by_the_idempotent_store(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    db = tmp_path / "review.sqlite3"
    await publish_triaged(topics, 50)
    first = launch("services.review", HOTLINE_REVIEW_DATABASE_URL=f"sqlite:///{db}", HOTLINE_HTTP_PORT="0")
    await wait_for(lambda: len(cases(db)) == 50, what="50 cases")
    assert first.terminate() == 0

    await rewind_group(topics, "review.cases")
    second = launch("services.review", HOTLINE_REVIEW_DATABASE_URL=f"sqlite:///{db}", HOTLINE_HTTP_PORT="0")

    def duplicates_ignored() -> int:
        return sum(1 for line in second.log_lines() if line.get("msg") == "duplicate event ignored")

    await wait_for(lambda: duplicates_ignored() == 50, what="all 50 redelivered and ignored")
    assert {version for _, version in cases(db)} == {2}
    assert applied_events(db) == 50
    assert second.terminate() == 0
