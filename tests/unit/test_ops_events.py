"""Ops events, trace context and the ops fold: what services report and what ops makes of it."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from contracts import CODEC, DecodeError, KafkaRecord, Topic
from contracts.events import OpsEvent, OpsKind, Severity, UrgentAlert
from contracts.ids import derive_id
from contracts.tracing import H_INGESTED_AT
from services.ops.collect import BrokerSnapshot
from services.ops.render import event_json, event_line, status_data, status_text
from services.ops.state import OpsState
from services.runtime import (
    BrokerRecord,
    BrokerUnavailable,
    DeadLetterer,
    Health,
    InMemoryPublisher,
    OpsReporter,
    RuntimeMetrics,
)
from services.runtime.broker_view import PartitionLag, TopicDepth
from services.runtime.structured_logging import JsonFormatter
from services.runtime.tracing import (
    consuming,
    current_trace_id,
    ingestion_age_s,
    span_context_of,
    trace_headers,
)
from tests.builders import triaged
from tests.e2e.processes import REPO

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


# ------------------------------------------------------------------ trace context

def test_a_trace_is_started_once_and_continued_with_a_new_span() -> None:
    first = trace_headers(Topic.SIGNALS_RECEIVED, now=NOW)
    started = span_context_of(first)
    assert started is not None and dict(first)[H_INGESTED_AT] == str(int(NOW.timestamp() * 1000)).encode()
    with consuming(Topic.SIGNALS_RECEIVED, first, group="triage", partition=0, offset=0):
        second = trace_headers(Topic.SIGNALS_TRIAGED, now=NOW + timedelta(hours=1))
    child = span_context_of(second)
    assert child is not None and child.trace_id == started.trace_id and child.span_id != started.span_id
    assert dict(second)[H_INGESTED_AT] == dict(first)[H_INGESTED_AT]  # the intake's time, kept
    assert ingestion_age_s(second, now=NOW + timedelta(seconds=2)) == pytest.approx(2.0)


async def test_published_events_continue_the_trace_of_the_record_being_handled() -> None:
    publisher = InMemoryPublisher()
    await publisher.start()
    await publisher.publish(Topic.SIGNALS_TRIAGED, triaged())
    [first] = publisher.records(Topic.SIGNALS_TRIAGED)
    origin = span_context_of(first.record.headers)
    assert origin is not None and H_INGESTED_AT in dict(first.record.headers)
    with consuming(Topic.SIGNALS_TRIAGED, first.record.headers, group="triage", partition=0, offset=0):
        await publisher.publish(Topic.SIGNALS_TRIAGED, triaged(signal_id=uuid.uuid4()))
    second = next(r for r in publisher.records(Topic.SIGNALS_TRIAGED)
                  if (r.partition, r.offset) != (first.partition, first.offset))
    continued = span_context_of(second.record.headers)
    assert continued is not None and continued.trace_id == origin.trace_id
    assert dict(second.record.headers)[H_INGESTED_AT] == dict(first.record.headers)[H_INGESTED_AT]


def test_log_lines_carry_the_trace_id_of_the_record_being_handled() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("review"))
    log = logging.getLogger("tests.trace")
    log.addHandler(handler)
    try:
        headers = trace_headers(Topic.SIGNALS_RECEIVED, now=NOW)
        with consuming(Topic.SIGNALS_RECEIVED, headers, group="triage", partition=0, offset=0):
            trace_id = current_trace_id()
            log.warning("case recorded")
        log.warning("outside")
    finally:
        log.removeHandler(handler)
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    context = span_context_of(headers)
    assert context is not None and inside["trace_id"] == trace_id == f"{context.trace_id:032x}"
    assert "trace_id" not in outside


# ------------------------------------------------------------------ reporting

async def _reporter(ready: bool = True) -> tuple[OpsReporter, InMemoryPublisher, RuntimeMetrics]:
    publisher = InMemoryPublisher(source="/hotline/intake-webform")
    await publisher.start()
    health = Health()
    health.set("http", ready=ready, detail="x")
    metrics = RuntimeMetrics("intake-webform")
    return OpsReporter("intake-webform", health=health, metrics=metrics, interval_s=60), publisher, metrics


def _ops(publisher: InMemoryPublisher) -> list[OpsEvent]:
    return [CODEC.decode_as(OpsEvent, r.record.value, r.record.headers)
            for r in publisher.records(Topic.OPS_EVENTS)]


@pytest.mark.parametrize(("depth", "severity"), [(10, Severity.INFO), (5_000, Severity.WARNING),
                                                  (9_500, Severity.CRITICAL)])
async def test_a_heartbeat_reports_readiness_and_the_spool_depth(depth: int, severity: Severity) -> None:
    reporter, publisher, _ = await _reporter()
    reporter.attach(publisher, spool=lambda: (depth, 10_000))
    await reporter.heartbeat()
    beat, spool = _ops(publisher)
    assert (beat.kind, beat.ready, beat.severity) == (OpsKind.HEARTBEAT, True, Severity.INFO)
    assert (spool.kind, spool.value, spool.capacity, spool.severity) == (
        OpsKind.SPOOL_DEPTH, depth, 10_000, severity)
    assert beat.event_id() != spool.event_id()  # per-instance sequence numbers


def test_an_escalation_id_is_one_per_case_and_level_and_the_same_on_a_retry() -> None:
    def escalation(case: str, level: int) -> OpsEvent:
        return OpsEvent(service="review", instance="review-sla", kind=OpsKind.ESCALATION,
                        severity=Severity.CRITICAL, occurred_at=NOW, sequence=level, record_id=case,
                        signal_id=uuid.uuid5(uuid.NAMESPACE_URL, case))

    cases = [str(uuid.uuid4()) for _ in range(3)]
    ids = {escalation(case, level).event_id() for case in cases for level in (1, 2)}
    assert len(ids) == 6
    retry = escalation(cases[0], 1).model_copy(update={"occurred_at": NOW + timedelta(seconds=5)})
    assert retry.event_id() == escalation(cases[0], 1).event_id()
    # Events that name no record keep the ids they always had (per instance and sequence).
    beat = OpsEvent(service="review", instance="abcd1234", kind=OpsKind.HEARTBEAT,
                    severity=Severity.INFO, occurred_at=NOW, sequence=3)
    assert beat.event_id() == str(derive_id("ops.event", "review", "abcd1234", "heartbeat", "3"))


async def test_a_not_ready_process_beats_with_a_warning() -> None:
    reporter, publisher, _ = await _reporter(ready=False)
    reporter.attach(publisher)
    await reporter.heartbeat()
    [beat] = _ops(publisher)
    assert (beat.ready, beat.severity) == (False, Severity.WARNING)


async def test_an_ops_event_that_cannot_be_published_is_counted_never_raised() -> None:
    reporter, publisher, metrics = await _reporter()
    assert await reporter.emit(reporter.event(OpsKind.HEARTBEAT)) is False  # nothing attached yet
    reporter.attach(publisher)
    publisher.fail_next(BrokerUnavailable("down"))
    assert await reporter.emit(reporter.event(OpsKind.HEARTBEAT)) is False
    assert metrics.registry.get_sample_value("hotline_ops_events_published_total",
                                             {"kind": "heartbeat", "result": "failed"}) == 1
    assert metrics.registry.get_sample_value("hotline_ops_events_published_total",
                                             {"kind": "heartbeat", "result": "no_publisher"}) == 1
    # Routine reports pause after a failure (the shared producer is not kept busy); a dead letter
    # is still attempted.
    assert await reporter.emit(reporter.event(OpsKind.HEARTBEAT)) is False
    assert metrics.registry.get_sample_value("hotline_ops_events_published_total",
                                             {"kind": "heartbeat", "result": "paused"}) == 1
    assert await reporter.emit(reporter.event(OpsKind.DEAD_LETTER, Severity.WARNING)) is True


async def test_close_says_stopping_and_ends_the_heartbeats() -> None:
    reporter, publisher, _ = await _reporter()
    reporter.attach(publisher)
    stop = asyncio.Event()
    beating = asyncio.create_task(reporter.run(stop))
    for _ in range(500):
        if len(publisher.records(Topic.OPS_EVENTS)) >= 2:
            break
        await asyncio.sleep(0.01)
    await reporter.close()
    stop.set()
    await beating
    assert [e.kind for e in _ops(publisher)] == [OpsKind.STARTED, OpsKind.HEARTBEAT, OpsKind.STOPPING]


async def test_a_dead_letter_is_reported_by_ids_and_a_halt_as_critical() -> None:
    reporter, publisher, metrics = await _reporter()
    reporter.attach(publisher)
    letters = DeadLetterer(topic=Topic.SIGNALS_RECEIVED, group="triage", publisher=publisher,
                           metrics=metrics, max_consecutive=1, ops=reporter)
    failed = BrokerRecord(topic=Topic.SIGNALS_RECEIVED, partition=3, offset=99, key=b"k",
                          value=b"Maria was taken, call 555-0100", headers=(("ce_id", b"e-1"),))
    await letters.send(failed, DecodeError("value is not valid JSON"), attempts=0)
    with pytest.raises(Exception, match="halting"):
        await letters.send(failed, DecodeError("again"), attempts=0)
    await reporter.close()
    events = _ops(publisher)
    dead, halted = (e for e in events if e.kind is not OpsKind.STOPPING)
    assert (dead.kind, dead.severity, dead.topic, dead.partition, dead.offset, dead.record_id) == (
        OpsKind.DEAD_LETTER, Severity.WARNING, "signals.received", 3, 99, "e-1")
    assert (halted.kind, halted.severity) == (OpsKind.CONSUMER_HALTED, Severity.CRITICAL)
    # The same record dead-lettered again after a crash is the same ops event.
    assert dead.event_id() == dead.model_copy(update={"instance": "another", "sequence": 7}).event_id()
    for record in publisher.records(Topic.OPS_EVENTS):
        # The number as written, not "555" alone: an instance id or a timestamp may contain those digits.
        assert b"Maria" not in record.record.value and b"555-0100" not in record.record.value


# ------------------------------------------------------------------ the fold and the screen

def _record(topic: Topic, event: object | None = None, *, key: bytes | None = None,
            value: bytes | None = None) -> BrokerRecord:
    if event is not None:
        encoded = CODEC.encode(event, source="/hotline/test")  # type: ignore[arg-type]
        return BrokerRecord(topic, 0, 0, encoded.key, encoded.value, encoded.headers, timestamp_ms=0)
    return BrokerRecord(topic, 0, 0, key, value, (), timestamp_ms=0)


def _beat(service: str, at: datetime, *, ready: bool = True, kind: OpsKind = OpsKind.HEARTBEAT) -> OpsEvent:
    return OpsEvent(service=service, instance="abcd1234", kind=kind, severity=Severity.INFO,
                    occurred_at=at, sequence=int(at.timestamp()), ready=ready)


def _alert(signal_id: uuid.UUID, raised_at: datetime) -> UrgentAlert:
    example = json.loads((REPO / "contracts/examples/org.hotline.alert.urgent.v1.json").read_text())["value"]
    return UrgentAlert.model_validate({**example, "signal_id": str(signal_id),
                                       "raised_at": raised_at.isoformat()})


def test_the_fold_tells_live_silent_stopped_and_unready_services_apart() -> None:
    state = OpsState()
    for event in (_beat("triage", NOW - timedelta(seconds=10)),
                  _beat("review", NOW - timedelta(minutes=5)),
                  _beat("intake-email", NOW - timedelta(seconds=5), ready=False),
                  _beat("intake-phone", NOW - timedelta(seconds=30)),
                  _beat("intake-phone", NOW - timedelta(seconds=20), kind=OpsKind.STOPPING),
                  # An older beat read later does not bring a service back.
                  _beat("review", NOW - timedelta(minutes=9))):
        state.apply(_record(Topic.OPS_EVENTS, event))
    state.apply(_record(Topic.OPS_EVENTS, value=b"not an event"))
    assert state.liveness(NOW, timedelta(seconds=60)) == {
        "intake-email": "not ready", "intake-phone": "stopped", "review": "silent", "triage": "up"}
    assert state.undecodable == 1


def test_an_urgent_alert_stays_unacknowledged_until_review_decides_on_its_signal() -> None:
    state = OpsState()
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    state.apply(_record(Topic.ALERTS_URGENT, _alert(first, NOW - timedelta(minutes=20))))
    state.apply(_record(Topic.ALERTS_URGENT, _alert(second, NOW - timedelta(minutes=3))))
    state.apply(_record(Topic.ALERTS_URGENT, _alert(third, NOW - timedelta(minutes=40))))
    state.apply(_record(Topic.REVIEW_DECISIONS, key=str(third).encode(), value=b"{}"))
    assert [(s, round(age)) for s, age in state.unacknowledged(NOW)] == [(first, 1200), (second, 180)]


def test_the_status_screen_shows_what_needs_a_person_and_no_content() -> None:
    state = OpsState()
    state.apply(_record(Topic.OPS_EVENTS, _beat("triage", NOW - timedelta(minutes=3))))
    late = uuid.uuid4()
    state.apply(_record(Topic.ALERTS_URGENT, _alert(late, NOW - timedelta(minutes=9))))
    snapshot = BrokerSnapshot(
        lag=[PartitionLag("review.cases", Topic.SIGNALS_TRIAGED, 0, committed=4, end=10),
             PartitionLag("review.cases", Topic.SIGNALS_TRIAGED, 1, committed=None, end=3, start=1)],
        dlq=[TopicDepth(Topic.SIGNALS_RECEIVED_DLQ, 2)], taken_at=NOW)
    data = status_data(state, snapshot, now=NOW, silent_after=timedelta(seconds=60))
    assert data["lag"] == {"review.cases": 8}
    assert data["services"]["triage"]["state"] == "silent"
    reference = json.loads((REPO / "contracts/examples/org.hotline.alert.urgent.v1.json").read_text())[
        "value"]["reference_number"]
    assert data["oldest_unacknowledged"] == {"signal_id": str(late), "reference_number": reference,
                                             "age_s": 540.0}
    text = status_text(data, colour=False, urgent_ack_s=300)
    assert "silent" in text and "signals.received.dlq" in text
    assert f"oldest {reference} waiting 9m" in text and f"search for {reference}" in text
    assert str(late) not in text  # a UUID nobody can search for
    assert "\033[" not in text
    assert "\033[1;31m" in status_text(data, colour=True, urgent_ack_s=300)


def test_a_tail_line_names_ids_and_kinds_only() -> None:
    event = OpsEvent(service="review", instance="abcd1234", kind=OpsKind.DEAD_LETTER,
                     severity=Severity.WARNING, occurred_at=NOW, sequence=3, topic="signals.triaged",
                     partition=1, offset=7, error_class="SchemaViolation")
    line = event_line(event, colour=False)
    assert "warning" in line and "dead_letter" in line and "offset=7" in line and "abcd1234" not in line
    assert json.loads(event_json(event))["kind"] == "dead_letter"


def test_an_ops_event_cannot_carry_free_text() -> None:
    with pytest.raises(ValueError, match="reason"):
        OpsEvent(service="review", instance="abcd1234", kind=OpsKind.DEAD_LETTER, severity=Severity.INFO,
                 occurred_at=NOW, sequence=1, reason="Maria was taken to 12 Elm St")
    assert KafkaRecord  # the codec types stay importable from contracts
