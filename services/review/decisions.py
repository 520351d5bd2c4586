"""What staff do to a case: claim it, decide, approve, reveal who reported. One transaction each.

Every decision is written with its audit entry and its outgoing events (the outbox) in the same
transaction, so the database and Kafka never disagree: the relay publishes what was committed,
and nothing that was not. Event ids derive from the decision id, so a re-publish after a crash
is the same record to every consumer.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from contracts import CODEC, Event, Topic
from contracts.events import (
    DecisionKind,
    FlagName,
    Jurisdiction,
    OpsEvent,
    OpsKind,
    ReplyRequested,
    ReportNeed,
    ReportRequested,
    ReviewDecision,
    Severity,
    Urgency,
)
from contracts.events.reply import MAX_REPLY_CHARS
from contracts.ids import derive_id
from services.review import audit, conditions, obligations, texting
from services.review.db import Database
from services.review.models import (
    Attachment,
    Case,
    CaseKey,
    CaseLink,
    CaseObligation,
    Decision,
    OutboxRecord,
    Signal,
    TextReply,
)
from services.review.queries import OPEN_STATUSES_SQL, NotAReference, case_by_reference, deadline_passed
from services.runtime.tracing import trace_headers

SOURCE: Final = "/hotline/review"
CLOSE_REASONS: Final = ("unrelated", "general_information", "duplicate", "no_action_needed", "referred",
                        "reported", "insufficient_information")
SERVICE_NEEDS: Final = tuple(n for n in ReportNeed if n not in (ReportNeed.TIP_REPORTING,
                                                                ReportNeed.VICTIM_EXTRACTION))
LE_NEEDS: Final = (ReportNeed.TIP_REPORTING, ReportNeed.VICTIM_EXTRACTION)
OVERRIDABLE: Final = (FlagName.MINOR, FlagName.IMMINENT_DANGER)


class DecisionError(Exception):
    """A decision that cannot be made as asked; the message says why, in staff's words."""

    status = 409


class NotFound(DecisionError):
    status = 404


class Forbidden(DecisionError):
    status = 403


@dataclass(frozen=True)
class Actor:
    username: str
    role: str  # analyst | supervisor | admin | service | system


SYSTEM: Final = Actor("system", "system")


class Decisions:
    def __init__(self, db: Database, *, now: Callable[[], datetime], claim_ttl: timedelta,
                 on_commit: Callable[[], None] = lambda: None,
                 mandatory_within: timedelta = timedelta(hours=24)) -> None:
        self.db = db
        self._now = now
        self._claim_ttl = claim_ttl
        self._mandatory_within = mandatory_within
        self._on_commit = on_commit  # wakes the outbox relay

    # ------------------------------------------------------------ claims

    def claim(self, case_id: uuid.UUID, actor: Actor) -> Case:
        """Take a case to work on; others see who has it. Taking an urgent case acknowledges it."""
        with self.db.transaction() as session:
            case = self._case(session, case_id, for_update=True)
            now = self._now()
            holder = case.claimed_by if case.claim_expires_at and case.claim_expires_at > now else None
            if holder is not None and holder != actor.username:
                raise DecisionError(f"{case.reference_number} is being worked by {holder}")
            case.claimed_by, case.claim_expires_at = actor.username, now + self._claim_ttl
            audit.append(session, actor=actor.username, action="claim", case_id=case.id, detail={}, at=now)
            if Urgency.of_rank(case.urgency_rank).is_urgent and case.acknowledged_at is None:
                case.acknowledged_at, case.acknowledged_by = now, actor.username
                self._record(session, case, actor, DecisionKind.ACKNOWLEDGED, "acknowledge", {})
            self._touch(case)
        self._on_commit()
        return case

    def release(self, case_id: uuid.UUID, actor: Actor) -> None:
        with self.db.transaction() as session:
            case = self._case(session, case_id, for_update=True)
            if case.claimed_by != actor.username and actor.role not in ("supervisor", "admin"):
                raise Forbidden("only the person holding a case (or a supervisor) can release it")
            case.claimed_by, case.claim_expires_at = None, None
            audit.append(session, actor=actor.username, action="release", case_id=case.id, detail={},
                         at=self._now())
            self._touch(case)

    # ------------------------------------------------------------ decisions

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
                        derive_id("review.decision", str(decision.id), "rejected"), reason=_code(reason))
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

    def more_info(self, case_id: uuid.UUID, actor: Actor, reason: str) -> Decision:
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            decision = self._record(session, case, actor, DecisionKind.MORE_INFO, "more_info",
                                    {"reason": reason})
            self._touch(case)
        self._on_commit()
        return decision

    def close(self, case_id: uuid.UUID, actor: Actor, reason: str) -> Decision:
        if reason not in CLOSE_REASONS:
            raise DecisionError(f"close reason must be one of: {', '.join(CLOSE_REASONS)}")
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            if self._still_pending(session, case.id):
                raise DecisionError("a law-enforcement report is awaiting approval: "
                                    "approve or reject it first")
            if obligations.blocks_closing(session, case.id):
                raise DecisionError("the mandatory reports for a minor are still owed: request a "
                                    "law-enforcement report (a second person approves it), or clear "
                                    "the minor flag with a reason")
            decision = self._record(session, case, actor, DecisionKind.CLOSED, "close", {"reason": reason})
            case.status, case.closed_reason = "closed", reason
            case.claimed_by, case.claim_expires_at = None, None
            self._touch(case)
        self._on_commit()
        return decision

    def override_flag(self, case_id: uuid.UUID, actor: Actor, flag: FlagName, value: bool,
                      reason: str) -> Decision:
        """Overrule triage on a flag; recorded as a label the rules are evaluated against."""
        if flag not in OVERRIDABLE:
            raise DecisionError(f"{flag.value} cannot be overridden here")
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            decision = self._record(session, case, actor, DecisionKind.FLAG_OVERRIDDEN, "flag_override",
                                    {"flag": flag.value, "value": value, "reason": reason},
                                    flag=flag, flag_value=value)
            if flag is FlagName.MINOR:
                case.minor = value
                obligations.sync(session, case, owed=value, now=self._now(), within=self._mandatory_within,
                                 basis="override", actor=actor.username)
            else:
                case.imminent_danger = value
            self._touch(case)
        self._on_commit()
        return decision

    def link(self, case_id: uuid.UUID, actor: Actor, other_reference: str) -> Decision:
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            other = self._by_reference(session, other_reference)
            if other.id == case.id:
                raise DecisionError("a case cannot be linked to itself")
            for a, b in ((case.id, other.id), (other.id, case.id)):
                if session.get(CaseLink, (a, b)) is None:
                    session.add(CaseLink(case_id=a, other_case_id=b, reason="linked_by_staff"))
            decision = self._record(session, case, actor, DecisionKind.LINKED, "link",
                                    {"other_case_id": str(other.id)}, other_case_id=other.id)
            self._touch(case)
        self._on_commit()
        return decision

    def merge(self, case_id: uuid.UUID, actor: Actor, into_reference: str) -> Decision:
        """Move every signal of this case into another; this case then points there."""
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            into = self._by_reference(session, into_reference)
            if into.id == case.id:
                raise DecisionError("a case cannot be merged into itself")
            # Recorded before the signals move: the decision's event names the signals merged, and
            # a case without signals has none to name (the merge then failed with "no signals").
            decision = self._record(session, case, actor, DecisionKind.MERGED, "merge",
                                    {"into_case_id": str(into.id)}, other_case_id=into.id)
            session.execute(update(Signal).where(Signal.case_id == case.id).values(case_id=into.id))
            session.execute(update(CaseKey).where(CaseKey.case_id == case.id).values(case_id=into.id))
            session.execute(update(Attachment).where(Attachment.case_id == case.id).values(case_id=into.id))
            case.status, case.merged_into = "merged", into.id
            case.claimed_by, case.claim_expires_at = None, None
            into.urgency_rank = min(into.urgency_rank, case.urgency_rank)
            into.urgency = case.urgency if case.urgency_rank <= into.urgency_rank else into.urgency
            into.minor = into.minor or case.minor
            into.imminent_danger = into.imminent_danger or case.imminent_danger
            into.sla_due_at = min(into.sla_due_at, case.sla_due_at)
            obligations.move(session, case.id, into, self._now())
            self._touch(case)
            self._touch(into)
        self._on_commit()
        return decision

    def reveal_reporter(self, case_id: uuid.UUID, actor: Actor, reason: str) -> list[dict[str, Any]]:
        """The reporter's identity and contact details, for one case, with a reason; audited."""
        if actor.role not in ("supervisor", "admin"):
            raise Forbidden("only a supervisor can reveal who reported")
        if len(reason.strip()) < 10:
            raise DecisionError("say why you need the reporter's details (at least 10 characters)")
        with self.db.transaction() as session:
            case = self._case(session, case_id)
            revealed = [
                {"signal_id": str(s.signal_id), "reference_number": s.reference_number,
                 "reporter": s.reporter or {}}
                for s in session.scalars(select(Signal).where(Signal.case_id == case.id)
                                         .order_by(Signal.received_at))]
            audit.append(session, actor=actor.username, action="reveal_reporter", case_id=case.id,
                         detail={"reason": reason.strip()[:500],
                                 "signals": [r["signal_id"] for r in revealed]}, at=self._now())
        return revealed

    # ------------------------------------------------------------ replying to a texter

    def reply_by_text(self, case_id: uuid.UUID, actor: Actor, body: str) -> TextReply:
        """A supervisor's reply to the case's texter, only where texts are safe for them. Kept with
        its audit entry (the words' digest) and its request to the SMS intake in one transaction;
        the intake sends or refuses it, and its outcome comes back on ``replies.outcomes``."""
        if actor.role not in ("supervisor", "admin"):
            raise Forbidden("only a supervisor can reply to a texter")
        words = body.strip()
        if not words:
            raise DecisionError("write the reply")
        if len(words) > MAX_REPLY_CHARS:
            raise DecisionError(f"a reply is at most {MAX_REPLY_CHARS} characters")
        with self.db.transaction() as session:
            case = self._working(session, case_id, actor)
            found = texting.standing(session.scalars(select(Signal).where(Signal.case_id == case.id)))
            if found is None:
                raise DecisionError("this case has no texts to reply to")
            if found.why_not is not None or found.recipient_key is None:
                raise Forbidden(found.why_not or "no reply can reach this texter")
            now = self._now()
            reply = TextReply(id=uuid.uuid4(), case_id=case.id, signal_id=found.signal_id, body=words,
                              requested_by=actor.username, requested_at=now, status="requested", reason=None,
                              updated_at=now)
            session.add(reply)
            audit.append(session, actor=actor.username, action="text_reply", case_id=case.id, at=now, detail={
                "reply_id": str(reply.id), "signal_id": str(found.signal_id), "chars": len(words),
                "sha256": hashlib.sha256(words.encode()).hexdigest()})
            self._enqueue(session, Topic.REPLIES_REQUESTED, ReplyRequested(
                reply_id=reply.id, case_id=case.id, signal_id=found.signal_id,
                reference_number=case.reference_number, recipient_key=found.recipient_key, body=words,
                requested_by_role="admin" if actor.role == "admin" else "supervisor", requested_at=now))
            self._touch(case)
        self._on_commit()
        return reply

    # ------------------------------------------------------------ escalation (the SLA clock)

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

    # ------------------------------------------------------------ parts

    def _case(self, session: Session, case_id: uuid.UUID, *, for_update: bool = False) -> Case:
        query = select(Case).where(Case.id == case_id)
        if for_update and self.db.is_postgres:
            query = query.with_for_update()
        case = session.scalar(query)
        if case is None:
            raise NotFound("no such case")
        return case

    def _working(self, session: Session, case_id: uuid.UUID, actor: Actor) -> Case:
        """A case the actor may decide on: open, and claimed by them (no two people on one case)."""
        case = self._case(session, case_id, for_update=True)
        if case.status in ("closed", "merged"):
            raise DecisionError(f"{case.reference_number} is {case.status}")
        now = self._now()
        holder = case.claimed_by if case.claim_expires_at and case.claim_expires_at > now else None
        if holder != actor.username:
            raise DecisionError(f"claim {case.reference_number} before deciding on it"
                                + (f" (it is being worked by {holder})" if holder else ""))
        case.claim_expires_at = now + self._claim_ttl  # deciding keeps the claim alive
        return case

    def _pending(self, session: Session, decision_id: uuid.UUID, case_id: uuid.UUID) -> Decision:
        query = select(Decision).where(Decision.id == decision_id)
        if self.db.is_postgres:
            query = query.with_for_update()
        decision = session.scalar(query)
        # A request is decided on its own case's page only: approving case B's request from case
        # A's would record and audit it under the wrong case as far as the person could tell.
        if decision is None or decision.case_id != case_id:
            raise NotFound("no such request on this case")
        if decision.status != "awaiting_approval":
            raise DecisionError(f"this request is already {decision.status.replace('_', ' ')}")
        return decision

    def _still_pending(self, session: Session, case_id: uuid.UUID, exclude: uuid.UUID | None = None) -> bool:
        query = select(Decision.id).where(Decision.case_id == case_id, Decision.status == "awaiting_approval")
        if exclude is not None:
            query = query.where(Decision.id != exclude)
        return session.scalar(query.limit(1)) is not None

    def _by_reference(self, session: Session, reference: str) -> Case:
        try:
            case = case_by_reference(session, reference)
        except NotAReference:
            raise DecisionError(f"{reference.strip()[:40]} is not a valid reference number") from None
        if case is None:
            raise NotFound(f"no case with reference number {reference.strip()[:40]}")
        return case

    def _first_signal(self, session: Session, case_id: uuid.UUID) -> uuid.UUID:
        first = session.scalar(select(Signal.signal_id).where(Signal.case_id == case_id)
                               .order_by(Signal.received_at, Signal.signal_id).limit(1))
        if first is None:
            raise NotFound("the case has no signals")
        return first

    def _record(self, session: Session, case: Case, actor: Actor, kind: DecisionKind, action: str,
                detail: dict[str, Any], *, status: str = "effective", need: ReportNeed | None = None,
                flag: FlagName | None = None, flag_value: bool | None = None,
                other_case_id: uuid.UUID | None = None) -> Decision:
        now = self._now()
        decision = Decision(id=uuid.uuid4(), case_id=case.id, kind=action, status=status, detail=detail,
                            decided_by=actor.username, decided_at=now, approved_by=None, approved_at=None)
        session.add(decision)
        audit.append(session, actor=actor.username, action=action, case_id=case.id,
                     detail={"decision_id": str(decision.id), **_audit_safe(detail)}, at=now)
        self._event(session, case, actor, kind, decision.id, need=need or _need(detail),
                    reason=_code(detail.get("reason")), flag=flag, flag_value=flag_value,
                    other_case_id=other_case_id)
        return decision

    def _event(self, session: Session, case: Case, actor: Actor, kind: DecisionKind, decision_id: uuid.UUID,
               **fields: Any) -> None:
        signal_ids = list(session.scalars(select(Signal.signal_id).where(Signal.case_id == case.id)
                                          .order_by(Signal.received_at, Signal.signal_id)))
        if not signal_ids:
            raise NotFound("the case has no signals")
        self._enqueue(session, Topic.REVIEW_DECISIONS, ReviewDecision(
            decision_id=decision_id, case_id=case.id, signal_id=signal_ids[0], signal_ids=signal_ids[:500],
            reference_number=case.reference_number, kind=kind, decided_at=self._now(),
            decided_by_role=actor.role, **{k: v for k, v in fields.items() if v is not None}))

    def _report(self, session: Session, case: Case, report_id: uuid.UUID, need: ReportNeed,
                reason: str, *, mandatory_reports: obligations.Mode = None) -> ReportRequested:
        signals = list(session.scalars(select(Signal).where(Signal.case_id == case.id)
                                       .order_by(Signal.received_at, Signal.signal_id)))
        if not signals:
            raise NotFound("the case has no signals")
        first = signals[0]
        return ReportRequested(
            report_id=report_id, signal_id=first.signal_id, reference_number=case.reference_number,
            kind="approved", requested_by="review", reason=_code(reason) or "review_decision", need=need,
            requested_at=self._now(), urgency=Urgency(case.urgency),
            conditions=conditions.for_case(case, signals),
            jurisdiction=Jurisdiction(state=case.state, city=case.city,
                                      origin="declared" if case.state else "unknown"),
            rules_version=first.rules_version, mandatory_reports=mandatory_reports)

    def _enqueue(self, session: Session, topic: Topic, event: Event) -> None:
        record = CODEC.encode(event, source=SOURCE, extra_headers=trace_headers(topic, now=self._now()))
        session.add(OutboxRecord(
            event_id=f"{topic.value}:{record.event_id}", topic=topic.value,
            key=record.key.decode() if record.key is not None else None,
            value=record.value.decode("utf-8"),
            headers=[[name, value.decode("utf-8")] for name, value in record.headers],
            created_at=self._now(), published_at=None))

    def _touch(self, case: Case) -> None:
        case.updated_at = self._now()
        case.version += 1


def _need(detail: dict[str, Any]) -> ReportNeed | None:
    return ReportNeed(detail["need"]) if "need" in detail else None


def _code(text: Any) -> str | None:
    """A free-text reason as a code for the event (the words stay in the audit trail)."""
    if not isinstance(text, str) or not text.strip():
        return None
    code = "".join(c if c.isascii() and c.isalnum() else "_" for c in text.strip().lower())[:64].strip("_")
    while "__" in code:
        code = code.replace("__", "_")
    return code if code[:1].isalpha() and len(code) >= 2 else "staff_note"


def _audit_safe(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: (v[:500] if isinstance(v, str) else v) for k, v in detail.items()}
