"""A minor's case owes its mandatory reports once: opening the obligation, carrying it on one approved
report, discharging it from reporting's outcomes, and telling ops when it is late or has failed.

The states (``CaseObligation.state``):

* ``open``: owed; nothing carries it yet. The next law-enforcement request carries it.
* ``requested``: a law-enforcement request carrying it waits for a second person's approval.
* ``sent``: an approved report (or a break-glass report) is making the mandatory reports.
* ``discharged``: reporting says every mandatory report it made was completed (acknowledged).
* ``failed``: a mandatory report's contact chain ran out unacknowledged; owed again, so the
  next request carries it again.
* ``withdrawn``: a supervisor cleared the minor flag before anything was sent.

Every report or referral other than the one that carries the obligation says
``mandatory_reports: skip``, so NCMEC and the FBI hear of a case once, through two people (or
through break-glass, for imminent danger).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contracts.events import (
    FlagName,
    OpsEvent,
    OpsKind,
    OutcomeKind,
    ReportRequested,
    RoutingTarget,
    Severity,
)
from contracts.ids import derive_id
from services.review import audit
from services.review.case_rows import CaseFacts, SignalFacts
from services.review.models import Case, CaseObligation, ReportOutcomeRow, Signal

OPEN: Final = "open"
REQUESTED: Final = "requested"
SENT: Final = "sent"
DISCHARGED: Final = "discharged"
FAILED: Final = "failed"
WITHDRAWN: Final = "withdrawn"
# Not settled: on the clock, shown in the queue's "mandatory reports owed" filter.
OWED: Final = (OPEN, REQUESTED, SENT, FAILED)
# What the next law-enforcement request (or approval) carries.
UNSENT: Final = (OPEN, FAILED)
WORDS: Final = {
    OPEN: "owed: request a law-enforcement report (a second person approves it)",
    REQUESTED: "requested: waiting for a second person's approval",
    SENT: "sent: reporting is making the mandatory reports",
    DISCHARGED: "discharged: every mandatory report was acknowledged",
    FAILED: "failed: a mandatory report was not acknowledged; request it again",
    WITHDRAWN: "withdrawn: a supervisor cleared the minor flag",
}
Mode = Literal["notify", "skip"] | None


# ------------------------------------------------------------------ pure parts

def due(received_at: datetime, within: timedelta) -> datetime:
    return received_at + within


def report_states(rows: Iterable[tuple[uuid.UUID, str, str]]) -> dict[str, str]:
    """Per mandatory report, from reporting's outcomes ``(report_id, obligation, kind)`` in order:
    ``completed`` when any report completed it, else ``pending`` while any report still tries,
    else ``failed``."""
    per_report: dict[tuple[uuid.UUID, str], str] = {}
    for report_id, obligation, kind in rows:
        key = (report_id, obligation)
        if kind == OutcomeKind.COMPLETED:
            per_report[key] = "completed"
        elif kind == OutcomeKind.EXHAUSTED:
            if per_report.get(key) != "completed":
                per_report[key] = "failed"
        else:
            per_report.setdefault(key, "pending")
    combined: dict[str, str] = {}
    rank = {"completed": 2, "pending": 1, "failed": 0}
    for (_, obligation), state in per_report.items():
        current = combined.get(obligation)
        if current is None or rank[state] > rank[current]:
            combined[obligation] = state
    return combined


def settled(reports: dict[str, str]) -> str | None:
    """The obligation's state from its mandatory reports' (None: reporting has said nothing yet)."""
    if not reports:
        return None
    states = set(reports.values())
    if states == {"completed"}:
        return DISCHARGED
    if "pending" in states:
        return SENT
    return FAILED


def mode_for_approval(obligation: CaseObligation | None, decision_id: uuid.UUID) -> Mode:
    """What an approved law-enforcement report says of the mandatory reports: it makes them when the
    case owes them and nothing else carries them; it skips them when another report did or does."""
    if obligation is None or obligation.state == WITHDRAWN:
        return None  # no minor known to review: reporting follows the protocol as before
    carrying = obligation.state == REQUESTED and obligation.decision_id == decision_id
    if obligation.state in UNSENT or carrying:
        return "notify"
    return "skip"


@dataclass(frozen=True)
class ObligationView:
    """What the queue and the case page show of a case's obligation."""

    state: str
    words: str
    due_at: datetime
    received_at: datetime
    seconds_left: float  # negative: overdue by that much
    overdue: bool
    reports: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {"state": self.state, "due_at": self.due_at.isoformat(),
                "received_at": self.received_at.isoformat(), "seconds_left": round(self.seconds_left),
                "overdue": self.overdue, "reports": self.reports}


def view(obligation: CaseObligation | None, now: datetime) -> ObligationView | None:
    if obligation is None:
        return None
    left = (obligation.due_at - now).total_seconds()
    return ObligationView(state=obligation.state, words=WORDS.get(obligation.state, obligation.state),
                          due_at=obligation.due_at, received_at=obligation.received_at, seconds_left=left,
                          overdue=obligation.state in OWED and left < 0, reports=dict(obligation.reports))


# ------------------------------------------------------------------ the case store's side

def _minor_raised(signal: SignalFacts) -> bool:
    triage = signal.triage or {}
    return any(f["name"] == FlagName.MINOR.value and f["raised"] for f in triage.get("flags", []))


def _break_glass_minor(signals: Sequence[SignalFacts]) -> SignalFacts | None:
    """A signal whose break-glass report (triage's, at once) carried the minor: it makes the
    mandatory reports itself (the "break-glass cases aside")."""
    for signal in signals:
        triage = signal.triage or {}
        routed = any(r["target"] == RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS.value
                     for r in triage.get("routes", []))
        conditions = triage.get("conditions") or {}
        if routed and (conditions.get("minor") or _minor_raised(signal)):
            return signal
    return None


def sync(session: Session, case: CaseFacts, *, owed: bool, now: datetime, within: timedelta, basis: str,
         actor: str = "system", alerted: uuid.UUID | None = None,
         known: tuple[Sequence[SignalFacts], CaseObligation | None] | None = None) -> None:
    """Bring the case's obligation in line with whether a minor is involved (``owed``). Idempotent:
    a record applied again finds the obligation as it left it. ``alerted``: a signal an urgent
    alert says brought a minor (the alert may arrive before the signal's triage). ``known``: the
    case's signals and obligation row, when the caller read them already (a batch reads them for
    every case it touched in one statement each, instead of two statements per case here)."""
    signals: Sequence[SignalFacts]
    if known is None:
        signals = list(session.scalars(select(Signal).where(Signal.case_id == case.id)
                                       .order_by(Signal.received_at, Signal.signal_id)))
        row = session.get(CaseObligation, case.id)
    else:
        signals = sorted(known[0], key=lambda s: (s.received_at, s.signal_id))
        row = known[1]
    if not owed:
        if row is not None and row.state in (OPEN, REQUESTED, FAILED):
            row.state, row.decision_id, row.updated_at = WITHDRAWN, None, now
            audit.append(session, actor=actor, action="obligation_withdrawn", case_id=case.id, at=now,
                         detail={"basis": basis})
        return
    minors = [s for s in signals if _minor_raised(s) or s.signal_id == alerted]
    brought = minors[0] if minors else (signals[0] if signals else None)
    received = brought.received_at if brought is not None else now
    if row is None:
        row = CaseObligation(case_id=case.id, state=OPEN, basis=basis,
                             signal_id=brought.signal_id if brought else None, received_at=received,
                             due_at=due(received, within), opened_at=now, decision_id=None, report_id=None,
                             reports={}, settled_at=None, overdue_reported=False, failed_reported=False,
                             updated_at=now)
        covered = _break_glass_minor(signals) if case.break_glass else None
        if covered is not None:
            row.state, row.report_id = SENT, ReportRequested.break_glass_id(covered.signal_id)
        session.add(row)
        session.flush()
        audit.append(session, actor=actor, action="obligation_opened", case_id=case.id, at=now, detail={
            "basis": basis, "signal_id": str(row.signal_id) if row.signal_id else None,
            "due_at": row.due_at.isoformat(), "state": row.state})
        return
    if row.state == WITHDRAWN:
        row.state = OPEN
        audit.append(session, actor=actor, action="obligation_reopened", case_id=case.id, at=now,
                     detail={"basis": basis, "due_at": row.due_at.isoformat()})
    covered = _break_glass_minor(signals) if case.break_glass and row.state in (OPEN, REQUESTED) else None
    if covered is not None:
        # The alert opened it before the triage that sent the break-glass report arrived: that
        # report makes the mandatory reports, and a request waiting for approval will not again.
        row.state, row.report_id = SENT, ReportRequested.break_glass_id(covered.signal_id)
        audit.append(session, actor=actor, action="obligation_sent", case_id=case.id, at=now,
                     detail={"report_id": str(row.report_id), "basis": "break_glass"})
    if row.state in OWED and received < row.received_at:
        # An earlier signal brought the minor (the streams arrive in any order): its clock counts.
        row.signal_id = brought.signal_id if brought else row.signal_id
        row.received_at, row.due_at = received, due(received, within)
    row.updated_at = now


def record_outcome(session: Session, case: Case, report_id: uuid.UUID, *, now: datetime,
                   within: timedelta) -> None:
    """Reporting said something of a mandatory report on this case: the obligation follows it."""
    session.flush()  # the outcome just added is one of the rows read below
    row = session.get(CaseObligation, case.id)
    if row is None:
        # Reporting found a minor review had not (a declared age, or a break-glass report ahead of
        # its triage): the obligation exists all the same, and is tracked from here.
        sync(session, case, owed=True, now=now, within=within, basis="reporting")
        row = session.get_one(CaseObligation, case.id)
    rows = session.execute(select(ReportOutcomeRow.report_id, ReportOutcomeRow.obligation,
                                  ReportOutcomeRow.kind)
                           .where(ReportOutcomeRow.case_id == case.id,
                                  ReportOutcomeRow.obligation.is_not(None))
                           .order_by(ReportOutcomeRow.occurred_at, ReportOutcomeRow.event_id)).all()
    row.reports = report_states((r, str(o), k) for r, o, k in rows)
    row.report_id = row.report_id or report_id
    state = settled(row.reports)
    if state is None or state == row.state:
        return
    previous, row.state, row.updated_at = row.state, state, now
    row.settled_at = now if state in (DISCHARGED, FAILED) else None
    if state == SENT:
        row.decision_id = None
    audit.append(session, actor="system", action=f"obligation_{state}", case_id=case.id, at=now, detail={
        "report_id": str(report_id), "previous": previous, "reports": dict(sorted(row.reports.items()))})


def move(session: Session, from_case: uuid.UUID, into: Case, now: datetime) -> None:
    """A merged case's obligation goes with its signals, unless the case it joins has one."""
    row = session.get(CaseObligation, from_case)
    if row is None or session.get(CaseObligation, into.id) is not None:
        return
    moved = CaseObligation(**{c.key: getattr(row, c.key) for c in CaseObligation.__table__.columns})
    moved.case_id, moved.updated_at = into.id, now
    session.delete(row)
    session.flush()
    session.add(moved)


# ------------------------------------------------------------------ decisions' side

def request(session: Session, case: Case, decision_id: uuid.UUID, actor: str, now: datetime) -> Mode:
    """A law-enforcement request: it carries the obligation when nothing else does."""
    row = session.get(CaseObligation, case.id)
    if row is None or row.state == WITHDRAWN:
        return None
    if row.state not in UNSENT:
        return "skip"
    row.state, row.decision_id, row.updated_at = REQUESTED, decision_id, now
    audit.append(session, actor=actor, action="obligation_requested", case_id=case.id, at=now,
                 detail={"decision_id": str(decision_id), "due_at": row.due_at.isoformat()})
    return "notify"


def approve(session: Session, case: Case, decision_id: uuid.UUID, report_id: uuid.UUID, actor: str,
            now: datetime) -> Mode:
    """The second person approved a law-enforcement report: the mandatory reports go with it if owed."""
    row = session.get(CaseObligation, case.id)
    mode = mode_for_approval(row, decision_id)
    if mode == "notify" and row is not None:
        row.state, row.decision_id, row.report_id, row.updated_at = SENT, decision_id, report_id, now
        row.reports, row.settled_at = {}, None
        audit.append(session, actor=actor, action="obligation_approved", case_id=case.id, at=now,
                     detail={"decision_id": str(decision_id), "report_id": str(report_id)})
    return mode


def reject(session: Session, case: Case, decision_id: uuid.UUID, actor: str, now: datetime) -> None:
    row = session.get(CaseObligation, case.id)
    if row is not None and row.state == REQUESTED and row.decision_id == decision_id:
        row.state, row.decision_id, row.updated_at = OPEN, None, now
        audit.append(session, actor=actor, action="obligation_request_rejected", case_id=case.id, at=now,
                     detail={"decision_id": str(decision_id)})


def unsent(session: Session, case_id: uuid.UUID) -> bool:
    row = session.get(CaseObligation, case_id)
    return row is not None and row.state in UNSENT


def blocks_closing(session: Session, case_id: uuid.UUID) -> bool:
    row = session.get(CaseObligation, case_id)
    return row is not None and row.state in (OPEN, REQUESTED, FAILED)


# ------------------------------------------------------------------ the clock

def report_late(session: Session, now: datetime, enqueue: Callable[[OpsEvent], None],
                first_signal: Callable[[uuid.UUID], uuid.UUID | None]) -> list[CaseObligation]:
    """Owed obligations past their due time, and failed ones: one ops event and one audit entry
    each, once per obligation (the flags say it was told). Returns those reported."""
    told: list[CaseObligation] = []
    late = session.scalars(select(CaseObligation).join(Case, Case.id == CaseObligation.case_id).where(
        Case.status != "merged",
        ((CaseObligation.state.in_(OWED)) & (CaseObligation.due_at < now)
         & CaseObligation.overdue_reported.is_(False))
        | ((CaseObligation.state == FAILED) & CaseObligation.failed_reported.is_(False)))
        .order_by(CaseObligation.due_at).limit(100)).all()
    for row in late:
        for what in ("overdue", "failed"):
            if what == "overdue" and (row.overdue_reported or row.state not in OWED or row.due_at >= now):
                continue
            if what == "failed" and (row.failed_reported or row.state != FAILED):
                continue
            # One event per obligation and kind: the sequence derives from both, so a retry (or
            # another replica) writes the same event id.
            sequence = derive_id("review.obligation", str(row.case_id), what).int >> 66
            enqueue(OpsEvent(
                service="review", instance="review-sla",
                kind=OpsKind.SLA_BREACH if what == "overdue" else OpsKind.ESCALATION,
                severity=Severity.CRITICAL, occurred_at=now, sequence=sequence,
                signal_id=first_signal(row.case_id), reason=f"mandatory_report_{what}",
                value=round((now - row.due_at).total_seconds(), 1), record_id=str(row.case_id)))
            audit.append(session, actor="system", action=f"obligation_{what}_reported", case_id=row.case_id,
                         at=now, detail={"due_at": row.due_at.isoformat(), "state": row.state})
            if what == "overdue":
                row.overdue_reported = True
            else:
                row.failed_reported = True
        told.append(row)
    return told


def counts(session: Session, now: datetime) -> tuple[int, float, int]:
    """How many owed obligations are past due, by how many seconds the oldest, and how many failed."""
    overdue, oldest = session.execute(
        select(func.count(), func.min(CaseObligation.due_at)).join(Case, Case.id == CaseObligation.case_id)
        .where(Case.status != "merged", CaseObligation.state.in_(OWED), CaseObligation.due_at < now)).one()
    failed = session.scalar(select(func.count()).select_from(CaseObligation).join(
        Case, Case.id == CaseObligation.case_id).where(Case.status != "merged",
                                                        CaseObligation.state == FAILED)) or 0
    return int(overdue or 0), (now - oldest).total_seconds() if oldest is not None else 0.0, int(failed)
