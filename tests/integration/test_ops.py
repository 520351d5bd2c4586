"""Ops on the real broker: lag that appears and drains, dead letters that reach ops, status and tail."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry

from contracts import CODEC, KafkaRecord, Topic
from contracts.events import OpsEvent, OpsKind, SignalTriaged, UrgentAlert
from services.ops.collect import DLQ_TOPICS, broker_snapshot, folded_state
from services.ops.metrics import OpsMetrics
from services.runtime import (
    ConsumerLoop,
    ConsumerSpec,
    Health,
    KafkaPublisher,
    Message,
    OpsReporter,
    RuntimeMetrics,
    RuntimeSettings,
)
from services.runtime.broker_view import consumer_lag, topic_depths
from services.runtime.tracing import trace_headers
from tests.builders import triaged
from tests.conftest import wait_for
from tests.e2e.processes import REPO
from tests.kafka_reader import read_topic


def _loop(settings: RuntimeSettings, publisher: KafkaPublisher, seen: list[Message], *,
          metrics: RuntimeMetrics, ops: OpsReporter | None = None) -> ConsumerLoop:
    async def handle(message: Message) -> None:
        seen.append(message)

    spec = ConsumerSpec(name="ops-test", topic=Topic.SIGNALS_TRIAGED, group="ops-test.cases", handler=handle,
                        event_type=SignalTriaged)
    return ConsumerLoop(spec, settings=settings, dlq_publisher=publisher, metrics=metrics, health=Health(),
                        ops=ops)


async def _run_until(loop: ConsumerLoop, done: object, what: str) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))
    try:
        await wait_for(done, timeout=30, what=what)  # type: ignore[arg-type]
    finally:
        stop.set()
        await task


def _group_lag(lags: list, group: str) -> int:  # type: ignore[type-arg]
    return sum(p.lag for p in lags if p.group == group)


async def test_lag_appears_while_a_consumer_is_stopped_and_drains_when_it_restarts(
    topics: RuntimeSettings,
) -> None:
    metrics = RuntimeMetrics("test")
    group = topics.group_id("ops-test.cases")
    seen: list[Message] = []
    async with KafkaPublisher(topics, source="/hotline/test", metrics=metrics) as publisher:
        for _ in range(5):
            await publisher.publish(Topic.SIGNALS_TRIAGED, triaged(signal_id=uuid.uuid4()))
        await _run_until(_loop(topics, publisher, seen, metrics=metrics), lambda: len(seen) == 5, "5 applied")
        assert _group_lag(await consumer_lag(topics), group) == 0

        # The consumer is stopped; work keeps arriving.
        for _ in range(7):
            await publisher.publish(Topic.SIGNALS_TRIAGED, triaged(signal_id=uuid.uuid4()))
        lags = await consumer_lag(topics)
        assert _group_lag(lags, group) == 7
        assert {p.topic for p in lags if p.group == group} == {Topic.SIGNALS_TRIAGED}

        # The exported gauge says the same, per partition.
        registry = CollectorRegistry()
        OpsMetrics(registry).observe_broker(await broker_snapshot(topics))
        exported = sum(registry.get_sample_value("hotline_consumer_lag_records",
                                                 {"group": group, "topic": "signals.triaged",
                                                  "partition": str(p)}) or 0 for p in range(6))
        assert exported == 7

        await _run_until(_loop(topics, publisher, seen, metrics=metrics), lambda: len(seen) == 12,
                         "the backlog applied")
    assert _group_lag(await consumer_lag(topics), group) == 0


async def test_a_dead_letter_produces_an_ops_event_and_raises_the_dlq_metric(topics: RuntimeSettings) -> None:
    metrics = RuntimeMetrics("review")
    reporter = OpsReporter("review", health=Health(), metrics=metrics, interval_s=60)
    seen: list[Message] = []
    async with KafkaPublisher(topics, source="/hotline/test", metrics=metrics) as publisher:
        reporter.attach(publisher)
        garbage = KafkaRecord(key=b"k", value=b"{not json", headers=(("ce_id", b"bad-1"),))
        delivery = await publisher.publish_record(Topic.SIGNALS_TRIAGED, garbage)
        await publisher.publish(Topic.SIGNALS_TRIAGED, triaged())
        await _run_until(_loop(topics, publisher, seen, metrics=metrics, ops=reporter),
                         lambda: len(seen) == 1, "the good record applied")
        await reporter.close()

    records = await read_topic(topics, Topic.OPS_EVENTS, 2, timeout=30)
    events = [CODEC.decode_as(OpsEvent, r.value, r.headers) for r in records]
    assert sorted(e.kind for e in events) == [OpsKind.DEAD_LETTER, OpsKind.STOPPING]
    [event] = [e for e in events if e.kind is OpsKind.DEAD_LETTER]
    assert (event.kind, event.service, event.topic, event.partition, event.offset) == (
        OpsKind.DEAD_LETTER, "review", "signals.triaged", delivery.partition, delivery.offset)
    assert event.record_id == "bad-1" and event.error_class is not None
    assert metrics.registry.get_sample_value(
        "hotline_dead_letters_total",
        {"topic": "signals.triaged", "group": topics.group_id("ops-test.cases"),
         "error_class": event.error_class}) == 1

    depths = {d.topic: d.records for d in await topic_depths(topics, DLQ_TOPICS)}
    assert depths[Topic.SIGNALS_TRIAGED_DLQ] == 1
    assert sum(depths.values()) == 1
    registry = CollectorRegistry()
    OpsMetrics(registry).observe_broker(await broker_snapshot(topics))
    assert registry.get_sample_value("hotline_dlq_records", {"topic": "signals.triaged.dlq"}) == 1
    assert registry.get_sample_value("hotline_dlq_records", {"topic": "signals.received.dlq"}) == 0


def _alert(signal_id: uuid.UUID, raised_at: datetime) -> UrgentAlert:
    example = json.loads((REPO / "contracts/examples/org.hotline.alert.urgent.v1.json").read_text())["value"]
    return UrgentAlert.model_validate({**example, "signal_id": str(signal_id),
                                       "raised_at": raised_at.isoformat()})


async def _cli(settings: RuntimeSettings, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "HOTLINE_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
           "HOTLINE_TOPIC_PREFIX": settings.topic_prefix}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.ops.cli", *args, cwd=REPO, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_status_and_tail_show_liveness_dead_letters_and_the_oldest_unanswered_alert(
    topics: RuntimeSettings,
) -> None:
    metrics = RuntimeMetrics("t")
    old, answered = uuid.uuid4(), uuid.uuid4()
    async with KafkaPublisher(topics, source="/hotline/test", metrics=metrics) as publisher:
        health = Health()
        health.set("http", ready=True, detail="up")
        webform = OpsReporter("intake-webform", health=health, metrics=metrics, interval_s=60)
        webform.attach(publisher, spool=lambda: (3, 10_000))
        await webform.heartbeat()
        now = datetime.now(UTC)
        await publisher.publish(Topic.ALERTS_URGENT, _alert(old, now - timedelta(minutes=12)))
        await publisher.publish(Topic.ALERTS_URGENT, _alert(answered, now - timedelta(minutes=30)))
        # Review answers the second one (decisions are keyed by signal id).
        await publisher.publish_record(Topic.REVIEW_DECISIONS, KafkaRecord(
            key=str(answered).encode(), value=b"{}",
            headers=tuple(trace_headers(Topic.REVIEW_DECISIONS, now=now))))
        await publisher.publish_record(Topic.SIGNALS_RECEIVED_DLQ,
                                       KafkaRecord(key=None, value=b"x", headers=()))

    state = await folded_state(topics, history=timedelta(minutes=5), timeout_s=30)
    assert [str(s) for s, _ in state.unacknowledged(datetime.now(UTC))] == [str(old)]

    code, out, err = await _cli(topics, "status", "--json")
    assert code == 1, err  # an urgent alert waiting 12 minutes needs a person
    status = json.loads(out)
    assert status["services"]["intake-webform"]["state"] == "up"
    assert status["services"]["intake-webform"]["spool_records"] == 3
    assert status["urgent_unacknowledged"] == 1
    assert status["oldest_unacknowledged"]["signal_id"] == str(old)
    assert status["oldest_unacknowledged"]["age_s"] >= 12 * 60
    assert status["dead_letters"]["signals.received.dlq"] == 1

    code, out, err = await _cli(topics, "status", "--color", "never")
    assert code == 1, err
    assert "intake-webform" in out and "spool 3/10000" in out
    assert status["oldest_unacknowledged"]["reference_number"] in out  # what a supervisor can search for

    code, out, err = await _cli(topics, "tail", "--no-follow", "--json", "--kind", "spool_depth")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(e["service"], e["kind"], e["value"]) for e in lines] == [("intake-webform", "spool_depth", 3.0)]

    code, out, err = await _cli(topics, "tail", "--no-follow", "--severity", "warning", "--color", "never")
    assert code == 0 and out == "", (out, err)  # a ready heartbeat and a small spool are info only
