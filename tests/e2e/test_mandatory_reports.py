"""A minor's mandatory reports end to end: review and reporting as processes on the real broker,
review on PostgreSQL, a real SMTP server (STARTTLS with a test CA) for the contacts.

A minor's signal opens the case's obligation; one person requests a law-enforcement report and a
second approves it; reporting sends the mandatory reports to NCMEC and the FBI with it; their
acknowledgements discharge the obligation in review; a later shelter referral on the same case
reaches the shelter and nobody at NCMEC or the FBI again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from contracts import CODEC, Topic
from contracts.events import (
    Evidence,
    Flag,
    FlagName,
    OpsEvent,
    OpsKind,
    ReportConditions,
    ReportOutcome,
    Route,
    RoutingTarget,
    TraffickingType,
    Urgency,
)
from contracts.reference_numbers import reference_for
from deploy.localreceivers import Delivery, Receivers
from services.review.auth import Role
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.topic_reader import read_whole_topic
from tests.builders import received, triaged
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.e2e.review_support import provision_review
from tests.reporting_support import contact, email
from tests.tls_support import ThrowawayCa

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
NCMEC, FBI, DESK, SHELTER = ("tips@ncmec.example.org", "duty@fbi.example.gov", "desk@pd.example.gov",
                             "intake@shelter.example.org")


@pytest.fixture
def ca(tmp_path: Path) -> ThrowawayCa:
    return ThrowawayCa.make(tmp_path / "ca")


@pytest.fixture
def receivers(ca: ThrowawayCa) -> Iterator[Receivers]:
    with Receivers(secrets={}, smtp_tls=ca.loopback.server_context()) as running:
        yield running


def write_protocol(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "US.yaml").write_text(
        "version: 1\nregion: {country: US}\ncontacts:\n"
        + contact("desk", "law_enforcement", email(DESK))
        + contact("shelter", "service_provider", email(SHELTER))
        + contact("ncmec", "ngo", email(NCMEC))
        + contact("fbi", "federal_agency", email(FBI))
        + """matrix:
  tip_reporting:
    - chain: [{contact: desk, wait: 1h}]
  shelter_emergency:
    - chain: [{contact: shelter, wait: 1h}]
mandatory_reports:
  - {id: ncmec-minor, when: {minor: true}, contact: ncmec, within: 24h, basis: Example policy for minors.}
  - {id: fbi-minor, when: {minor: true}, contact: fbi, within: 24h, basis: Example policy for minors.}
""")
    return directory


async def test_a_minors_case_notifies_ncmec_once_through_two_people_and_never_again(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess], tmp_path: Path, postgres_url: str,
    receivers: Receivers, ca: ThrowawayCa,
) -> None:
    reporting_port, review_port = free_port(), free_port()
    launch("services.reporting", HOTLINE_REPORTING_DATABASE_URL=f"sqlite:///{tmp_path / 'reporting.sqlite3'}",
           HOTLINE_PROTOCOLS_DIR=str(write_protocol(tmp_path / "protocols")),
           HOTLINE_HTTP_PORT=str(reporting_port), HOTLINE_PUBLIC_BASE_URL=f"http://127.0.0.1:{reporting_port}",
           HOTLINE_SMTP_PORT=str(receivers.smtp_port), HOTLINE_SMTP_CAFILE=str(ca.ca), HOTLINE_TICK_S="0.2",
           HOTLINE_ACK_SECRET="e2e-test-ack-secret-0123456789")
    tokens = provision_review(postgres_url, ("ana", Role.ANALYST), ("alice", Role.SUPERVISOR))
    launch("services.review", HOTLINE_REVIEW_DATABASE_URL=postgres_url, HOTLINE_HTTP_PORT=str(review_port),
           HOTLINE_SLA_CHECK_S="0.5")

    received_at = datetime.now(UTC) - timedelta(hours=2)
    signal = received(narrative="A girl of fifteen is made to work nights at the massage parlour.",
                      received_at=received_at)
    signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"t")})
    minor = Flag(name=FlagName.MINOR, raised=True, evidence=[
        Evidence(rule_id="minor.text_age", origin="text", start=7, end=14, matched_text="fifteen")])
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
        await publisher.publish(Topic.SIGNALS_TRIAGED, triaged(
            signal_id=signal.signal_id, reference_number=signal.reference_number, received_at=received_at,
            urgency=Urgency.P2_SAME_DAY, flags=[minor], trafficking_type=TraffickingType.SEX,
            sla_due_at=datetime.now(UTC) + timedelta(hours=6),
            conditions=ReportConditions(urgent=True, business_hours=True, minor=True,
                                        trafficking_type=TraffickingType.SEX),
            routes=[Route(target=RoutingTarget.URGENT_ALERT, reason="minor"),
                    Route(target=RoutingTarget.MANDATORY_REPORT, reason="minor")]))

    def to(address: str) -> list[Delivery]:
        return [d for d in receivers.recorder.snapshot() if d.channel == "email" and d.recipient == address]

    def client(who: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=f"http://127.0.0.1:{review_port}/api/v1",
                                 headers={"Authorization": f"Bearer {tokens[who]}"})

    async with client("ana") as ana, client("alice") as alice:

        async def owed() -> list[dict[str, Any]]:
            return list((await ana.get("/cases", params={"obligation": "owed"})).json()["cases"])

        [case] = await wait_for(owed, timeout=60, interval=0.2, what="the minor's case owing its reports")
        assert case["obligation"] == "open"
        assert case["obligation_due_at"] == (received_at + timedelta(hours=24)).isoformat()
        actions = f"/cases/{case['case_id']}/actions"
        assert (await ana.post(f"{actions}/claim", json={})).status_code == 200
        response = await ana.post(f"{actions}/le_report", json={"need": "tip_reporting",
                                                                 "reason": "a minor at the parlour"})
        assert response.status_code == 200, response.text
        detail = (await ana.get(f"/cases/{case['case_id']}")).json()
        assert detail["obligation"]["state"] == "requested"
        [pending] = [d for d in detail["decisions"] if d["status"] == "awaiting_approval"]
        # The requester cannot approve their own request: the mandatory reports need two people.
        refused = await ana.post(f"{actions}/approve", json={"decision_id": pending["id"]})
        assert refused.status_code == 403
        response = await alice.post(f"{actions}/approve", json={"decision_id": pending["id"]})
        assert response.status_code == 200, response.text

        await wait_for(lambda: to(NCMEC) and to(FBI) and to(DESK), timeout=60, interval=0.2,
                       what="the approved report and its two mandatory reports")
        async with httpx.AsyncClient() as client:
            for address in (NCMEC, FBI):
                link = to(address)[0].ack_url
                assert link is not None
                assert (await client.post(link)).status_code == 200

        async def discharged() -> dict[str, Any] | None:
            found = (await ana.get(f"/cases/{case['case_id']}")).json()["obligation"]
            return found if found["state"] == "discharged" else None

        settled = await wait_for(discharged, timeout=60, interval=0.2, what="the obligation discharged")
        assert settled["reports"] == {"ncmec-minor": "completed", "fbi-minor": "completed"}
        assert await owed() == []

        # Later, one analyst refers the girl to a shelter: the shelter hears, NCMEC and the FBI do not.
        response = await ana.post(f"{actions}/refer", json={"need": "shelter_emergency",
                                                             "reason": "needs a bed tonight"})
        assert response.status_code == 200, response.text
        [shelter] = await wait_for(lambda: to(SHELTER), timeout=60, interval=0.2, what="the shelter's email")

    async def referral_outcomes() -> list[ReportOutcome]:
        records = await read_whole_topic(topics, Topic.REPORTS_OUTCOMES)
        events = [CODEC.decode(r.value, r.headers).event for r in records]
        return [e for e in events if isinstance(e, ReportOutcome) and e.need.value == "shelter_emergency"]

    delivered = await wait_for(referral_outcomes, timeout=30, interval=0.2, what="the referral's outcome")
    assert all(o.obligation is None for o in delivered)
    assert [len(to(NCMEC)), len(to(FBI)), len(to(DESK))] == [1, 1, 1]
    assert shelter.recipient == SHELTER


async def test_an_overdue_obligation_is_one_critical_ops_event_and_a_count_on_metrics(
    topics: RuntimeSettings, launch: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    provision_review(url)
    review = launch("services.review", HOTLINE_REVIEW_DATABASE_URL=url, HOTLINE_HTTP_PORT=str(free_port()),
                    HOTLINE_SLA_CHECK_S="0.5")
    received_at = datetime.now(UTC) - timedelta(hours=25)  # nobody made the reports in 24 hours
    signal = received(narrative="A boy of 13 sells flowers at the crossing every night.",
                      received_at=received_at)
    signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"t")})
    minor = Flag(name=FlagName.MINOR, raised=True, evidence=[
        Evidence(rule_id="minor.text_age", origin="text", start=2, end=11, matched_text="boy of 13")])
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
        for _ in range(2):  # at-least-once: the same triage twice is one obligation
            await publisher.publish(Topic.SIGNALS_TRIAGED, triaged(
                signal_id=signal.signal_id, reference_number=signal.reference_number,
                received_at=received_at, urgency=Urgency.P2_SAME_DAY, flags=[minor],
                sla_due_at=datetime.now(UTC) + timedelta(hours=6)))

    async def overdue() -> list[OpsEvent]:
        records = await read_whole_topic(topics, Topic.OPS_EVENTS)
        events = [CODEC.decode(r.value, r.headers).event for r in records]
        return [e for e in events if isinstance(e, OpsEvent) and e.reason == "mandatory_report_overdue"]

    [event] = await wait_for(overdue, timeout=60, interval=0.5, what="the mandatory_report_overdue ops event")
    assert (event.kind, event.severity.value) == (OpsKind.SLA_BREACH, "critical")
    assert event.signal_id == signal.signal_id
    assert event.value is not None and event.value >= 3600

    async def counted() -> str | None:
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"http://127.0.0.1:{review.ops_port}/metrics")).text
        return text if "hotline_review_mandatory_reports_overdue 1.0" in text else None

    metrics = await wait_for(counted, timeout=30, interval=0.5, what="the overdue count on /metrics")
    assert "hotline_review_mandatory_reports_failed 0.0" in metrics
    assert len(await overdue()) == 1  # several ticks later: still told once
    assert review.terminate() == 0
    assert "flowers" not in review.log_path.read_text()
