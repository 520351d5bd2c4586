"""The delivery ledger's retention purge: the reporter's identity and the signal's words leave the
ledger once every report about the signal has settled and the period has run; ids, codes and the
declared victims stay. On SQLite here; ``tests/integration/test_reporting_retention_postgres.py``
runs the same on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from contracts.events import ContactDetails, DeclaredFacts, Location, Reporter, Victim
from services.reporting.db import SCHEMA, Database
from services.reporting.models import (
    CallLog,
    ContentPurge,
    Lookup,
    LookupState,
    Report,
    ReportState,
    SignalContent,
    SignalFacts,
    Step,
    StepState,
)
from services.reporting.retention import LedgerPurge
from services.reporting.store import Store
from services.runtime.retention import DEFAULT_DAYS, DataClass, Schedule
from tests.builders import received
from tests.databases import sqlite_db
from tests.manual_clock import ManualClock
from tests.reporting_support import report_request

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WORDS = "The foreman at 12 Mill Road keeps their passports."


class Clock(ManualClock):
    start = T0


@pytest.fixture
def clock() -> Clock:
    return Clock()


db = sqlite_db(SCHEMA)


@pytest.fixture
def purge(db: Database, clock: Clock) -> LedgerPurge:
    return LedgerPurge(db, Schedule.from_days(DEFAULT_DAYS), now=clock, batch=1)


def a_signal(db: Database, clock: Clock) -> uuid.UUID:
    signal = received(received_at=T0, narrative=WORDS,
                      reporter=Reporter(anonymous=False, consent_to_share=True, consent_to_contact=True,
                                        contact=ContactDetails(name="Pat Example", phone="+1 555 0142")),
                      facts=DeclaredFacts(victims=[Victim(count=3)],
                                          location=Location(state="OH", city="Dayton", zip_code="45402")))
    assert Store(db, now=clock, facts_grace=timedelta(0)).record_signal(signal)
    return signal.signal_id


def a_sent_report(db: Database, clock: Clock, signal_id: uuid.UUID) -> uuid.UUID:
    """A report whose one chain is still open, its first step delivered and a call noted."""
    request = report_request(signal_id)
    Store(db, now=clock, facts_grace=timedelta(0)).record_request(request)
    with db.transaction() as session:
        report = session.get(Report, request.report_id)
        assert report is not None
        report.state = ReportState.ACTIVE
        session.add(Lookup(report_id=request.report_id, lookup_index=0, victims=[], source=None,
                           state=LookupState.OPEN, closed_at=None))
        step = Step(report_id=request.report_id, lookup_index=0, step_index=0, contact_id="det",
                    contact={"id": "det"}, channel="phone", wait_s=60, business_hours=False,
                    state=StepState.DELIVERED, attempts=1, sent_at=clock.now)
        session.add(step)
        session.flush()
        session.add(CallLog(step_id=step.id, outcome="no_answer", specialist="sam",
                            note="left word with Pat about Mill Road", logged_at=clock.now))
    return request.report_id


def settle(db: Database, report_id: uuid.UUID, at: datetime) -> None:
    with db.transaction() as session:
        for lookup in session.query(Lookup).filter(Lookup.report_id == report_id):
            lookup.state, lookup.closed_at = LookupState.COMPLETED, at


def content(db: Database, signal_id: uuid.UUID) -> tuple[SignalContent, SignalFacts, list[CallLog]]:
    with db.read() as session:
        row, facts = session.get(SignalContent, signal_id), session.get(SignalFacts, signal_id)
        notes = list(session.query(CallLog))
        assert row is not None and facts is not None
        session.expunge_all()
    return row, facts, notes


def test_a_report_still_being_delivered_keeps_everything_then_each_class_goes_on_its_day(
        db: Database, clock: Clock, purge: LedgerPurge) -> None:
    signal_id = a_signal(db, clock)
    report_id = a_sent_report(db, clock, signal_id)
    clock.now = T0 + timedelta(days=4000)
    assert purge.run().signals == 0  # its chain is still open
    assert content(db, signal_id)[0].narrative == WORDS

    settled = T0 + timedelta(days=2)
    settle(db, report_id, settled)
    clock.now = settled + timedelta(days=89)
    assert purge.run().signals == 0
    clock.now = settled + timedelta(days=90)
    assert dict(purge.run().items) == {DataClass.CONTACT: 1}
    row, _, notes = content(db, signal_id)
    assert row.reporter is None and row.narrative == WORDS and notes[0].note is not None

    clock.now = settled + timedelta(days=3 * 365)
    assert dict(purge.run().items) == {DataClass.NARRATIVE: 2}
    row, facts, notes = content(db, signal_id)
    assert row.narrative == "" and row.location == {"country": "US", "state": "OH"}
    assert notes[0].note is None and notes[0].outcome == "no_answer"
    assert facts.victims[0]["count"] == 3 and facts.consent_to_share  # what statistics count stays

    again = purge.run()
    assert again.signals == 0 and not again.items
    with db.read() as session:
        assert {(p.data_class, p.settled_at) for p in session.query(ContentPurge)} == {
            ("contact", settled), ("narrative", settled)}


def test_a_signal_never_reported_is_purged_from_its_receipt(
        db: Database, clock: Clock, purge: LedgerPurge) -> None:
    signal_id = a_signal(db, clock)
    clock.now = T0 + timedelta(days=90)
    assert dict(purge.run().items) == {DataClass.CONTACT: 1}
    assert content(db, signal_id)[0].reporter is None


def test_never_keeps_a_class_in_the_ledger(db: Database, clock: Clock) -> None:
    signal_id = a_signal(db, clock)
    keep = LedgerPurge(db, Schedule.from_days({**DEFAULT_DAYS, DataClass.CONTACT: "never"}), now=clock)
    clock.now = T0 + timedelta(days=4000)
    assert dict(keep.run().items) == {DataClass.NARRATIVE: 1}
    assert content(db, signal_id)[0].reporter is not None
