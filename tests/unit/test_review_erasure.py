"""Erasure in review on SQLite (the same tests run on PostgreSQL in integration): a reporter's
request confirmed by a supervisor, staff's content erasure with two people, and what is audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from contracts.events import (
    AttachmentRef,
    ContactDetails,
    ErasureOrdered,
    ErasureRequested,
    ErasureScope,
    Evidence,
    Flag,
    FlagName,
    RelatedSignal,
    Reporter,
    SafeContact,
    SignalReceived,
)
from contracts.ids import derive_id
from services.review.cases import CaseStore
from services.review.db import SCHEMA, Database
from services.review.decisions import Actor, DecisionError, Forbidden
from services.review.erasure import ERASED, Erasures
from services.review.models import Attachment, AuditEntry, ErasureRequest, Signal
from tests.databases import sqlite_db
from tests.unit.test_review_cases import ALICE, ANA, BOB, NOW, Clock, _outbox, _triaged_for, received

CAROL = Actor("carol", "supervisor")


@pytest.fixture
def clock() -> Clock:
    return Clock()


db = sqlite_db(SCHEMA)


@pytest.fixture
def store(db: Database, clock: Clock) -> CaseStore:
    return CaseStore(db, urgent_ack=timedelta(minutes=5), now=clock)


@pytest.fixture
def erasures(db: Database, clock: Clock) -> Erasures:
    return Erasures(db, now=clock)


def _reporter(email: str) -> Reporter:
    return Reporter(anonymous=False, consent_to_contact=True, consent_to_share=True,
                    contact=ContactDetails(name="Sam Doe", email=email, phone="214-555-0123"),
                    safe_contact=SafeContact(safe_times="weekday mornings", text_ok=True),
                    preferred_language="es")


def _case_with_follow_up(store: CaseStore) -> tuple[SignalReceived, SignalReceived]:
    """A report with the reporter's contact details, and a follow-up they filed with its receipt."""
    report = received(reporter=_reporter("sam@example.org"))
    follow_up = received(reporter=_reporter("sam.new@example.org"),
                         related=RelatedSignal(relation="follow_up",
                                               reference_number=report.reference_number),
                         received_at=report.received_at + timedelta(hours=1))
    for signal in (report, follow_up):
        assert store.apply_received(f"r-{signal.signal_id}", signal) is not None
    return report, follow_up


def _request(reference: str) -> ErasureRequested:
    return ErasureRequested(request_id=derive_id("erasure.request", reference, "t1"),
                            reference_number=reference, requested_at=NOW)


def _signals(db: Database) -> dict[uuid.UUID, Signal]:
    with db.read() as session:
        return {s.signal_id: s for s in session.scalars(select(Signal))}


def _actions(db: Database) -> list[tuple[str, str]]:
    with db.read() as session:
        return [(e.actor, e.action) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def test_a_confirmed_request_erases_the_reporters_contact_details_and_orders_reporting_to(
        store: CaseStore, erasures: Erasures, db: Database) -> None:
    report, follow_up = _case_with_follow_up(store)
    request = _request(report.reference_number)
    assert erasures.record_request("e-1", request)
    assert not erasures.record_request("e-1", request)  # a redelivered record changes nothing
    [pending] = erasures.pending()
    assert (pending.request.scope, pending.signals) == ("contact", 2)
    # Nothing is erased on the request alone.
    assert _signals(db)[report.signal_id].reporter["contact"]["email"] == "sam@example.org"

    erasures.confirm(request.request_id, ALICE)

    for signal in _signals(db).values():
        assert signal.reporter is not None
        assert signal.reporter["contact"] is None and signal.reporter["safe_contact"] is None
        assert signal.reporter["consent_to_contact"] is False
        assert signal.reporter["preferred_language"] == "es"  # not contact details: kept
        assert signal.narrative  # the situation is kept
        assert "sam" not in repr(signal.reporter)
    [(topic, order)] = [(t, e) for t, e in _outbox(db) if isinstance(e, ErasureOrdered)]
    assert topic == "erasures.ordered"
    assert isinstance(order, ErasureOrdered)
    assert (order.scope, order.basis, order.reference_number) == (
        ErasureScope.CONTACT, "reporter_request", report.reference_number)
    assert set(order.signal_ids) == {report.signal_id, follow_up.signal_id}
    assert _actions(db)[-2:] == [("reporter", "erasure_requested"), ("alice", "erasure_confirmed")]
    assert erasures.pending() == []
    with pytest.raises(DecisionError, match="already confirmed"):
        erasures.confirm(request.request_id, BOB)


def test_only_the_reporters_own_submissions_lose_their_contact_details(
        store: CaseStore, erasures: Erasures, db: Database) -> None:
    report, _ = _case_with_follow_up(store)
    # Someone else's signal in the same case (triage linked it; a supervisor merged it in).
    other = received(reporter=_reporter("lee@example.org"))
    store.apply_received(f"r-{other.signal_id}", other)
    with db.transaction() as session:
        moved = session.get(Signal, other.signal_id)
        first = session.get(Signal, report.signal_id)
        assert moved is not None and first is not None
        moved.case_id = first.case_id
    request = _request(report.reference_number)
    erasures.record_request("e-1", request)
    erasures.confirm(request.request_id, ALICE)
    assert _signals(db)[other.signal_id].reporter["contact"]["email"] == "lee@example.org"


def test_only_a_supervisor_confirms_and_a_request_ahead_of_its_case_waits(
        store: CaseStore, erasures: Erasures, db: Database) -> None:
    report = received(reporter=_reporter("sam@example.org"))
    request = _request(report.reference_number)
    erasures.record_request("e-1", request)
    [pending] = erasures.pending()
    assert pending.case_id is None
    with pytest.raises(Forbidden):
        erasures.confirm(request.request_id, ANA)
    with pytest.raises(DecisionError, match="not reached review yet"):
        erasures.confirm(request.request_id, ALICE)
    store.apply_triaged("t-1", _triaged_for(report))  # the case exists; its signal is still on its way
    with pytest.raises(DecisionError, match="not fully reached review"):
        erasures.confirm(request.request_id, ALICE)
    store.apply_received("r-1", report)
    erasures.confirm(request.request_id, ALICE)
    assert _signals(db)[report.signal_id].reporter["contact"] is None


def test_a_rejected_request_erases_nothing_and_says_why_in_the_audit_trail(
        store: CaseStore, erasures: Erasures, db: Database) -> None:
    report, _ = _case_with_follow_up(store)
    request = _request(report.reference_number)
    erasures.record_request("e-1", request)
    with pytest.raises(DecisionError, match="say why"):
        erasures.reject(request.request_id, ALICE, " ")
    erasures.reject(request.request_id, ALICE, "legal hold on this case")
    assert _signals(db)[report.signal_id].reporter["contact"]["email"] == "sam@example.org"
    assert not [e for _, e in _outbox(db) if isinstance(e, ErasureOrdered)]
    assert _actions(db)[-1] == ("alice", "erasure_rejected")


def test_content_erasure_needs_a_second_supervisor_and_then_forgets_what_was_said(
        store: CaseStore, erasures: Erasures, db: Database) -> None:
    attachment = AttachmentRef(sha256="a" * 64, media_type="image/jpeg", size_bytes=10, filename="p.jpg")
    report = received(reporter=_reporter("sam@example.org"), attachments=[attachment],
                      narrative="She is kept at 12 Elm Street by Rick.")
    store.apply_received("r-1", report)
    store.apply_triaged("t-1", _triaged_for(report, flags=[Flag(
        name=FlagName.IMMINENT_DANGER, raised=True,
        evidence=[Evidence(rule_id="danger.kept", origin="text", start=4, end=11, matched_text="is kept")])]))
    case_id = _signals(db)[report.signal_id].case_id
    with pytest.raises(Forbidden):
        erasures.request_content_erasure(case_id, ANA, "court order 2026-CV-0042")
    with pytest.raises(DecisionError, match="instruction"):
        erasures.request_content_erasure(case_id, ALICE, "because")
    row = erasures.request_content_erasure(case_id, ALICE, "court order 2026-CV-0042")
    with pytest.raises(Forbidden, match="second supervisor"):
        erasures.confirm(row.id, ALICE)
    with pytest.raises(Forbidden):
        erasures.reject(row.id, ALICE, "changed my mind")
    assert _signals(db)[report.signal_id].narrative == "She is kept at 12 Elm Street by Rick."

    erasures.confirm(row.id, CAROL)

    signal = _signals(db)[report.signal_id]
    assert signal.narrative == ERASED and signal.subject is None and signal.attachments == []
    assert signal.reporter is not None and signal.reporter["contact"] is None
    assert "is kept" not in repr(signal.triage) and signal.triage is not None
    with db.read() as session:
        assert session.scalars(select(Attachment)).all() == []
        stored = session.get(ErasureRequest, row.id)
        assert stored is not None
        assert (stored.status, stored.requested_by, stored.decided_by) == ("confirmed", "alice", "carol")
    [order] = [e for _, e in _outbox(db) if isinstance(e, ErasureOrdered)]
    assert isinstance(order, ErasureOrdered)
    assert (order.scope, order.basis, order.signal_ids) == (
        ErasureScope.CONTENT, "staff_instruction", [report.signal_id])
    assert _actions(db)[-2:] == [("alice", "erasure_requested"), ("carol", "erasure_confirmed")]


def test_the_gauges_count_what_waits_and_how_long_the_oldest_has(
        store: CaseStore, erasures: Erasures, clock: Clock) -> None:
    from prometheus_client import CollectorRegistry

    from services.review.erasure_metrics import ErasureGauges

    registry = CollectorRegistry()
    gauges = ErasureGauges(registry)
    report, _ = _case_with_follow_up(store)
    request = _request(report.reference_number)
    erasures.record_request("e-1", request)
    gauges.observe(erasures, NOW + timedelta(hours=3))
    assert registry.get_sample_value("hotline_review_erasure_requests_pending") == 1
    assert registry.get_sample_value("hotline_review_erasure_requests_oldest_pending_seconds") == 3 * 3600
    erasures.confirm(request.request_id, ALICE)
    gauges.observe(erasures, NOW + timedelta(hours=4))
    assert registry.get_sample_value("hotline_review_erasure_requests_pending") == 0
    assert registry.get_sample_value("hotline_review_erasure_requests_oldest_pending_seconds") == 0
