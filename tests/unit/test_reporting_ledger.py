"""The delivery ledger's state machine on SQLite: claims, windows, skips, interrupted sends, exhaustion."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from contracts.events import Reporter
from services.reporting.chains import full_chain
from services.reporting.db import Database, migrate
from services.reporting.ledger import AckResult, Ledger
from services.reporting.models import OutboxRecord, Step
from services.reporting.protocols.loader import load_protocols
from services.reporting.protocols.regions import ProtocolSet
from services.reporting.redaction import Audience, Header, SignalView, redact
from services.reporting.resolution import resolve_request
from services.reporting.store import Store
from services.reporting.tokens import AckTokens
from tests.builders import received
from tests.reporting_support import Clock, report_request, write_fallback_protocol

EASTERN = ZoneInfo("America/New_York")


def fallback_world(tmp_path: Path) -> tuple[Store, Ledger, Database, Clock, ProtocolSet]:
    """A ledger on SQLite with its store, clock and the three-contact fallback protocol."""
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    migrate(url)
    db = Database(url)
    clock = Clock()
    store = Store(db, now=clock, facts_grace=timedelta(seconds=10))
    ledger = Ledger(db, now=clock, tokens=AckTokens(b"unit-test-ack-secret"), lease=timedelta(seconds=30))
    protocols = load_protocols(write_fallback_protocol(tmp_path / "protocols", first_email="a@pd.example.gov",
                                                       third_webhook="https://tf.example.gov/hook"))
    return store, ledger, db, clock, protocols


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Store, Ledger, Database, Clock, uuid.UUID]:
    store, ledger, db, clock, protocols = fallback_world(tmp_path)
    signal = received(reporter=Reporter(anonymous=False, consent_to_share=False))
    assert store.record_signal(signal) and not store.record_signal(signal)
    request = report_request(signal.signal_id)
    assert store.record_request(request) and not store.record_request(request)
    [pending] = store.ready_to_resolve()
    resolution = resolve_request(protocols, pending.request, pending.victims)
    store.store_resolution(request.report_id, resolution,
                           [full_chain(protocols, lookup) for lookup in resolution.lookups])
    return store, ledger, db, clock, request.report_id


def outcomes(db: Database) -> list[tuple[int | None, str]]:
    with db.read() as session:
        rows = session.query(OutboxRecord).order_by(OutboxRecord.id).all()
    events = [json.loads(r.value) for r in rows if r.topic == "reports.outcomes"]
    return [(e["step"], e["kind"]) for e in events]


def test_the_full_chain_keeps_the_contact_resolution_skipped_in_its_place(setup) -> None:  # type: ignore[no-untyped-def]
    _, _, db, _, _ = setup
    with db.read() as session:
        steps = session.query(Step).order_by(Step.step_index).all()
    assert [(s.contact_id, s.channel, s.state) for s in steps] == [
        ("first-det", "email", "pending"), ("second-desk", "email", "pending"),
        ("third-unit", "webhook", "pending")]


def test_fallback_times_out_skips_the_closed_contact_and_ends_on_an_acknowledgement(setup) -> None:  # type: ignore[no-untyped-def]
    _, ledger, db, clock, _ = setup
    [first] = ledger.claim()
    assert (first.step_index, first.resend) == (0, False)
    assert ledger.claim() == []  # claimed: nobody else takes it
    assert ledger.delivered(first)
    clock.advance(2)
    assert ledger.expire() == 0
    clock.advance(2)
    assert ledger.expire() == 1
    [third] = ledger.claim()  # the second is outside its hours: skipped at once
    assert third.step_index == 2
    assert ledger.delivered(third)
    assert ledger.acknowledge(third.token) is AckResult.ACKNOWLEDGED
    assert ledger.acknowledge(third.token) is AckResult.ALREADY
    assert ledger.acknowledge("not-a-token") is AckResult.UNKNOWN
    clock.advance(3600)
    assert ledger.expire() == 0 and ledger.claim() == []
    assert outcomes(db) == [(0, "delivered"), (0, "timed_out"), (1, "skipped_unavailable"), (2, "delivered"),
                            (2, "acknowledged"), (None, "completed")]


def test_an_interrupted_send_is_sent_again_with_the_same_identity_and_only_once_delivered(setup) -> None:  # type: ignore[no-untyped-def]
    _, ledger, db, clock, _ = setup
    [claim] = ledger.claim()
    clock.advance(10)
    assert ledger.claim() == []  # the lease still runs: the first attempt may be in flight
    clock.advance(25)
    [again] = ledger.claim()
    assert (again.step_id, again.token, again.resend, again.attempt) == (claim.step_id, claim.token, True, 2)
    assert not ledger.delivered(claim)  # the stale attempt finishing late changes nothing
    assert ledger.delivered(again)
    assert ledger.claim() == []
    assert outcomes(db) == [(0, "delivered")]


def test_an_exhausted_chain_escalates_to_ops_and_review(setup) -> None:  # type: ignore[no-untyped-def]
    _, ledger, db, clock, _ = setup
    [first] = ledger.claim()
    ledger.delivered(first)
    clock.advance(4)
    ledger.expire()
    [third] = ledger.claim()
    ledger.refused(third, "webhook_410")
    assert outcomes(db)[-2:] == [(2, "failed"), (None, "exhausted")]
    with db.read() as session:
        last = session.query(OutboxRecord).order_by(OutboxRecord.id.desc()).first()
    assert last is not None and last.topic == "ops.events"
    assert json.loads(last.value)["kind"] == "escalation"


def test_law_enforcement_sees_no_reporter_without_consent_and_providers_see_no_narrative() -> None:
    header = Header(reference_number="HT-ABCD-EFGH1", need="tip_reporting", urgency="p2_same_day",
                    kind="approved", ack_url="https://hotline.example.org/ack/x")
    signal = SignalView(victims=[{"age": 15, "gender": "female"}], narrative="Kept in the back room.",
                        location={"city": "Houston", "state": "TX", "description": "12 Example St"},
                        facts={"danger_now": "yes"}, reporter=None)
    police = redact(Audience.LAW_ENFORCEMENT, header, signal)
    provider = redact(Audience.SERVICE_PROVIDER, header, signal)
    assert police["narrative"] == "Kept in the back room." and police["reporter"] == {"shared": False}
    assert police["location"]["description"] == "12 Example St"
    assert "narrative" not in provider and "reporter" not in provider
    assert provider["location"] == {"country": None, "state": "TX", "city": "Houston"}


def write_hours_protocol(directory: Path) -> Path:
    """A chain across the hotline's hours: anyone (30 minutes), then a day desk, then a night desk."""
    today = datetime.now(UTC).date().isoformat()
    contacts = "".join(
        f"  - {{id: {id_}, name: Desk {id_}, organisation: Example Police Department, kind: law_enforcement,"
        f" channels: [{{type: email, address: {id_}@pd.example.gov}}], availability: {hours},"
        f" last_verified: {today}}}\n"
        for id_, hours in (("anyone", "always"), ("day-desk", "business_hours_only"),
                           ("night-desk", "after_hours_only")))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "US.yaml").write_text(
        f"version: 1\nregion: {{country: US}}\ncontacts:\n{contacts}matrix:\n  tip_reporting:\n    - chain:\n"
        "        - {contact: anyone, wait: 30m}\n        - {contact: day-desk, wait: 30m}\n"
        "        - {contact: night-desk, wait: 30m}\n")
    return directory


def ledger_at(tmp_path: Path, requested: datetime, *,
              business_hours: bool) -> tuple[Ledger, Database, Clock]:
    """One report requested at ``requested`` with the ``business_hours`` condition triage gave its
    signal when it came in, resolved then, on a ledger whose clock starts there."""
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    migrate(url)
    db = Database(url)
    clock = Clock()
    clock.at = requested.astimezone(UTC)
    store = Store(db, now=clock, facts_grace=timedelta(seconds=10))
    ledger = Ledger(db, now=clock, tokens=AckTokens(b"unit-test-ack-secret"), lease=timedelta(seconds=30))
    protocols = load_protocols(write_hours_protocol(tmp_path / "protocols"))
    signal = received()
    store.record_signal(signal)
    request = report_request(signal.signal_id)
    conditions = request.conditions.model_copy(update={"business_hours": business_hours})
    request = request.model_copy(update={"requested_at": clock.at, "conditions": conditions})
    store.record_request(request)
    [pending] = store.ready_to_resolve()
    resolution = resolve_request(protocols, pending.request, pending.victims)
    store.store_resolution(request.report_id, resolution,
                           [full_chain(protocols, lookup) for lookup in resolution.lookups])
    return ledger, db, clock


def sent_to(ledger: Ledger) -> list[str]:
    claims = ledger.claim()
    for claim in claims:
        ledger.delivered(claim)
    return [claim.contact.id for claim in claims]


def test_hours_are_read_when_a_step_comes_up_not_when_the_report_was_requested(tmp_path: Path) -> None:
    # Requested on a Monday at 18:40 in New York, in business hours; the first step's 30 minutes
    # run out at 19:10, after them.
    requested = datetime(2026, 3, 16, 18, 40, tzinfo=EASTERN)
    ledger, db, clock = ledger_at(tmp_path, requested, business_hours=True)
    assert sent_to(ledger) == ["anyone"]
    clock.advance(30 * 60)
    assert ledger.expire() == 1
    assert sent_to(ledger) == ["night-desk"]  # the day desk closed at 19:00
    assert outcomes(db)[1:] == [(0, "timed_out"), (1, "skipped_unavailable"), (2, "delivered")]


def test_a_chain_that_reaches_opening_time_goes_to_the_day_desk(tmp_path: Path) -> None:
    # A tip that came in overnight, reported at 08:40 on a Tuesday: the day desk opens before the
    # second step comes up (09:10), and it is the one written to.
    requested = datetime(2026, 3, 17, 8, 40, tzinfo=EASTERN)
    ledger, db, clock = ledger_at(tmp_path, requested, business_hours=False)
    assert sent_to(ledger) == ["anyone"]
    clock.advance(30 * 60)
    ledger.expire()
    assert sent_to(ledger) == ["day-desk"]
    assert outcomes(db)[1:] == [(0, "timed_out"), (1, "delivered")]


def test_a_federal_holiday_is_after_hours_for_a_business_hours_contact(tmp_path: Path) -> None:
    # A report approved on Thanksgiving morning for a tip that came in on Wednesday afternoon: a
    # weekday morning, but not a business day.
    requested = datetime(2026, 11, 26, 10, 30, tzinfo=EASTERN)
    ledger, db, clock = ledger_at(tmp_path, requested, business_hours=True)
    assert sent_to(ledger) == ["anyone"]
    clock.advance(30 * 60)
    ledger.expire()
    assert sent_to(ledger) == ["night-desk"]
    assert (1, "skipped_unavailable") in outcomes(db)


def test_claims_and_deliveries_read_their_reports_and_signals_once_a_batch_not_once_a_step(
        tmp_path: Path) -> None:
    """The ledger loads a batch's reports (and what the sends may say) in one query each and holds
    them while it works: a session keeps an unchanged row only while something refers to it, so a
    load whose result was dropped asked the database again for every step."""
    store, ledger, db, _, protocols = fallback_world(tmp_path)
    for _ in range(5):
        signal = received()
        store.record_signal(signal)
        store.record_request(report_request(signal.signal_id))
    for pending in store.ready_to_resolve():
        resolution = resolve_request(protocols, pending.request, pending.victims)
        store.store_resolution(pending.request.report_id, resolution,
                               [full_chain(protocols, lookup) for lookup in resolution.lookups])
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(" ".join(statement.split()))

    def reads(table: str) -> int:
        return sum(1 for s in statements if s.startswith("SELECT") and f"FROM {table} " in f"{s} ")

    event.listen(db.engine, "before_cursor_execute", seen)
    claims = ledger.claim()
    assert len(claims) == 5
    assert all(c.signal is not None for c in claims)  # the signals' facts and content were read
    assert (reads("reports"), reads("signal_facts"), reads("signal_content")) == (1, 1, 1)
    statements.clear()
    assert ledger.delivered_all(claims) == 5
    # The steps locked with their reports, in one statement.
    assert sum(1 for s in statements if s.startswith("SELECT")) == 1
    event.remove(db.engine, "before_cursor_execute", seen)
