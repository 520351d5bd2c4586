"""A minor's mandatory reports, owed once per case: opened by triage, an alert or a supervisor, carried
by one report two people approved, discharged by reporting's outcomes, and told to ops when late.

On SQLite here; ``tests/integration/test_review_obligations_postgres.py`` runs the same on PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from contracts import CODEC
from contracts.events import (
    Evidence,
    Flag,
    FlagName,
    OpsEvent,
    OpsKind,
    OutcomeKind,
    RelatedSignal,
    ReportConditions,
    ReportNeed,
    ReportOutcome,
    ReportRequested,
    ReviewDecision,
    Route,
    RoutingTarget,
    SignalReceived,
    SignalTriaged,
    TraffickingType,
    Urgency,
    UrgentAlert,
)
from contracts.reference_numbers import reference_for
from services.review import obligations, queries
from services.review.cases import CaseStore
from services.review.db import SCHEMA, Database
from services.review.decisions import Actor, DecisionError, Decisions
from services.review.models import AuditEntry, CaseObligation, OutboxRecord
from tests import builders
from tests.databases import sqlite_db
from tests.manual_clock import ManualClock

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
RECEIVED = NOW - timedelta(hours=3)
WITHIN = timedelta(hours=24)
ALICE = Actor("alice", "supervisor")
BOB = Actor("bob", "supervisor")
ANA = Actor("ana", "analyst")
MINOR = Flag(name=FlagName.MINOR, raised=True, evidence=[
    Evidence(rule_id="minor.declared_age", origin="declared", field="facts.victims[0].age")])
DANGER = Flag(name=FlagName.IMMINENT_DANGER, raised=True, evidence=[
    Evidence(rule_id="danger.declared", origin="declared", field="facts.danger_now")])
MINOR_CONDITIONS = ReportConditions(urgent=True, business_hours=True, minor=True,
                                    trafficking_type=TraffickingType.SEX)


class Clock(ManualClock):
    start = NOW


@pytest.fixture
def clock() -> Clock:
    return Clock()


db = sqlite_db(SCHEMA)


@pytest.fixture
def store(db: Database, clock: Clock) -> CaseStore:
    return CaseStore(db, urgent_ack=timedelta(minutes=5), now=clock, mandatory_within=WITHIN)


@pytest.fixture
def decisions(db: Database, clock: Clock) -> Decisions:
    return Decisions(db, now=clock, claim_ttl=timedelta(minutes=30), mandatory_within=WITHIN)


def received(**overrides: object) -> SignalReceived:
    signal = builders.received(received_at=RECEIVED, **overrides)
    return signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"test")})


def triaged_for(signal: SignalReceived, **overrides: object) -> SignalTriaged:
    fields: dict[str, object] = {"urgency": Urgency.P2_SAME_DAY, "flags": [MINOR],
                                 "conditions": MINOR_CONDITIONS,
                                 "routes": [Route(target=RoutingTarget.URGENT_ALERT, reason="minor"),
                                            Route(target=RoutingTarget.MANDATORY_REPORT, reason="minor")]}
    fields.update(overrides)
    return builders.triaged(signal_id=signal.signal_id, reference_number=signal.reference_number,
                            received_at=signal.received_at, **fields)


def minor_case(store: CaseStore, signal: SignalReceived | None = None) -> uuid.UUID:
    signal = signal or received(narrative="A girl of 15 works nights at the massage parlour.")
    store.apply_received(f"r-{signal.signal_id}", signal)
    change = store.apply_triaged(f"t-{signal.signal_id}", triaged_for(signal))
    assert change is not None
    return change.case_id


def obligation(db: Database, case_id: uuid.UUID) -> CaseObligation:
    with db.read() as session:
        row = session.get(CaseObligation, case_id)
        assert row is not None
        session.expunge(row)
        return row


def audited(db: Database, case_id: uuid.UUID) -> list[str]:
    with db.read() as session:
        return [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)
                                                  .order_by(AuditEntry.seq))
                if e.action.startswith("obligation_")]


def outbox(db: Database) -> list[object]:
    with db.read() as session:
        rows = list(session.scalars(select(OutboxRecord).order_by(OutboxRecord.id)))
    return [CODEC.decode(r.value.encode(), [(k, v.encode()) for k, v in r.headers]).event for r in rows]


def reports(db: Database) -> list[ReportRequested]:
    return [e for e in outbox(db) if isinstance(e, ReportRequested)]


def approved_report(decisions: Decisions, db: Database, case_id: uuid.UUID) -> ReportRequested:
    decisions.claim(case_id, ALICE)
    decision = decisions.request_le_report(case_id, ALICE, ReportNeed.TIP_REPORTING, "a minor at the spa")
    decisions.approve(decision.id, BOB, case_id=case_id)
    return reports(db)[-1]


def outcome(report: ReportRequested, kind: OutcomeKind, obligation_id: str, victim: int,
            step: int | None = None) -> ReportOutcome:
    return ReportOutcome(report_id=report.report_id, signal_id=report.signal_id,
                         reference_number=report.reference_number, need=report.need, victim=victim, step=step,
                         contact_id="ncmec" if step is not None else None,
                         channel="email" if step is not None else None, obligation=obligation_id, kind=kind,
                         occurred_at=NOW)


# ------------------------------------------------------------------ pure parts

def test_mandatory_report_states_combine_per_report_and_settle() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    rows = [(first, "ncmec-minor", "delivered"), (first, "fbi-minor", "delivered"),
            (first, "ncmec-minor", "completed")]
    assert obligations.report_states(rows) == {"ncmec-minor": "completed", "fbi-minor": "pending"}
    assert obligations.settled(obligations.report_states(rows)) == obligations.SENT
    rows.append((first, "fbi-minor", "exhausted"))
    assert obligations.settled(obligations.report_states(rows)) == obligations.FAILED
    rows += [(second, "fbi-minor", "delivered"), (second, "fbi-minor", "completed")]
    assert obligations.settled(obligations.report_states(rows)) == obligations.DISCHARGED
    assert obligations.settled({}) is None


# ------------------------------------------------------------------ opening

def test_triage_saying_minor_opens_one_obligation_due_from_the_signals_receipt(
    store: CaseStore, db: Database
) -> None:
    signal = received(narrative="A girl of 15 works nights at the massage parlour.")
    case_id = minor_case(store, signal)
    # Redelivered records (at-least-once) and a later follow-up change neither the count nor the clock.
    store.apply_triaged(f"t-{signal.signal_id}", triaged_for(signal))
    store.apply_triaged("t-again-other-id", triaged_for(signal, rules_version="test-2"))
    later = received(narrative="She is still there.",
                     related=RelatedSignal(relation="follow_up", reference_number=signal.reference_number))
    later = later.model_copy(update={"received_at": NOW})
    store.apply_received("r-later", later)
    store.apply_triaged("t-later", triaged_for(later))
    row = obligation(db, case_id)
    assert (row.state, row.basis, row.signal_id) == ("open", "triage", signal.signal_id)
    assert row.received_at == RECEIVED and row.due_at == RECEIVED + WITHIN
    assert audited(db, case_id) == ["obligation_opened"]
    with db.read() as session:
        assert len(list(session.scalars(select(CaseObligation)))) == 1


def test_an_adult_case_owes_nothing(store: CaseStore, db: Database) -> None:
    signal = received(narrative="Farm workers cannot leave.")
    store.apply_received("r1", signal)
    change = store.apply_triaged("t1", triaged_for(signal, flags=[Flag(name=FlagName.MINOR, raised=False)],
                                                   urgency=Urgency.P3_BUSINESS_DAYS, conditions=None,
                                                   routes=[Route(target=RoutingTarget.SUPERVISOR_QUEUE,
                                                                 reason="substantive")]))
    assert change is not None
    with db.read() as session:
        assert session.get(CaseObligation, change.case_id) is None


def test_an_urgent_alert_for_a_minor_opens_it_before_the_triage_arrives(
    store: CaseStore, db: Database
) -> None:
    signal = received(narrative="A 14 year old is kept at the motel.")
    alert = UrgentAlert(signal_id=signal.signal_id, reference_number=signal.reference_number,
                        channel=signal.channel, received_at=RECEIVED,
                        raised_at=RECEIVED + timedelta(seconds=1),
                        rules_version="test-1", urgency=Urgency.P2_SAME_DAY, reasons=[FlagName.MINOR],
                        required_actions=[RoutingTarget.URGENT_ALERT, RoutingTarget.MANDATORY_REPORT],
                        call_type=builders.triaged().call_type, trafficking_type=TraffickingType.SEX,
                        business_hours=True, sla_due_at=NOW + timedelta(hours=8))
    change = store.apply_alert("a1", alert)
    assert change is not None
    assert store.apply_alert("a1", alert) is None  # redelivered
    row = obligation(db, change.case_id)
    assert (row.state, row.basis, row.due_at) == ("open", "alert", RECEIVED + WITHIN)
    with db.read() as session:
        [item] = queries.queue(session, NOW, queries.QueueFilter(minor=True)).items
    assert item.case_id == change.case_id  # a report requested now would say minor too
    store.apply_received("r1", signal)
    store.apply_triaged("t1", triaged_for(signal))
    assert obligation(db, change.case_id).basis == "alert"
    assert audited(db, change.case_id) == ["obligation_opened"]


def test_a_supervisor_raising_minor_opens_it_and_clearing_it_withdraws_it(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    signal = received(narrative="A waitress at the bar looks very young.")
    store.apply_received("r1", signal)
    change = store.apply_triaged("t1", triaged_for(signal, flags=[Flag(name=FlagName.MINOR, raised=False)],
                                                   conditions=None))
    assert change is not None
    decisions.claim(change.case_id, ANA)
    decisions.override_flag(change.case_id, ANA, FlagName.MINOR, True, "the caller says she is 16")
    row = obligation(db, change.case_id)
    assert (row.state, row.basis, row.due_at) == ("open", "override", RECEIVED + WITHIN)
    with pytest.raises(DecisionError, match="mandatory reports"):
        decisions.close(change.case_id, ANA, "no_action_needed")
    decisions.override_flag(change.case_id, ANA, FlagName.MINOR, False, "ID seen: she is 22")
    assert obligation(db, change.case_id).state == "withdrawn"
    decisions.close(change.case_id, ANA, "no_action_needed")
    assert audited(db, change.case_id) == ["obligation_opened", "obligation_withdrawn"]


# ------------------------------------------------------------------ discharging through two people

def test_the_approved_report_carries_the_mandatory_reports_once_and_later_ones_skip_them(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    case_id = minor_case(store)
    decisions.claim(case_id, ANA)
    # One analyst's shelter referral never reaches NCMEC or the FBI.
    decisions.refer(case_id, ANA, ReportNeed.SHELTER_EMERGENCY, "needs a bed tonight")
    [referral] = reports(db)
    assert referral.mandatory_reports == "skip"
    assert obligation(db, case_id).state == "open"
    decision = decisions.request_le_report(case_id, ANA, ReportNeed.TIP_REPORTING, "a minor at the spa")
    assert (obligation(db, case_id).state, obligation(db, case_id).decision_id) == ("requested", decision.id)
    assert len(reports(db)) == 1  # nothing goes out before the second person approves
    decisions.approve(decision.id, ALICE, case_id=case_id)
    carrying = reports(db)[-1]
    assert carrying.mandatory_reports == "notify" and carrying.conditions.minor is True
    row = obligation(db, case_id)
    assert (row.state, row.report_id) == ("sent", carrying.report_id)
    # A second law-enforcement report and a later referral: NCMEC is not told again.
    second = decisions.request_le_report(case_id, ANA, ReportNeed.VICTIM_EXTRACTION, "she was moved")
    decisions.approve(second.id, ALICE, case_id=case_id)
    decisions.refer(case_id, ANA, ReportNeed.LEGAL_SERVICES, "a lawyer for her")
    assert [r.mandatory_reports for r in reports(db)] == ["skip", "notify", "skip", "skip"]
    assert audited(db, case_id) == ["obligation_opened", "obligation_requested", "obligation_approved"]


def test_a_rejected_request_leaves_the_obligation_owed_for_the_next_one(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    case_id = minor_case(store)
    decisions.claim(case_id, ANA)
    decision = decisions.request_le_report(case_id, ANA, ReportNeed.TIP_REPORTING, "a minor at the spa")
    decisions.reject(decision.id, ALICE, "not enough to report yet", case_id=case_id)
    assert obligation(db, case_id).state == "open"
    assert "obligation_request_rejected" in audited(db, case_id)


def test_reportings_outcomes_discharge_it_and_a_later_report_never_renotifies(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    case_id = minor_case(store)
    carrying = approved_report(decisions, db, case_id)
    for event_id, event in (("o1", outcome(carrying, OutcomeKind.DELIVERED, "ncmec-minor", 1, 0)),
                            ("o2", outcome(carrying, OutcomeKind.DELIVERED, "fbi-minor", 2, 0)),
                            ("o3", outcome(carrying, OutcomeKind.COMPLETED, "ncmec-minor", 1)),
                            ("o3", outcome(carrying, OutcomeKind.COMPLETED, "ncmec-minor", 1))):
        store.apply_outcome(event_id, event)
    assert obligation(db, case_id).state == "sent"  # the FBI has not acknowledged yet
    store.apply_outcome("o4", outcome(carrying, OutcomeKind.COMPLETED, "fbi-minor", 2))
    row = obligation(db, case_id)
    assert row.state == "discharged" and row.reports == {"ncmec-minor": "completed", "fbi-minor": "completed"}
    assert row.settled_at == NOW
    decisions.claim(case_id, ALICE)
    second = decisions.request_le_report(case_id, ALICE, ReportNeed.VICTIM_EXTRACTION, "she was moved")
    decisions.approve(second.id, BOB, case_id=case_id)
    assert reports(db)[-1].mandatory_reports == "skip"
    assert obligation(db, case_id).state == "discharged"
    assert audited(db, case_id) == ["obligation_opened", "obligation_requested", "obligation_approved",
                                    "obligation_discharged"]


def test_an_exhausted_mandatory_report_fails_it_and_the_next_approval_carries_it_again(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    case_id = minor_case(store)
    carrying = approved_report(decisions, db, case_id)
    store.apply_outcome("o1", outcome(carrying, OutcomeKind.COMPLETED, "ncmec-minor", 1))
    store.apply_outcome("o2", outcome(carrying, OutcomeKind.EXHAUSTED, "fbi-minor", 2))
    assert obligation(db, case_id).state == "failed"
    with pytest.raises(DecisionError, match="mandatory reports"):
        decisions.close(case_id, ALICE, "reported")
    again = decisions.request_le_report(case_id, ALICE, ReportNeed.TIP_REPORTING, "the FBI again")
    decisions.approve(again.id, BOB, case_id=case_id)
    assert reports(db)[-1].mandatory_reports == "notify"
    assert obligation(db, case_id).state == "sent"


def test_a_break_glass_report_for_a_minor_is_the_one_that_notifies(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    signal = received(narrative="A 15 year old is locked in the van right now, he has a gun.")
    store.apply_received("r1", signal)
    change = store.apply_triaged("t1", triaged_for(signal, urgency=Urgency.P1_ACT_NOW, flags=[MINOR, DANGER],
                                                   routes=[Route(target=RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS,
                                                                 reason="imminent_danger"),
                                                           Route(target=RoutingTarget.MANDATORY_REPORT,
                                                                 reason="minor")]))
    assert change is not None
    break_glass = ReportRequested.break_glass_id(signal.signal_id)
    row = obligation(db, change.case_id)
    assert (row.state, row.report_id) == ("sent", break_glass)
    decisions.claim(change.case_id, ALICE)
    decisions.request_le_report(change.case_id, ALICE, ReportNeed.VICTIM_EXTRACTION, "reviewed")
    decisions.refer(change.case_id, ALICE, ReportNeed.SHELTER_EMERGENCY, "a bed tonight")
    assert [r.mandatory_reports for r in reports(db)] == ["skip"]  # the review adds no report
    completed = ReportOutcome(report_id=break_glass, signal_id=signal.signal_id,
                              reference_number=signal.reference_number, need=ReportNeed.VICTIM_EXTRACTION,
                              victim=1, obligation="ncmec-minor", kind=OutcomeKind.COMPLETED, occurred_at=NOW)
    store.apply_outcome("o1", completed)
    assert obligation(db, change.case_id).state == "discharged"


def test_an_alert_ahead_of_a_break_glass_triage_leaves_the_notifying_to_the_break_glass_report(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    signal = received(narrative="A 15 year old is locked in the van right now, he has a gun.")
    alert = UrgentAlert(signal_id=signal.signal_id, reference_number=signal.reference_number,
                        channel=signal.channel, received_at=RECEIVED, raised_at=RECEIVED,
                        rules_version="test-1", urgency=Urgency.P1_ACT_NOW,
                        reasons=[FlagName.IMMINENT_DANGER, FlagName.MINOR],
                        required_actions=[RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS,
                                          RoutingTarget.MANDATORY_REPORT],
                        call_type=builders.triaged().call_type, trafficking_type=TraffickingType.SEX,
                        business_hours=True, sla_due_at=NOW)
    change = store.apply_alert("a1", alert)
    assert change is not None and obligation(db, change.case_id).state == "open"
    store.apply_received("r1", signal)
    store.apply_triaged("t1", triaged_for(signal, urgency=Urgency.P1_ACT_NOW, flags=[MINOR, DANGER],
                                          routes=[Route(target=RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS,
                                                        reason="imminent_danger")]))
    row = obligation(db, change.case_id)
    assert (row.state, row.report_id) == ("sent", ReportRequested.break_glass_id(signal.signal_id))
    decisions.claim(change.case_id, ALICE)
    decisions.request_le_report(change.case_id, ALICE, ReportNeed.VICTIM_EXTRACTION, "reviewed")
    assert reports(db) == []  # the break-glass report's review, not a second report


def test_a_minors_case_merged_into_another_takes_its_obligation_along(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    minor = minor_case(store)
    adult = received(narrative="Farm workers cannot leave.")
    store.apply_received("r-adult", adult)
    not_minor = [Flag(name=FlagName.MINOR, raised=False)]
    change = store.apply_triaged("t-adult", triaged_for(adult, flags=not_minor, conditions=None))
    assert change is not None
    decisions.claim(minor, ALICE)
    decisions.merge(minor, ALICE, adult.reference_number)  # failed with "the case has no signals"
    [merged] = [e for e in outbox(db) if isinstance(e, ReviewDecision) and e.kind.value == "merged"]
    assert merged.case_id == minor and merged.other_case_id == change.case_id
    row = obligation(db, change.case_id)
    assert (row.state, row.due_at) == ("open", RECEIVED + WITHIN)
    with db.read() as session:
        assert session.get(CaseObligation, minor) is None
        page = queries.queue(session, NOW, queries.QueueFilter(obligation_owed=True))
    assert [i.case_id for i in page.items] == [change.case_id]


# ------------------------------------------------------------------ the clock, the queue and the page

def test_late_and_failed_obligations_are_told_to_ops_once_each(
    store: CaseStore, decisions: Decisions, db: Database, clock: Clock
) -> None:
    late = minor_case(store)
    on_time = minor_case(store, received(narrative="A boy of 13 sells flowers at night.").model_copy(
        update={"received_at": NOW}))
    assert decisions.report_late_obligations() == []
    clock.now = RECEIVED + WITHIN + timedelta(minutes=10)
    assert [r.case_id for r in decisions.report_late_obligations()] == [late]
    assert decisions.report_late_obligations() == []  # once, not every tick
    with db.read() as session:
        assert obligations.counts(session, clock.now) == (1, 600.0, 0)
    carrying = approved_report(decisions, db, on_time)
    store.apply_outcome("o1", outcome(carrying, OutcomeKind.EXHAUSTED, "ncmec-minor", 1))
    told = decisions.report_late_obligations()
    assert [r.case_id for r in told] == [on_time]
    assert decisions.report_late_obligations() == []
    events = [e for e in outbox(db) if isinstance(e, OpsEvent)]
    assert [(e.kind, e.reason, e.record_id) for e in events] == [
        (OpsKind.SLA_BREACH, "mandatory_report_overdue", str(late)),
        (OpsKind.ESCALATION, "mandatory_report_failed", str(on_time))]
    assert all(e.severity.value == "critical" for e in events)
    assert len({e.event_id() for e in events}) == 2
    assert "obligation_overdue_reported" in audited(db, late)
    with db.read() as session:
        assert obligations.counts(session, clock.now) == (1, 600.0, 1)


def test_the_queue_finds_cases_owing_mandatory_reports_and_shows_their_clock(
    store: CaseStore, db: Database, clock: Clock
) -> None:
    owing = minor_case(store)
    adult = received(narrative="Farm workers cannot leave.")
    store.apply_received("r-adult", adult)
    store.apply_triaged("t-adult", triaged_for(adult, flags=[Flag(name=FlagName.MINOR, raised=False)],
                                               conditions=None))
    with db.read() as session:
        page = queries.queue(session, NOW, queries.QueueFilter(obligation_owed=True))
        everything = queries.queue(session, NOW)
        view = queries.case_view(session, owing, NOW)
    assert [i.case_id for i in page.items] == [owing]
    [item] = page.items
    assert (item.obligation, item.obligation_due_at, item.obligation_overdue) == (
        "open", RECEIVED + WITHIN, False)
    assert item.as_json()["obligation_due_at"] == (RECEIVED + WITHIN).isoformat()
    assert len(everything.items) == 2
    assert view is not None and view.obligation is not None
    assert view.obligation.seconds_left == 21 * 3600 and not view.obligation.overdue
    with db.read() as session:
        late = queries.case_view(session, owing, RECEIVED + WITHIN + timedelta(seconds=1))
    assert late is not None and late.obligation is not None and late.obligation.overdue
