"""Mandatory reports delivered and tracked to completion, and the written follow-up of a call.

A minor brings the region's mandatory reports (here NCMEC and the FBI): each is a lookup of its
own, sent with the facts whatever the recipient's kind, acknowledged or, past its deadline,
escalated. A call that reached somebody is followed by the written report on the contact's
first written channel. Real SMTP on loopback (``deploy.localreceivers``), a SQLite ledger.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from contracts.events import Reporter
from deploy.localreceivers import Receivers
from services.reporting.chains import full_chain
from services.reporting.channels import SmtpSecurity, SmtpSender, WebhookSender
from services.reporting.courier import Courier
from services.reporting.db import Database, migrate
from services.reporting.ledger import AckResult, CallOutcome, Ledger
from services.reporting.models import Lookup, Obligation, OutboxRecord, Step
from services.reporting.protocols.loader import load_protocols
from services.reporting.resolution import resolve_request
from services.reporting.store import Store
from services.reporting.tokens import AckTokens
from tests.builders import received
from tests.reporting_support import Clock, contact, email, report_request

NARRATIVE = "A girl of fifteen is made to work in the back rooms of the massage parlour."



def write_protocol(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "US.yaml").write_text(
        "version: 1\nregion: {country: US}\ncontacts:\n"
        + contact("desk", "law_enforcement", '{type: phone, number: "+1 713 555 0101"}',
                  email("desk@pd.example.gov"))
        + contact("ncmec", "ngo", email("tips@ncmec.example.org"))
        + contact("fbi", "federal_agency", email("duty@fbi.example.gov"))
        + """matrix:
  tip_reporting:
    - chain: [{contact: desk, wait: 1h}]
mandatory_reports:
  - {id: ncmec-minor, when: {minor: true}, contact: ncmec, within: 24h, basis: Example policy for minors.}
  - {id: fbi-minor, when: {minor: true}, contact: fbi, within: 24h, basis: Example policy for minors.}
""")
    return directory


@dataclass
class World:
    db: Database
    ledger: Ledger
    courier: Courier
    clock: Clock
    receivers: Receivers
    report_id: uuid.UUID

    def steps(self) -> list[Step]:
        with self.db.read() as session:
            return list(session.scalars(select(Step).order_by(Step.lookup_index, Step.step_index)))

    def lookups(self) -> dict[int, Lookup]:
        with self.db.read() as session:
            return {row.lookup_index: row for row in session.scalars(select(Lookup))}

    def obligations(self) -> dict[str, str]:
        with self.db.read() as session:
            return {row.obligation_id: row.state for row in session.scalars(select(Obligation))}

    def outbox(self, topic: str) -> list[dict[str, object]]:
        with self.db.read() as session:
            rows = session.scalars(select(OutboxRecord).where(OutboxRecord.topic == topic)
                                   .order_by(OutboxRecord.id))
            return [json.loads(row.value) for row in rows]

    def mail_to(self, address: str) -> list[str]:
        return [str(d.document) for d in self.receivers.recorder.snapshot() if d.recipient == address]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    migrate(url)
    db = Database(url)
    clock = Clock()
    store = Store(db, now=clock, facts_grace=timedelta(seconds=10))
    ledger = Ledger(db, now=clock, tokens=AckTokens(b"obligations-test-secret"))
    protocols = load_protocols(write_protocol(tmp_path / "protocols"))
    signal = received(narrative=NARRATIVE, reporter=Reporter(anonymous=False, consent_to_share=False))
    store.record_signal(signal)
    request = report_request(signal.signal_id, signal.reference_number)
    request = request.model_copy(update={"conditions": request.conditions.model_copy(update={"minor": True})})
    store.record_request(request)
    [pending] = store.ready_to_resolve()
    resolution = resolve_request(protocols, pending.request, pending.victims)
    store.store_resolution(request.report_id, resolution,
                           [full_chain(protocols, lookup) for lookup in resolution.lookups])
    with Receivers(secrets={}) as receivers:
        client = httpx.AsyncClient()
        courier = Courier(store=store, ledger=ledger, protocols=protocols,
                          email=SmtpSender("127.0.0.1", receivers.smtp_port, "reports@hotline.example.org",
                                           security=SmtpSecurity(starttls=False)),
                          webhooks=WebhookSender(client), webhook_secrets={},
                          public_base_url="https://hotline.example.org")
        yield World(db=db, ledger=ledger, courier=courier, clock=clock, receivers=receivers,
                    report_id=request.report_id)
    db.dispose()


def token_in(text: str) -> str:
    found = re.search(r"/ack/([A-Za-z0-9_-]+)", text)
    assert found is not None, text
    return found.group(1)


async def test_a_minor_brings_mandatory_reports_sent_with_the_facts_and_tracked_to_acknowledgement(
    world: World,
) -> None:
    await world.courier.tick()
    lookups = world.lookups()
    assert {i: (row.obligation_id, row.state) for i, row in lookups.items()} == {
        0: (None, "open"), 1: ("ncmec-minor", "open"), 2: ("fbi-minor", "open")}
    # NCMEC is an NGO, yet a mandatory report carries the narrative, the obligation and its basis.
    [ncmec] = world.mail_to("tips@ncmec.example.org")
    assert NARRATIVE in ncmec and "Mandatory report ncmec-minor: Example policy for minors." in ncmec
    assert "not shared (no consent)" in ncmec
    assert len(world.mail_to("duty@fbi.example.gov")) == 1
    assert world.ledger.acknowledge(token_in(ncmec)) is AckResult.ACKNOWLEDGED
    assert world.obligations() == {"ncmec-minor": "completed", "fbi-minor": "open"}
    ends = [(o["victim"], o["kind"], o["obligation"]) for o in world.outbox("reports.outcomes")
            if o["step"] is None]
    assert ends == [(1, "completed", "ncmec-minor")]


async def test_a_mandatory_report_unacknowledged_by_its_deadline_is_overdue_and_escalated(
    world: World,
) -> None:
    await world.courier.tick()
    [ncmec] = world.mail_to("tips@ncmec.example.org")
    world.ledger.acknowledge(token_in(ncmec))
    world.clock.at += timedelta(hours=23, minutes=59)
    await world.courier.tick()  # the desk's call times out; the FBI's deadline has not passed
    assert world.obligations() == {"ncmec-minor": "completed", "fbi-minor": "open"}
    world.clock.at += timedelta(minutes=2)
    await world.courier.tick()
    assert world.obligations() == {"ncmec-minor": "completed", "fbi-minor": "overdue"}
    ends = [(o["victim"], o["kind"], o["reason"], o["obligation"]) for o in world.outbox("reports.outcomes")
            if o["step"] is None]
    assert (2, "exhausted", "obligation_unacknowledged", "fbi-minor") in ends
    escalations = [(e["kind"], e["reason"]) for e in world.outbox("ops.events")]
    assert escalations == [("escalation", "chain_exhausted"), ("escalation", "obligation_unacknowledged")]


async def test_a_call_that_reached_somebody_is_followed_by_the_written_report(world: World) -> None:
    await world.courier.tick()
    call = next(s for s in world.steps() if s.lookup_index == 0)
    assert (call.channel, call.state) == ("phone", "delivered")
    assert world.ledger.log_call(call.id, CallOutcome.REACHED, "sam", None)
    await world.courier.tick()
    [written] = world.mail_to("desk@pd.example.gov")
    assert NARRATIVE in written
    follow_up = [s for s in world.steps() if s.lookup_index == 0][-1]
    assert (follow_up.kind, follow_up.step_index, follow_up.state, follow_up.due_at) == (
        "follow_up", 1, "delivered", None)
    assert world.lookups()[0].state == "completed"
    world.clock.at += timedelta(days=2)  # a follow-up has no window to time out in
    await world.courier.tick()
    assert [s.state for s in world.steps() if s.lookup_index == 0] == ["acknowledged", "delivered"]
    assert len(world.mail_to("desk@pd.example.gov")) == 1
    # An acknowledgement of the follow-up is taken, and changes nothing else.
    assert world.ledger.acknowledge(token_in(written)) is AckResult.ACKNOWLEDGED
    assert world.lookups()[0].state == "completed"


def test_the_local_recipients_page_carries_the_security_headers() -> None:
    with Receivers(secrets={}) as receivers:
        base = f"http://127.0.0.1:{receivers.http_port}"
        answers = [httpx.get(f"{base}/", timeout=5), httpx.get(f"{base}/deliveries", timeout=5),
                   httpx.post(f"{base}/hooks/nobody", content=b"{}", timeout=5)]
    assert [a.status_code for a in answers] == [200, 200, 401]
    for answer in answers:
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"
