"""The SLA clock's decisions: escalating urgent cases nobody acknowledged, and telling ops once of
each missed deadline and each late mandatory report."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from contracts import Topic
from contracts.events import DecisionKind, OpsEvent, OpsKind, Severity
from contracts.ids import derive_id
from services.review import audit, obligations
from services.review.decision_store import SYSTEM, DecisionStore, NotFound
from services.review.models import Case, CaseObligation, Signal
from services.review.queries import OPEN_STATUSES_SQL, deadline_passed

__all__ = ["Escalation"]


class Escalation(DecisionStore):
    """What the clock finds overdue, once each."""

    def escalate_overdue(self, *, repeat_after: timedelta) -> list[tuple[Case, str | None]]:
        """Urgent cases nobody acknowledged in time: one escalation each (again after
        ``repeat_after``), an ops event, and the next supervisor on shift to alert."""
        from services.review.models import User

        escalated: list[tuple[Case, str | None]] = []
        now = self._now()
        with self.db.transaction() as session:
            # The repeat wait is part of the query, not a skip after it: with a hundred cases
            # escalated and waiting for their repeat, a newly overdue case must still be reached.
            due = list(session.scalars(
                select(Case).where(Case.acknowledged_at.is_(None), Case.ack_due_at.is_not(None),
                                   Case.ack_due_at < now, Case.status.in_(OPEN_STATUSES_SQL),
                                   or_(Case.escalated_at.is_(None), Case.escalated_at <= now - repeat_after))
                .order_by(Case.ack_due_at).limit(100)))
            rota = [u.username for u in session.scalars(
                select(User).where(User.active.is_(True), User.on_shift.is_(True),
                                   User.role.in_(("supervisor", "admin")))
                .order_by(User.shift_order, User.id))]
            for case in due:
                level = case.escalation_level + 1
                target = rota[(level - 1) % len(rota)] if rota else None
                case.escalation_level, case.escalated_at = level, now
                self._event(session, case, SYSTEM, DecisionKind.ESCALATED,
                            derive_id("review.escalation", str(case.id), str(level)),
                            reason=f"urgent_unacknowledged_{level}")
                first = self._first_signal(session, case.id)
                self._enqueue(session, Topic.OPS_EVENTS, OpsEvent(
                    service="review", instance="review-sla", kind=OpsKind.ESCALATION,
                    severity=Severity.CRITICAL, occurred_at=now, sequence=level,
                    signal_id=first, reason=f"urgent_unacknowledged_level_{level}",
                    value=round((now - case.ack_due_at).total_seconds(), 1) if case.ack_due_at else None,
                    record_id=str(case.id)))
                audit.append(session, actor="system", action="escalate", case_id=case.id,
                             detail={"level": level, "alerted": target}, at=now)
                self._touch(case)
                escalated.append((case, target))
        if escalated:
            self._on_commit()
        return escalated

    def report_missed_deadlines(self) -> list[Case]:
        """Open cases whose deadline passed: once per deadline, an ``sla_breach`` ops event (a
        warning; urgent cases still owed an acknowledgement escalate above instead) and an audit
        entry. Prometheus counts the same cases from ``queries.past_deadline``."""
        now = self._now()
        missed: list[Case] = []
        with self.db.transaction() as session:
            due = list(session.scalars(
                select(Case).where(deadline_passed(now), or_(Case.deadline_reported_for.is_(None),
                                                             Case.deadline_reported_for != Case.sla_due_at))
                .order_by(Case.sla_due_at).limit(100)))
            for case in due:
                case.deadline_reported_for = case.sla_due_at
                first = session.scalar(select(Signal.signal_id).where(Signal.case_id == case.id)
                                       .order_by(Signal.received_at, Signal.signal_id).limit(1))
                # The event's id is its (service, instance, kind, sequence): a sequence derived from
                # the case and its deadline keeps one event per missed deadline, the same on a retry.
                sequence = derive_id("review.deadline", str(case.id), case.sla_due_at.isoformat()).int >> 66
                self._enqueue(session, Topic.OPS_EVENTS, OpsEvent(
                    service="review", instance="review-sla", kind=OpsKind.SLA_BREACH,
                    severity=Severity.WARNING, occurred_at=now, sequence=sequence, signal_id=first,
                    reason=f"deadline_missed_{case.urgency}",
                    value=round((now - case.sla_due_at).total_seconds(), 1), record_id=str(case.id)))
                audit.append(session, actor="system", action="deadline_missed", case_id=case.id, at=now,
                             detail={"deadline": case.sla_due_at.isoformat(), "urgency": case.urgency})
                missed.append(case)
        if missed:
            self._on_commit()
        return missed

    def report_late_obligations(self) -> list[CaseObligation]:
        """Mandatory reports past their due time, or failed: once each, an ops event (critical) and
        an audit entry. Prometheus counts the same from ``obligations.counts``."""
        now = self._now()
        with self.db.transaction() as session:
            def first(case_id: uuid.UUID) -> uuid.UUID | None:
                return session.scalar(select(Signal.signal_id).where(Signal.case_id == case_id)
                                      .order_by(Signal.received_at, Signal.signal_id).limit(1))

            told = obligations.report_late(session, now, lambda event: self._enqueue(
                session, Topic.OPS_EVENTS, event), first)
        if told:
            self._on_commit()
        return told

    def _first_signal(self, session: Session, case_id: uuid.UUID) -> uuid.UUID:
        first = session.scalar(select(Signal.signal_id).where(Signal.case_id == case_id)
                               .order_by(Signal.received_at, Signal.signal_id).limit(1))
        if first is None:
            raise NotFound("the case has no signals")
        return first
