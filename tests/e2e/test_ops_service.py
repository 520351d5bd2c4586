"""The ops service as a process on the real broker: what its metrics say about a running system."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from contracts import KafkaRecord, Topic
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from tests.builders import triaged
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess


async def _samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.mark.e2e
async def test_ops_exports_heartbeats_lag_and_an_injected_dead_letter(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    review = launch("services.review", HOTLINE_REVIEW_DATABASE_URL=f"sqlite:///{tmp_path / 'review.sqlite3'}",
                    HOTLINE_HTTP_PORT="0",
                    HOTLINE_HEARTBEAT_S="1")
    ops = launch("services.ops", HOTLINE_OPS_POLL_S="1", HOTLINE_HEARTBEAT_S="1")
    group = topics.group_id("review.cases")

    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        await publisher.publish(Topic.SIGNALS_TRIAGED, triaged())
        await publisher.publish_record(Topic.SIGNALS_TRIAGED, KafkaRecord(
            key=b"poison", value=b"\x00 not an event", headers=(("ce_id", b"poison-1"),)))

    async def dead_letter_seen() -> bool:
        s = await _samples(ops.ops_port)
        return (s.get(("hotline_dlq_records", (("topic", "signals.triaged.dlq"),))) == 1
                and s.get(("hotline_ops_events_total", (("kind", "dead_letter"), ("service", "review"),
                                                        ("severity", "warning")))) == 1)

    await wait_for(dead_letter_seen, timeout=60, interval=0.5, what="the dead letter in the ops metrics")
    samples = await _samples(ops.ops_port)
    beats = {dict(labels)["service"] for (name, labels), _ in samples.items()
             if name == "hotline_service_last_heartbeat_timestamp_seconds"}
    assert {"review", "ops"} <= beats
    lag = sum(v for (name, labels), v in samples.items()
              if name == "hotline_consumer_lag_records" and dict(labels)["group"] == group)
    assert lag == 0  # review applied one record and dead-lettered the other: nothing left to read
    assert samples[("hotline_urgent_unacknowledged", ())] == 0

    # Review stops; new work piles up as lag in the ops metrics.
    assert review.terminate() == 0
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        for _ in range(4):
            await publisher.publish(Topic.SIGNALS_TRIAGED, triaged(signal_id=uuid.uuid4()))

    async def lag_of_four() -> bool:
        s = await _samples(ops.ops_port)
        return sum(v for (name, labels), v in s.items()
                   if name == "hotline_consumer_lag_records" and dict(labels)["group"] == group) == 4

    await wait_for(lag_of_four, timeout=60, interval=0.5, what="lag 4 for the stopped review group")
    assert ops.terminate() == 0
