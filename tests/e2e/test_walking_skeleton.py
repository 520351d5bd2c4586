"""The walking skeleton end to end: web intake -> signals.received -> triage -> signals.triaged -> review.

Checked with an independent client (kcat) reading the broker, and through the review API.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from contracts import CODEC, KafkaRecord, Topic, physical_name
from contracts.events import (
    Answer,
    DeclaredFacts,
    FlagName,
    OpsEvent,
    OpsKind,
    ReportRequested,
    SignalTriaged,
    Urgency,
    UrgentAlert,
)
from contracts.tracing import H_INGESTED_AT
from services.review.auth import Role
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.topic_reader import read_whole_topic
from services.runtime.tracing import span_context_of
from tests.builders import received
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.e2e.review_support import provision_review
from tests.kafka_reader import group_caught_up, read_topic


def kcat_read(settings: RuntimeSettings, topic: Topic, count: int, timeout: float = 20.0) -> list[dict]:
    """Read ``count`` records with kcat, a client that shares no code with the project."""
    kcat = shutil.which("kcat")
    if kcat is None:
        pytest.fail("kcat is not installed (apt-get install kcat); ./dev setup installs it")
    name = physical_name(topic, settings.topic_prefix)
    deadline = time.monotonic() + timeout
    while True:
        result = subprocess.run(  # noqa: S603 - fixed argv
            [kcat, "-C", "-b", settings.kafka_bootstrap, "-t", name, "-o", "beginning", "-e", "-J",
             "-q", "-c", str(count)], capture_output=True, text=True, timeout=timeout, check=False)
        records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
        if len(records) >= count or time.monotonic() > deadline:
            return records
        time.sleep(0.1)


def _headers(kcat_record: dict) -> dict[str, str]:
    flat = kcat_record.get("headers") or []
    return dict(zip(flat[::2], flat[1::2], strict=True))


@pytest.mark.e2e
async def test_a_posted_tip_is_triaged_and_recorded_for_review(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    webform_port, review_port = free_port(), free_port()
    review_db = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    token = provision_review(review_db, ("feed", Role.SERVICE))["feed"]
    services = [
        launch("triage"),
        launch("services.review", HOTLINE_HTTP_PORT=str(review_port), HOTLINE_REVIEW_DATABASE_URL=review_db),
        launch("intake_webform", HOTLINE_HTTP_PORT=str(webform_port)),
    ]

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{webform_port}") as client:
        posted_at = time.monotonic()
        response = await client.post("/api/v1/tips", json={
            "narrative": "A 15 year old girl is locked in a room at the motel on Route 9.",
            "location_state": "TX", "location_city": "Dallas", "danger_now": "yes", "victim_age": 15})
    assert response.status_code == 202, response.text
    reference = response.json()["reference_number"]

    [record] = kcat_read(topics, Topic.SIGNALS_TRIAGED, 1)
    seen_after = time.monotonic() - posted_at
    headers = _headers(record)
    assert headers["ce_type"] == "org.hotline.signal.triaged.v1"
    assert headers["ce_source"] == "/hotline/triage"
    triaged = CODEC.decode_as(SignalTriaged, record["payload"].encode(),
                              [(k, v.encode()) for k, v in headers.items()])
    assert triaged.reference_number == reference
    assert record["key"] == str(triaged.signal_id)
    assert triaged.urgency is Urgency.P1_ACT_NOW
    assert triaged.is_raised(FlagName.MINOR)
    assert triaged.is_raised(FlagName.IMMINENT_DANGER)
    print(f"POST to SignalTriaged seen by kcat: {seen_after:.3f}s")

    # One trace from the intake through triage: same trace id and acceptance time, a new span.
    [received_record] = kcat_read(topics, Topic.SIGNALS_RECEIVED, 1)
    received_headers = _headers(received_record)
    started = span_context_of([(k, v.encode()) for k, v in received_headers.items()])
    continued = span_context_of([(k, v.encode()) for k, v in headers.items()])
    assert started is not None and continued is not None
    assert continued.trace_id == started.trace_id and continued.span_id != started.span_id
    assert headers[H_INGESTED_AT] == received_headers[H_INGESTED_AT]

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{review_port}",
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        async def recorded() -> list[dict]:
            # The signal and its triage arrive on two topics: wait for the triaged case.
            return [c for c in (await client.get("/api/v1/cases")).json()["cases"] if c["triaged"]]
        [case] = await wait_for(recorded, what="the case in review")
    assert case["reference_number"] == reference
    assert case["urgency"] == "p1_act_now"
    assert (case["minor"], case["imminent_danger"], case["break_glass"]) == (True, True, True)
    async with httpx.AsyncClient() as client:
        review_metrics = (await client.get(f"http://127.0.0.1:{services[1].ops_port}/metrics")).text
    latency_count = [line for line in review_metrics.splitlines()
                     if line.startswith("hotline_end_to_end_latency_seconds_count")]
    assert latency_count and float(latency_count[0].split()[-1]) == 1.0, latency_count

    # Privacy: the narrative reached every service, and none of them wrote it to its log.
    for service in services:
        assert service.terminate() == 0
        log_text = service.log_path.read_text()
        assert "locked in a room" not in log_text
        assert "Route 9" not in log_text
    # The trace id is in the log lines of triage and of review about this signal.
    for service in services[:2]:
        assert f"{started.trace_id:032x}" in service.log_path.read_text(), service.module
    # Each service said it started, beat, and stopped on ops.events (ids only).
    said = {(e.service, e.kind) for e in
            (CODEC.decode_as(OpsEvent, r.value, r.headers)
             for r in await read_whole_topic(topics, Topic.OPS_EVENTS))}
    for name in ("triage", "review", "intake-webform"):
        assert {(name, OpsKind.STARTED), (name, OpsKind.HEARTBEAT), (name, OpsKind.STOPPING)} <= said


@pytest.mark.e2e
async def test_triage_fans_out_dead_letters_garbage_and_keeps_triaging(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess]
) -> None:
    triage = launch("triage")
    urgent = received(narrative="A 15 year old girl is locked in a room at the Sunset Motel right now.",
                      facts=DeclaredFacts(danger_now=Answer.YES))
    routine = received(narrative="The farm boss keeps the workers' passports and pays no wages.")
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        await publisher.publish_record(Topic.SIGNALS_RECEIVED, KafkaRecord(
            key=b"poison", value=b"\x00\x01 definitely not a signal", headers=(("ce_id", b"x"),)))
        await publisher.publish(Topic.SIGNALS_RECEIVED, routine)
        await publisher.publish(Topic.SIGNALS_RECEIVED, urgent)
        await publisher.publish(Topic.SIGNALS_RECEIVED, urgent)  # an intake retry: the same signal again

    [dead] = await read_topic(topics, Topic.SIGNALS_RECEIVED_DLQ, 1)
    assert dead.value == b"\x00\x01 definitely not a signal"
    headers = dict(dead.headers)
    assert headers["dlq_error_class"] == b"MissingHeader"
    assert headers["dlq_consumer_group"] == f"{topics.topic_prefix}triage".encode()

    triaged = {e.signal_id: e for e in (CODEC.decode_as(SignalTriaged, r.value, r.headers)
                                        for r in await read_topic(topics, Topic.SIGNALS_TRIAGED, 2))}
    assert set(triaged) == {routine.signal_id, urgent.signal_id}
    assert triaged[urgent.signal_id].urgency is Urgency.P1_ACT_NOW
    assert triaged[routine.signal_id].urgency is Urgency.P3_BUSINESS_DAYS

    [alert_record] = await read_topic(topics, Topic.ALERTS_URGENT, 1)
    alert = CODEC.decode_as(UrgentAlert, alert_record.value, alert_record.headers)
    assert alert.signal_id == urgent.signal_id and alert_record.key == str(urgent.signal_id).encode()
    assert {r.value for r in alert.reasons} == {"minor", "imminent_danger"}
    [report_record] = await read_topic(topics, Topic.REPORTS_REQUESTED, 1)
    report = CODEC.decode_as(ReportRequested, report_record.value, report_record.headers)
    assert report.report_id == ReportRequested.break_glass_id(urgent.signal_id)
    assert report_record.key == str(report.report_id).encode()

    # The repeated signal was not fanned out twice: once triage has committed every input, all the
    # outputs it will ever make of them are on their topics (it commits only after they are acked).
    group = f"{topics.topic_prefix}triage"
    await wait_for(lambda: group_caught_up(topics, Topic.SIGNALS_RECEIVED, group), timeout=60,
                   interval=0.2, what="triage committing every signal")
    assert triage.process is not None and triage.process.poll() is None
    assert triage.terminate() == 0
    assert len(await read_whole_topic(topics, Topic.ALERTS_URGENT)) == 1
    assert len(await read_whole_topic(topics, Topic.SIGNALS_TRIAGED)) == 2
    log_text = triage.log_path.read_text()
    assert "Sunset Motel" not in log_text and "passports" not in log_text
