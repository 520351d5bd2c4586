"""The case store and decisions on SQLite (the same tests run on PostgreSQL in integration)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from contracts import CODEC
from contracts.events import (
    Answer,
    DeclaredFacts,
    Evidence,
    Flag,
    FlagName,
    Nationality,
    OpsEvent,
    OutcomeKind,
    PhoneSource,
    RelatedSignal,
    ReportConditions,
    ReportNeed,
    ReportOutcome,
    ReportRequested,
    ReviewDecision,
    SignalReceived,
    SignalTriaged,
    TraffickingType,
    Urgency,
    UrgentAlert,
    Victim,
)
from contracts.reference_numbers import reference_for
from services.review import audit, queries
from services.review.cases import CaseStore
from services.review.db import SCHEMA, Database, migrate
from services.review.decisions import Actor, DecisionError, Decisions, Forbidden, NotFound
from services.review.evidence import evidence_for, highlight
from services.review.models import Case, OutboxRecord, Signal
from services.review.queries import QueueFilter, case_view, queue
from tests import builders
from tests.builders import triaged
from tests.databases import migrated
from tests.manual_clock import ManualClock
from triage.fanout import break_glass_report
from triage.rules import assess


def received(**overrides: object) -> SignalReceived:
    """A signal with a reference number of its own (the shared builder reuses one)."""
    signal = builders.received(**overrides)
    if "reference_number" in overrides:
        return signal
    return signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"test")})


NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ALICE = Actor("alice", "supervisor")
BOB = Actor("bob", "supervisor")
ANA = Actor("ana", "analyst")


class Clock(ManualClock):
    start = NOW


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    yield from migrated(SCHEMA, f"sqlite:///{tmp_path / 'review.sqlite3'}")


@pytest.fixture
def store(db: Database, clock: Clock) -> CaseStore:
    return CaseStore(db, urgent_ack=timedelta(minutes=5), now=clock)


@pytest.fixture
def decisions(db: Database, clock: Clock) -> Decisions:
    return Decisions(db, now=clock, claim_ttl=timedelta(minutes=30))


def _triaged_for(signal: object, **overrides: object) -> SignalTriaged:
    return triaged(
        signal_id=signal.signal_id,
        reference_number=signal.reference_number,  # type: ignore[attr-defined]
        received_at=signal.received_at,
        **overrides,
    )  # type: ignore[attr-defined]


def _outbox(db: Database) -> list[tuple[str, object]]:
    with db.read() as session:
        rows = list(session.scalars(select(OutboxRecord).order_by(OutboxRecord.id)))
    return [
        (row.topic, CODEC.decode(row.value.encode(), [(k, v.encode()) for k, v in row.headers]).event)
        for row in rows
    ]


# ------------------------------------------------------------------ applying the streams


def test_a_signal_and_its_triage_make_one_case_in_either_order(store: CaseStore, db: Database) -> None:
    first, second = received(narrative="A girl, 15, is kept at the motel."), received(narrative="Farm work.")
    store.apply_received("r1", first)
    store.apply_triaged("t1", _triaged_for(first, urgency=Urgency.P2_SAME_DAY))
    store.apply_triaged("t2", _triaged_for(second))  # triage first this time
    store.apply_received("r2", second)
    with db.read() as session:
        cases = list(session.scalars(select(Case)))
        signals = list(session.scalars(select(Signal)))
    assert len(cases) == 2 and len(signals) == 2
    assert all(s.narrative and s.triage for s in signals)
    urgent = next(c for c in cases if c.reference_number == first.reference_number)
    assert (urgent.urgency, urgent.triaged) == ("p2_same_day", True)
    assert urgent.ack_due_at == NOW + timedelta(minutes=5)


def test_an_event_applied_twice_changes_nothing(store: CaseStore, db: Database) -> None:
    signal = received()
    assert store.apply_received("r1", signal) is not None
    with db.read() as session:
        version = session.scalars(select(Case)).one().version
    assert store.apply_received("r1", signal) is None
    assert store.apply_triaged("t1", _triaged_for(signal)) is not None
    assert store.apply_triaged("t1", _triaged_for(signal)) is None
    with db.read() as session:
        assert session.scalars(select(Case)).one().version == version + 1


def test_follow_ups_and_call_fragments_join_their_case(store: CaseStore, db: Database) -> None:
    tip = received(narrative="Workers locked in at night.")
    follow_up = received(
        narrative="More: the van is white.",
        related=RelatedSignal(relation="follow_up", reference_number=tip.reference_number),
    )
    call = PhoneSource(call_id="CA123", fragment="call_record", system="twilio")
    record = received(channel="phone", source=call, narrative="")
    report = received(
        channel="phone",
        narrative="Caller says two minors at the address.",
        source=call.model_copy(update={"fragment": "specialist_report"}),
    )
    # The report's triage comes before the report itself: it first opens a case of its own.
    store.apply_received("1", tip)
    store.apply_received("2", follow_up)
    store.apply_received("3", record)
    store.apply_triaged("4", _triaged_for(report))
    store.apply_received("5", report)
    with db.read() as session:
        open_cases = list(session.scalars(select(Case).where(Case.status == "open")))
        merged = list(session.scalars(select(Case).where(Case.status == "merged")))
        by_case = {
            c.reference_number: {
                s.signal_id for s in session.scalars(select(Signal).where(Signal.case_id == c.id))
            }
            for c in open_cases
        }
    assert by_case == {
        tip.reference_number: {tip.signal_id, follow_up.signal_id},
        record.reference_number: {record.signal_id, report.signal_id},
    }
    assert [m.reference_number for m in merged] == [report.reference_number]


def test_signals_sharing_an_entity_are_linked_not_merged(
    store: CaseStore, db: Database, clock: Clock
) -> None:
    a, b = (
        received(narrative="Call 555 0100 about the spa."),
        received(narrative="The spa at 555 0100 again."),
    )
    store.apply_received("1", a)
    store.apply_triaged("2", _triaged_for(a))
    store.apply_received("3", b)
    store.apply_triaged(
        "4", _triaged_for(b, linked_signals=[{"signal_id": str(a.signal_id), "shared": ["phone"]}])
    )
    with db.read() as session:
        case_b = session.get(Case, session.get(Signal, b.signal_id).case_id)  # type: ignore[union-attr]
        view = case_view(session, case_b.id, clock())  # type: ignore[union-attr]
    assert view is not None
    assert [(item.reference_number, reason) for item, reason in view.linked] == [
        (a.reference_number, "shared:phone")
    ]


def test_an_alert_alone_opens_an_urgent_case(store: CaseStore, db: Database) -> None:
    example = json.loads(Path("contracts/examples/org.hotline.alert.urgent.v1.json").read_text())["value"]
    alert = UrgentAlert.model_validate({**example, "raised_at": (NOW - timedelta(minutes=1)).isoformat()})
    change = store.apply_alert("a1", alert)
    assert change is not None and change.urgent_alert and change.created
    with db.read() as session:
        case = session.scalars(select(Case)).one()
    assert case.urgency_rank <= 2 and case.ack_due_at == NOW + timedelta(minutes=4)


# ------------------------------------------------------------------ the queue


def test_the_queue_is_most_urgent_first_then_by_deadline_and_filters(
    monkeypatch: pytest.MonkeyPatch,
    store: CaseStore, db: Database, clock: Clock
) -> None:
    specs = [
        (Urgency.P3_BUSINESS_DAYS, 3, "TX"),
        (Urgency.P1_ACT_NOW, 2, "CA"),
        (Urgency.P3_BUSINESS_DAYS, 1, "TX"),
        (Urgency.P2_SAME_DAY, 5, "TX"),
        (Urgency.P1_ACT_NOW, 1, "NY"),
    ]
    refs = []
    for n, (urgency, days, state) in enumerate(specs):
        signal = received()
        store.apply_received(f"r{n}", signal)
        store.apply_triaged(
            f"t{n}",
            _triaged_for(
                signal,
                urgency=urgency,
                sla_due_at=NOW + timedelta(days=days),
                jurisdiction={"state": state, "origin": "declared"},
            ),
        )
        refs.append(signal.reference_number)
    with db.read() as session:
        everything = queue(session, clock())
        texas = queue(session, clock(), QueueFilter(state="TX"))
        second_page = queue(session, clock(), limit=2, offset=2)
        with monkeypatch.context() as patched:
            patched.setattr(queries, "COUNT_AHEAD", 2)
            bounded = queue(session, clock(), limit=1)
    assert (everything.total, everything.exact) == (5, True)
    assert [i.reference_number for i in everything.items] == [refs[4], refs[1], refs[3], refs[2], refs[0]]
    assert texas.total == 3 and {i.state for i in texas.items} == {"TX"}
    assert [i.reference_number for i in second_page.items] == [refs[3], refs[2]]
    assert (bounded.total, bounded.exact) == (2, False)  # shown as "2+"



# ------------------------------------------------------------------ decisions


def _urgent_case(store: CaseStore, **facts: object) -> tuple[uuid.UUID, object]:
    signal = received(
        narrative="A 15 year old is kept at the motel.", facts=DeclaredFacts(danger_now=Answer.NO)
    )
    store.apply_received(f"r-{signal.signal_id}", signal)
    change = store.apply_triaged(
        f"t-{signal.signal_id}", _triaged_for(signal, **{"urgency": Urgency.P2_SAME_DAY, **facts})
    )
    assert change is not None
    return change.case_id, signal


def test_claiming_acknowledges_and_nobody_else_can_work_the_case(
    store: CaseStore, decisions: Decisions, db: Database, clock: Clock
) -> None:
    case_id, signal = _urgent_case(store)
    decisions.claim(case_id, ALICE)
    with pytest.raises(DecisionError, match="being worked by alice"):
        decisions.claim(case_id, BOB)
    with pytest.raises(DecisionError, match="claim"):
        decisions.more_info(case_id, BOB, "need the address")
    clock.now += timedelta(minutes=31)  # the claim lapses
    decisions.claim(case_id, BOB)
    [(topic, event)] = _outbox(db)
    assert topic == "review.decisions" and isinstance(event, ReviewDecision)
    assert (event.kind.value, event.signal_id) == ("acknowledged", signal.signal_id)


def test_a_law_enforcement_report_needs_a_second_person(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    case_id, signal = _urgent_case(store)
    decisions.claim(case_id, ALICE)
    request = decisions.request_le_report(case_id, ALICE, ReportNeed.TIP_REPORTING, "Minor at the motel")
    with pytest.raises(Forbidden, match="second person"):
        decisions.approve(request.id, ALICE, case_id=case_id)
    assert not [e for t, e in _outbox(db) if t == "reports.requested"]
    other_case, _ = _urgent_case(store)
    with pytest.raises(NotFound, match="no such request on this case"):
        decisions.approve(request.id, BOB, case_id=other_case)
    with pytest.raises(NotFound, match="no such request on this case"):
        decisions.reject(request.id, BOB, "wrong case", case_id=other_case)
    assert not [e for t, e in _outbox(db) if t == "reports.requested"]
    decisions.approve(request.id, BOB, case_id=case_id)
    with pytest.raises(DecisionError, match="already effective"):
        decisions.approve(request.id, BOB, case_id=case_id)
    [report] = [e for t, e in _outbox(db) if t == "reports.requested"]
    assert isinstance(report, ReportRequested)
    assert (report.kind, report.requested_by, report.signal_id, report.need) == (
        "approved",
        "review",
        signal.signal_id,
        ReportNeed.TIP_REPORTING,
    )
    kinds = [e.kind.value for t, e in _outbox(db) if isinstance(e, ReviewDecision)]
    assert kinds == ["acknowledged", "le_report_requested", "le_report_approved"]
    with db.read() as session:
        assert session.get(Case, case_id).status == "open"  # type: ignore[union-attr]


def test_a_break_glass_case_is_reviewed_not_reported_twice(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    case_id, _ = _urgent_case(
        store,
        urgency=Urgency.P1_ACT_NOW,
        routes=[{"target": "law_enforcement_break_glass", "reason": "imminent_danger"}],
    )
    decisions.claim(case_id, ANA)
    decisions.request_le_report(case_id, ANA, ReportNeed.VICTIM_EXTRACTION, "Looked at it, correct")
    assert not [e for t, e in _outbox(db) if t == "reports.requested"]
    assert [e.kind.value for t, e in _outbox(db) if isinstance(e, ReviewDecision)][
        -1
    ] == "break_glass_reviewed"


def test_close_override_link_merge_and_reveal(store: CaseStore, decisions: Decisions, db: Database) -> None:
    case_id, signal = _urgent_case(store)
    other_id, other = _urgent_case(store)
    decisions.claim(case_id, ANA)
    decisions.override_flag(case_id, ANA, FlagName.MINOR, False, "she is 22, ID seen")
    decisions.link(case_id, ANA, other.reference_number)  # type: ignore[attr-defined]
    with pytest.raises(Forbidden):
        decisions.reveal_reporter(case_id, ANA, "I want to call them back")
    with pytest.raises(DecisionError, match="why"):
        decisions.reveal_reporter(case_id, ALICE, "because")
    revealed = decisions.reveal_reporter(case_id, ALICE, "Reporter asked for a call back today")
    assert revealed[0]["signal_id"] == str(signal.signal_id)
    with pytest.raises(DecisionError, match="close reason"):
        decisions.close(case_id, ANA, "bored")
    decisions.close(case_id, ANA, "general_information")
    decisions.claim(other_id, ALICE)
    with db.read() as session:
        assert session.get(Case, case_id).minor is False  # type: ignore[union-attr]
        actions = [e.action for e in audit_entries(db, case_id)]
    assert actions == ["claim", "acknowledge", "flag_override", "link", "reveal_reporter", "close"]
    overridden = [
        e for t, e in _outbox(db) if isinstance(e, ReviewDecision) and e.kind.value == "flag_overridden"
    ]
    assert overridden[0].flag is FlagName.MINOR and overridden[0].flag_value is False


def audit_entries(db: Database, case_id: uuid.UUID) -> list[audit.AuditEntry]:  # type: ignore[name-defined]
    from services.review.models import AuditEntry

    with db.read() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq))
        )


def test_an_unacknowledged_urgent_case_escalates_to_the_next_supervisor(
    store: CaseStore, decisions: Decisions, db: Database, clock: Clock
) -> None:
    from services.review.models import User

    with db.transaction() as session:
        for n, name in enumerate(("carol", "dave")):
            session.add(
                User(
                    username=name,
                    display_name=name,
                    role="supervisor",
                    password_hash=None,
                    active=True,
                    on_shift=True,
                    shift_order=n,
                    created_at=NOW,
                )
            )
    case_id, _ = _urgent_case(store)
    assert decisions.escalate_overdue(repeat_after=timedelta(minutes=5)) == []
    clock.now += timedelta(minutes=6)
    [(case, target)] = decisions.escalate_overdue(repeat_after=timedelta(minutes=5))
    assert (case.id, target, case.escalation_level) == (case_id, "carol", 1)
    assert decisions.escalate_overdue(repeat_after=timedelta(minutes=5)) == []  # not again at once
    clock.now += timedelta(minutes=6)
    [(_, target)] = decisions.escalate_overdue(repeat_after=timedelta(minutes=5))
    assert target == "dave"
    ops = [e for t, e in _outbox(db) if t == "ops.events"]
    assert len(ops) == 2 and all(isinstance(e, OpsEvent) and e.kind.value == "escalation" for e in ops)
    decisions.claim(case_id, ALICE)  # acknowledged: no more escalations
    clock.now += timedelta(minutes=30)
    assert decisions.escalate_overdue(repeat_after=timedelta(minutes=5)) == []


def test_a_missed_non_urgent_deadline_is_reported_to_ops_once_and_counted(
    store: CaseStore, decisions: Decisions, db: Database, clock: Clock
) -> None:
    signal = received(narrative="The cooks sleep above the restaurant.")
    store.apply_received(f"r-{signal.signal_id}", signal)
    change = store.apply_triaged(f"t-{signal.signal_id}", _triaged_for(
        signal, urgency=Urgency.P3_BUSINESS_DAYS, sla_due_at=NOW + timedelta(hours=1)))
    assert change is not None
    urgent_id, _ = _urgent_case(store)  # unacknowledged urgent work escalates instead (above)
    with db.read() as session:
        assert queries.past_deadline(session, clock.now) == {}
    assert decisions.report_missed_deadlines() == []
    clock.now += timedelta(hours=2)
    [missed] = decisions.report_missed_deadlines()
    assert missed.id == change.case_id
    assert decisions.report_missed_deadlines() == []  # once per deadline
    [(_, event)] = [(t, e) for t, e in _outbox(db) if t == "ops.events"]
    assert isinstance(event, OpsEvent) and event.kind.value == "sla_breach"
    assert (event.severity.value, event.reason) == ("warning", "deadline_missed_p3_business_days")
    assert event.record_id == str(change.case_id) and event.signal_id == signal.signal_id
    assert event.value == 3600.0  # seconds past the deadline when it was seen
    with db.read() as session:
        assert queries.past_deadline(session, clock.now) == {"p3_business_days": (1, 3600.0)}
        history = case_view(session, change.case_id, clock.now)
    assert history is not None and [e.action for e in history.history][-1] == "deadline_missed"
    assert history.item.overdue  # the queue's mark, as before
    decisions.claim(change.case_id, ALICE)
    decisions.close(change.case_id, ALICE, "referred")
    with db.read() as session:
        assert queries.past_deadline(session, clock.now) == {}
    assert urgent_id not in {c.id for c in decisions.report_missed_deadlines()}


def test_several_overdue_urgent_cases_all_escalate_at_every_level(
    store: CaseStore, decisions: Decisions, db: Database, clock: Clock
) -> None:
    case_ids = {_urgent_case(store)[0] for _ in range(3)}
    clock.now += timedelta(minutes=6)
    first = decisions.escalate_overdue(repeat_after=timedelta(minutes=5))
    assert {case.id for case, _ in first} == case_ids
    assert all(case.escalation_level == 1 for case, _ in first)
    clock.now += timedelta(minutes=6)
    second = decisions.escalate_overdue(repeat_after=timedelta(minutes=5))
    assert {(case.id, case.escalation_level) for case, _ in second} == {(c, 2) for c in case_ids}
    ops = [e for t, e in _outbox(db) if t == "ops.events"]
    assert isinstance(ops[0], OpsEvent)
    assert len({e.event_id() for e in ops if isinstance(e, OpsEvent)}) == len(ops) == 6
    assert {(e.record_id, e.sequence) for e in ops if isinstance(e, OpsEvent)} == {
        (str(c), level) for c in case_ids for level in (1, 2)}


def test_a_newly_overdue_case_escalates_while_a_hundred_earlier_ones_wait_for_their_repeat(
    store: CaseStore, decisions: Decisions, clock: Clock
) -> None:
    # A tick takes at most 100 cases; the ones escalated and waiting for their repeat used to fill
    # that page for good, so the 101st overdue case never escalated (the fault drill's unclaimed cases).
    hour = timedelta(hours=1)
    earlier = {_urgent_case(store)[0] for _ in range(100)}
    clock.now += timedelta(minutes=6)
    assert {case.id for case, _ in decisions.escalate_overdue(repeat_after=hour)} == earlier
    later, _ = _urgent_case(store)
    clock.now += timedelta(minutes=6)
    assert [case.id for case, _ in decisions.escalate_overdue(repeat_after=hour)] == [later]


def test_the_audit_trail_cannot_be_changed_by_the_application(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    case_id, _ = _urgent_case(store)
    decisions.claim(case_id, ALICE)
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), db.transaction() as session:
            session.execute(text(statement))
    assert audit.verify(db).ok


# ------------------------------------------------------------------ evidence in the text


def test_evidence_is_highlighted_where_triage_found_it() -> None:
    narrative = "Her friend, 15, is locked in the back room tonight."
    triage = {
        "flags": [
            {
                "name": "minor",
                "raised": True,
                "evidence": [
                    {
                        "rule_id": "minor.age_number",
                        "origin": "text",
                        "field": "narrative",
                        "start": 12,
                        "end": 14,
                        "matched_text": "15",
                    }
                ],
            },
            {
                "name": "imminent_danger",
                "raised": True,
                "evidence": [
                    {
                        "rule_id": "danger.confined",
                        "origin": "text",
                        "field": "narrative",
                        "start": 19,
                        "end": 28,
                        "matched_text": "locked in",
                    },
                    {
                        "rule_id": "danger.stale",
                        "origin": "text",
                        "field": "narrative",
                        "start": 0,
                        "end": 3,
                        "matched_text": "XYZ",
                    },
                ],
            },
        ]
    }
    marks = highlight(narrative, evidence_for(triage, "narrative"))
    assert "".join(m.text for m in marks) == narrative
    assert [(m.text, m.flags) for m in marks if m.flags] == [
        ("15", ("minor",)),
        ("locked in", ("imminent_danger",)),
    ]


# ------------------------------------------------------------------ what reporting did


def _outcome(signal: SignalReceived, kind: str, *, step: int | None = 0, at: datetime = NOW) -> ReportOutcome:
    return ReportOutcome(
        report_id=uuid.uuid5(uuid.NAMESPACE_URL, f"report:{signal.signal_id}"), signal_id=signal.signal_id,
        reference_number=signal.reference_number, need=ReportNeed.TIP_REPORTING, victim=0, step=step,
        contact_id="tx-det-smith", channel="email", kind=OutcomeKind(kind), occurred_at=at)


def test_report_outcomes_are_kept_and_an_exhausted_chain_reopens_the_case(
    store: CaseStore, decisions: Decisions, db: Database, clock: Clock
) -> None:
    case_id, signal = _urgent_case(store)
    decisions.claim(case_id, ANA)
    decisions.close(case_id, ANA, "reported")
    for n, (kind, step) in enumerate((("delivered", 0), ("timed_out", 0), ("skipped_unavailable", 1))):
        event = _outcome(signal, kind, step=step, at=NOW + timedelta(minutes=n))  # type: ignore[arg-type]
        assert store.apply_outcome(event.event_id(), event) is not None
        assert store.apply_outcome(event.event_id(), event) is None  # a redelivery changes nothing
    with db.read() as session:
        view = case_view(session, case_id, clock())
        assert view is not None and view.item.status == "closed" and not view.item.report_exhausted
        assert [(o.kind, o.step) for o in view.outcomes] == [
            ("delivered", 0), ("timed_out", 0), ("skipped_unavailable", 1)]
    exhausted = _outcome(signal, "exhausted", step=None)  # type: ignore[arg-type]
    change = store.apply_outcome(exhausted.event_id(), exhausted)
    assert change is not None and change.urgent_alert  # pushed to open queue pages
    with db.read() as session:
        view = case_view(session, case_id, clock())
        assert view is not None
        assert (view.item.status, view.item.report_exhausted) == ("open", True)
        assert view.history[-1].action == "report_chain_exhausted"


def test_an_outcome_that_outruns_its_signal_opens_the_case_the_signal_then_joins(
    store: CaseStore, db: Database
) -> None:
    signal = received(narrative="Locked in the van tonight.")
    early = _outcome(signal, "delivered")
    store.apply_outcome(early.event_id(), early)
    store.apply_received("r", signal)
    with db.read() as session:
        [case] = list(session.scalars(select(Case)))
        assert session.get(Signal, signal.signal_id).case_id == case.id  # type: ignore[union-attr]


# ------------------------------------------------------------------ the conditions a report is resolved by


def _referral(decisions: Decisions, db: Database, case_id: uuid.UUID) -> ReportRequested:
    decisions.claim(case_id, ALICE)
    decisions.refer(case_id, ALICE, ReportNeed.IMMIGRATION_SERVICES, "Needs an immigration attorney")
    [report] = [e for t, e in _outbox(db) if t == "reports.requested"]
    assert isinstance(report, ReportRequested) and report.kind == "approved"
    return report


def test_break_glass_and_review_report_a_text_only_foreign_national_alike(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    """No nationality declared, only the words: triage's break-glass report and the referral review
    sends for the same case follow the same protocol columns."""
    signal = received(narrative="She was brought from Guatemala and is locked in the back room of the bar "
                                "right now, he has a gun.")
    assessed = assess(signal, now=NOW)
    break_glass = break_glass_report(assessed)
    assert break_glass is not None and break_glass.conditions.foreign_national is True
    store.apply_received("r1", signal)
    change = store.apply_triaged("t1", assessed)
    assert change is not None
    reviewed = _referral(decisions, db, change.case_id)
    assert reviewed.conditions == break_glass.conditions


_DECLARED_MINOR = Flag(name=FlagName.MINOR, raised=True, evidence=[
    Evidence(rule_id="minor.declared_age", origin="declared", field="facts.victims[0].age")])


def test_a_supervisors_word_on_minor_stands_over_the_conditions_triage_carried(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    signal = received(narrative="A 15 year old works nights at the restaurant.")
    carried = ReportConditions(urgent=True, business_hours=False, minor=True, foreign_national=False,
                               trafficking_type=TraffickingType.LABOR)
    store.apply_received("r1", signal)
    change = store.apply_triaged("t1", _triaged_for(
        signal, urgency=Urgency.P2_SAME_DAY, flags=[_DECLARED_MINOR], conditions=carried))
    assert change is not None
    decisions.claim(change.case_id, ALICE)
    decisions.override_flag(change.case_id, ALICE, FlagName.MINOR, False, "ID seen: she is 22")
    report = _referral(decisions, db, change.case_id)
    assert report.conditions == carried.model_copy(update={"minor": False})


def test_a_supervisors_word_on_minor_outlasts_a_later_signal_on_the_case(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    signal = received(narrative="A 15 year old works nights at the restaurant.")
    store.apply_received("r1", signal)
    change = store.apply_triaged("t1", _triaged_for(signal, urgency=Urgency.P2_SAME_DAY,
                                                    flags=[_DECLARED_MINOR]))
    assert change is not None
    decisions.claim(change.case_id, ALICE)
    decisions.override_flag(change.case_id, ALICE, FlagName.MINOR, False, "ID seen: she is 22")
    # The same reporter writes again; triage, knowing nothing of the ID, raises minor once more.
    later = received(narrative="Update: she is still working nights there.",
                     related=RelatedSignal(relation="follow_up", reference_number=signal.reference_number))
    store.apply_received("r2", later)
    store.apply_triaged("t2", _triaged_for(later, urgency=Urgency.P2_SAME_DAY, flags=[_DECLARED_MINOR]))
    with db.read() as session:
        case = session.get(Case, change.case_id)
        assert case is not None and case.minor is False
    assert _referral(decisions, db, change.case_id).conditions.minor is False


def test_a_case_triaged_before_triage_carried_conditions_is_judged_as_before(
    store: CaseStore, decisions: Decisions, db: Database
) -> None:
    signal = received(narrative="They keep our passports.",
                      facts=DeclaredFacts(victims=[Victim(nationality=Nationality.FOREIGN_NATIONAL)]))
    store.apply_received("r1", signal)
    older = _triaged_for(signal, urgency=Urgency.P2_SAME_DAY, business_hours=False)
    assert older.conditions is None
    change = store.apply_triaged("t1", older)
    assert change is not None
    report = _referral(decisions, db, change.case_id)
    assert report.conditions == ReportConditions(
        urgent=True, business_hours=False, minor=False, foreign_national=True,
        trafficking_type=TraffickingType.LABOR)


def test_the_migrations_build_exactly_the_models_and_go_down_again(db: Database) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from services.review.db import alembic_config
    from services.review.models import Base

    url = db.url  # migrated by the fixture
    db.dispose()
    engine = create_engine(url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()
    command.downgrade(alembic_config(url), "base")
    migrate(url)
