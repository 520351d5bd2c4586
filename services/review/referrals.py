"""Reports that leave review: law-enforcement reports under the two-person rule (request, approve,
reject) and service referrals, each a ``reports.requested`` event written to the outbox."""

from __future__ import annotations

import uuid
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts import Topic
from contracts.events import DecisionKind, Jurisdiction, ReportNeed, ReportRequested, Urgency
from contracts.ids import derive_id
from services.review import audit, conditions, obligations
from services.review.decision_store import (
    Actor,
    DecisionError,
    DecisionStore,
    Forbidden,
    NotFound,
    as_code,
)
from services.review.models import Case, Decision, Signal

__all__ = ["LE_NEEDS", "SERVICE_NEEDS", "Referrals"]

SERVICE_NEEDS: Final = tuple(n for n in ReportNeed if n not in (ReportNeed.TIP_REPORTING,
                                                                ReportNeed.VICTIM_EXTRACTION))
LE_NEEDS: Final = (ReportNeed.TIP_REPORTING, ReportNeed.VICTIM_EXTRACTION)


class Referrals(DecisionStore):
    """Law-enforcement reports and service referrals."""

    def request_le_report(self, case_id: uuid.UUID, actor: Actor, need: ReportNeed, reason: str) -> Decision:
        """A law-enforcement report. Non-urgent: waits for a second person (two-person rule).
        A case whose report went out by break-glass is marked reviewed instead of sent twice."""
        if need not in LE_NEEDS:
            raise DecisionError(f"{need.value} is a service referral, not a law-enforcement report")
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            # A break-glass case's report went out already; unless the case still owes the mandatory
            # reports the break-glass report did not make (the minor came later), the request is
            # its review.
            if case.break_glass and not obligations.unsent(session, case.id):
                decision = self._record(session, case, actor, DecisionKind.BREAK_GLASS_REVIEWED,
                                        "break_glass_reviewed", {"need": need.value, "reason": reason})
            else:
                decision = self._record(session, case, actor, DecisionKind.LE_REPORT_REQUESTED,
                                        "le_report", {"need": need.value, "reason": reason},
                                        status="awaiting_approval")
                carried = obligations.request(session, case, decision.id, actor.username, self._now())
                if carried is not None:
                    decision.detail = {**decision.detail, "mandatory_reports": carried}
                case.status = "awaiting_approval"
            self._touch(case)
        self._on_commit()
        return decision

    def approve(self, decision_id: uuid.UUID, actor: Actor, *, case_id: uuid.UUID) -> Decision:
        """The second person approves a law-enforcement report of ``case_id``; it goes to reporting."""
        with self.db.transaction() as session:
            decision = self._pending(session, decision_id, case_id)
            if decision.decided_by == actor.username:
                raise Forbidden("a law-enforcement report needs a second person's approval: "
                                "you requested this one")
            case = self._case(session, decision.case_id, for_update=True)
            now = self._now()
            decision.status, decision.approved_by, decision.approved_at = "effective", actor.username, now
            need = ReportNeed(decision.detail["need"])
            report_id = derive_id("report.review", str(decision.id))
            # The two-person rule covers the mandatory reports too: they go with an approved report.
            mode = obligations.approve(session, case, decision.id, report_id, actor.username, now)
            self._enqueue(session, Topic.REPORTS_REQUESTED, self._report(
                session, case, report_id, need, decision.detail["reason"], mandatory_reports=mode))
            self._event(session, case, actor, DecisionKind.LE_REPORT_APPROVED, derive_id(
                "review.decision", str(decision.id), "approved"), need=need, report_id=report_id,
                reason="two_person_rule")
            audit.append(session, actor=actor.username, action="approve_le_report", case_id=case.id,
                         detail={"decision_id": str(decision.id), "report_id": str(report_id)}, at=now)
            if not self._still_pending(session, case.id, exclude=decision.id):
                case.status = "open"
            self._touch(case)
        self._on_commit()
        return decision

    def reject(self, decision_id: uuid.UUID, actor: Actor, reason: str, *, case_id: uuid.UUID) -> Decision:
        with self.db.transaction() as session:
            decision = self._pending(session, decision_id, case_id)
            if decision.decided_by == actor.username:
                raise Forbidden("the requester cannot reject their own request; withdraw it by closing")
            case = self._case(session, decision.case_id, for_update=True)
            decision.status, decision.approved_by = "rejected", actor.username
            decision.approved_at = self._now()
            self._event(session, case, actor, DecisionKind.LE_REPORT_REJECTED,
                        derive_id("review.decision", str(decision.id), "rejected"), reason=as_code(reason))
            obligations.reject(session, case, decision.id, actor.username, self._now())
            audit.append(session, actor=actor.username, action="reject_le_report", case_id=case.id,
                         detail={"decision_id": str(decision.id), "reason": reason[:500]}, at=self._now())
            if not self._still_pending(session, case.id, exclude=decision.id):
                case.status = "open"
            self._touch(case)
        self._on_commit()
        return decision

    def refer(self, case_id: uuid.UUID, actor: Actor, need: ReportNeed, reason: str) -> Decision:
        """A referral to services (shelter, legal, case management, ...): goes to reporting at once."""
        if need not in SERVICE_NEEDS:
            raise DecisionError(f"{need.value} is a law-enforcement report: request it for approval")
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            decision = self._record(session, case, actor, DecisionKind.REFERRAL, "referral",
                                    {"need": need.value, "reason": reason}, need=need)
            # One analyst's referral never makes the mandatory reports: those need two people.
            self._enqueue(session, Topic.REPORTS_REQUESTED, self._report(
                session, case, derive_id("report.review", str(decision.id)), need, reason,
                mandatory_reports="skip"))
            self._touch(case)
        self._on_commit()
        return decision

    def _report(self, session: Session, case: Case, report_id: uuid.UUID, need: ReportNeed,
                reason: str, *, mandatory_reports: obligations.Mode = None) -> ReportRequested:
        signals = list(session.scalars(select(Signal).where(Signal.case_id == case.id)
                                       .order_by(Signal.received_at, Signal.signal_id)))
        if not signals:
            raise NotFound("the case has no signals")
        first = signals[0]
        return ReportRequested(
            report_id=report_id, signal_id=first.signal_id, reference_number=case.reference_number,
            kind="approved", requested_by="review", reason=as_code(reason) or "review_decision", need=need,
            requested_at=self._now(), urgency=Urgency(case.urgency),
            conditions=conditions.for_case(case, signals),
            jurisdiction=Jurisdiction(state=case.state, city=case.city,
                                      origin="declared" if case.state else "unknown"),
            rules_version=first.rules_version, mandatory_reports=mandatory_reports)
