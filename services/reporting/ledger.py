"""The ledger's state machine: each (report, victim lookup, step) is sent at most once, never zero times.

A step goes ``pending`` -> ``sending`` -> ``delivered`` -> ``acknowledged`` | ``timed_out``, or
``pending`` -> ``skipped`` (the contact is outside its hours when the step comes up), or
``sending`` -> ``failed`` (refused for good). The claim (``pending`` -> ``sending``) commits before
anything is sent, with a lease; every transition commits its outcome events to the outbox in the
same transaction.

A step still ``sending`` when its lease runs out was interrupted (the process died mid-send): it
may or may not have reached the contact. It is sent again, never silently dropped, with the same
identity: the same email Message-ID and the same webhook ``Idempotency-Key``, and the same
acknowledgement link, so a receiver that deduplicates sees one delivery, and an acknowledgement
of either copy is the same acknowledgement. That is the only case of a second send; a step that
reached ``delivered`` is never sent again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contracts.events import OutcomeKind, ReportRequested
from services.reporting.db import Database
from services.reporting.models import (
    CallLog,
    Lookup,
    LookupState,
    Obligation,
    Report,
    SignalContent,
    SignalFacts,
    Step,
    StepKind,
    StepState,
)
from services.reporting.outcomes import escalation, lookup_outcome, step_outcome
from services.reporting.protocols.availability import available_at
from services.reporting.protocols.model import Contact
from services.reporting.redaction import SignalView
from services.reporting.store import signal_view
from services.reporting.tokens import AckTokens


class CallOutcome(StrEnum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    VOICEMAIL_LEFT = "voicemail_left"
    CALLBACK_PROMISED = "callback_promised"


@dataclass(frozen=True)
class Claim:
    """A step to send now. ``resend``: an earlier attempt may have reached the contact."""

    step_id: int
    report_id: uuid.UUID
    signal_id: uuid.UUID
    reference_number: str
    need: str
    lookup_index: int
    step_index: int
    contact: Contact
    channel: str
    wait_s: int
    token: str
    attempt: int
    resend: bool
    request: ReportRequested
    signal: SignalView | None  # what redaction may use of the signal (None: it never arrived)
    obligation: tuple[str, str] | None = None  # a mandatory report's (id, basis)


class AckResult(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    ALREADY = "already"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class AckView:
    """What the acknowledgement page may say about its delivery: whom it was for, the reference
    number and when it went out; never anything of the report itself."""

    reference_number: str
    contact_name: str
    organisation: str | None
    channel: str
    sent_at: datetime | None
    acknowledged_at: datetime | None


class Ledger:
    def __init__(self, db: Database, *, now: Callable[[], datetime], tokens: AckTokens,
                 lease: timedelta = timedelta(seconds=60), max_attempts: int = 5) -> None:
        self._db = db
        self._now = now
        self._tokens = tokens
        self._lease = lease
        self._max_attempts = max_attempts

    # ------------------------------------------------------------ timers and claims

    def expire(self) -> int:
        """Delivered steps whose acknowledgement window closed: ``timed_out``, and the chain moves on."""
        now = self._now()
        with self._db.transaction() as session:
            steps = list(session.scalars(_open(select(Step).where(
                Step.state == StepState.DELIVERED, Step.due_at <= now)).with_for_update(of=Step)))
            for step in steps:
                self._finish(session, step, StepState.TIMED_OUT, OutcomeKind.TIMED_OUT, now)
            return len(steps)

    def claim(self, limit: int = 20) -> list[Claim]:
        """Take the steps due now: skip the unavailable, open phone tasks, claim the rest for sending."""
        now = self._now()
        claims: list[Claim] = []
        with self._db.transaction() as session:
            while len(claims) < limit:
                # Skipping a step makes the next step due in this same transaction; the loop takes
                # it too.
                steps = session.scalars(_open(select(Step).where(
                    ((Step.state == StepState.PENDING) & (Step.activate_at <= now))
                    | ((Step.state == StepState.SENDING) & (Step.lease_until <= now))))
                    .order_by(Step.id).limit(limit - len(claims))
                    .with_for_update(of=Step, skip_locked=True)).all()
                if not steps:
                    break
                _prefetch(session, steps)
                for step in steps:
                    claim = self._take(session, step, now)
                    if claim is not None:
                        claims.append(claim)
        return claims

    def _take(self, session: Session, step: Step, now: datetime) -> Claim | None:
        contact = Contact.model_validate(step.contact)
        if step.state == StepState.PENDING:
            # A written follow-up of a call goes whenever it is due: the person was just reached.
            # Hours are read now, as the step comes up, not as they were when the report was
            # requested: a chain started at 18:40 reaches its second step after closing time.
            if step.kind != StepKind.FOLLOW_UP and not available_at(contact.availability, now):
                self._finish(session, step, StepState.SKIPPED, OutcomeKind.SKIPPED_UNAVAILABLE, now,
                             reason="outside_availability")
                return None
            token = self._tokens.token(step.report_id, step.lookup_index, step.step_index)
            step.ack_token_hash = AckTokens.digest(token)
            if step.channel == "phone":
                # A call is a task for a specialist: it is "delivered" to their queue at once, and its
                # window runs while they call; the logged outcomes say what happened.
                step.state, step.sent_at, step.due_at = StepState.DELIVERED, now, now + _wait(step)
                step_outcome(session, session.get_one(Report, step.report_id), step, OutcomeKind.DELIVERED,
                             now)
                return None
            resend = False
        elif step.attempts >= self._max_attempts:
            self._finish(session, step, StepState.FAILED, OutcomeKind.FAILED, now,
                         reason="attempts_exhausted")
            return None
        else:
            resend = True  # the lease ran out: an earlier attempt may have been sent (see module doc)
            token = self._tokens.token(step.report_id, step.lookup_index, step.step_index)
        step.state, step.claimed_at, step.lease_until = StepState.SENDING, now, now + self._lease
        step.attempts += 1
        report = session.get_one(Report, step.report_id)
        return Claim(step_id=step.id, report_id=step.report_id, signal_id=report.signal_id,
                     reference_number=report.reference_number, need=report.need,
                     lookup_index=step.lookup_index, step_index=step.step_index, contact=contact,
                     channel=step.channel, wait_s=step.wait_s, token=token, attempt=step.attempts,
                     resend=resend, request=ReportRequested.model_validate(report.request),
                     signal=signal_view(session, report.signal_id), obligation=_obligation(session, step))

    # ------------------------------------------------------------ results of a send

    def delivered(self, claim: Claim) -> bool:
        """The contact's system took it: the acknowledgement window starts now."""
        return self.delivered_all([claim]) == 1

    def delivered_all(self, claims: Sequence[Claim]) -> int:
        """``delivered`` for a batch, in one transaction; how many were still this attempt's."""
        now = self._now()
        done = 0
        if not claims:
            return 0
        with self._db.transaction() as session:
            locked = {step.id: step for step in session.scalars(
                select(Step).where(Step.id.in_([c.step_id for c in claims])).order_by(Step.id)
                .with_for_update())}
            _prefetch(session, list(locked.values()), content=False)
            for claim in claims:
                step = locked[claim.step_id]
                if step.state != StepState.SENDING or step.attempts != claim.attempt:
                    continue  # a later claim owns the step now
                # A follow-up has no acknowledgement window: the call already reached somebody.
                due = None if step.kind == StepKind.FOLLOW_UP else now + _wait(step)
                step.state, step.sent_at, step.due_at, step.lease_until = StepState.DELIVERED, now, due, None
                step_outcome(session, session.get_one(Report, step.report_id), step, OutcomeKind.DELIVERED,
                             now)
                done += 1
        return done

    def refused(self, claim: Claim, reason: str) -> None:
        """Refused for good (a 4xx, an unknown mailbox, no webhook secret): the contact's next
        channel is tried in the same step; with none left, the chain moves on."""
        now = self._now()
        with self._db.transaction() as session:
            step = _locked(session, claim.step_id)
            if step.state != StepState.SENDING or step.attempts != claim.attempt:
                return
            following = _next_channel(step)
            if following is None:
                self._finish(session, step, StepState.FAILED, OutcomeKind.FAILED, now, reason=reason)
                return
            step_outcome(session, session.get_one(Report, step.report_id), step, OutcomeKind.FAILED, now,
                         reason=reason)
            step.channel, step.state, step.activate_at, step.lease_until, step.attempts = (
                following, StepState.PENDING, now, None, 0)

    def retry_later(self, claim: Claim, delay: timedelta) -> None:
        """A transient failure: the step stays claimed and is taken again after ``delay``."""
        with self._db.transaction() as session:
            step = _locked(session, claim.step_id)
            if step.state == StepState.SENDING and step.attempts == claim.attempt:
                step.lease_until = self._now() + delay

    # ------------------------------------------------------------ people

    def acknowledge(self, token: str) -> AckResult:
        now = self._now()
        with self._db.transaction() as session:
            step = session.scalars(select(Step).where(Step.ack_token_hash == AckTokens.digest(token))
                                   .with_for_update()).first()
            if step is None:
                return AckResult.UNKNOWN
            if step.state == StepState.ACKNOWLEDGED:
                return AckResult.ALREADY
            # A link is only ever in a sent step; one that ended failed may still have reached
            # somebody (an interrupted send, then retries that did not get through).
            if step.state not in (StepState.DELIVERED, StepState.TIMED_OUT, StepState.SENDING,
                                  StepState.FAILED):
                return AckResult.UNKNOWN
            self._acknowledged(session, step, OutcomeKind.ACKNOWLEDGED, now)
            return AckResult.ACKNOWLEDGED

    def ack_view(self, token: str) -> AckView | None:
        """The delivery a link belongs to, or None for a link that is not one of ours."""
        with self._db.read() as session:
            row = session.execute(select(Step, Report.reference_number).join(
                Report, Report.report_id == Step.report_id).where(
                Step.ack_token_hash == AckTokens.digest(token))).first()
            if row is None:
                return None
            step, reference_number = row
            return AckView(reference_number=reference_number, contact_name=str(step.contact.get("name", "")),
                           organisation=step.contact.get("organisation"), channel=step.channel,
                           sent_at=step.sent_at or step.claimed_at,
                           acknowledged_at=step.finished_at if step.state == StepState.ACKNOWLEDGED else None)

    def log_call(self, step_id: int, outcome: CallOutcome, specialist: str, note: str | None) -> bool:
        """A specialist's outcome for a phone task; ``reached`` closes the chain. False: no such task."""
        now = self._now()
        with self._db.transaction() as session:
            step = session.get(Step, step_id, with_for_update=True)
            if step is None or step.channel != "phone" or step.state not in (
                    StepState.DELIVERED, StepState.TIMED_OUT, StepState.ACKNOWLEDGED):
                return False
            session.add(CallLog(step_id=step_id, outcome=outcome.value, specialist=specialist, note=note,
                                logged_at=now))
            if outcome is CallOutcome.REACHED:
                if step.state != StepState.ACKNOWLEDGED:
                    self._acknowledged(session, step, OutcomeKind.REACHED, now)
                    _follow_up(session, step, now)
            else:
                report = session.get_one(Report, step.report_id)
                step_outcome(session, report, step, OutcomeKind(outcome.value), now)
            return True

    def phone_tasks(self) -> list[dict[str, Any]]:
        """Open calls for specialists: the contact to call and the window, never the report's content."""
        with self._db.read() as session:
            rows = session.execute(_open(select(Step, Report, Lookup.obligation_id)
                                         .join(Report, Report.report_id == Step.report_id)
                                         .where(Step.channel == "phone", Step.state == StepState.DELIVERED))
                                   .order_by(Step.due_at, Step.id)).all()
            return [{"task_id": s.id, "report_id": str(s.report_id), "reference_number": r.reference_number,
                     "need": r.need, "victim": s.lookup_index, "step": s.step_index, "obligation": obligation,
                     "contact_id": s.contact_id, "contact": s.contact,
                     "opened_at": s.sent_at.isoformat() if s.sent_at else None,
                     "due_at": s.due_at.isoformat() if s.due_at else None}
                    for s, r, obligation in rows]

    # ------------------------------------------------------------ transitions

    def _acknowledged(self, session: Session, step: Step, kind: OutcomeKind, now: datetime) -> None:
        report = session.get_one(Report, step.report_id)
        step.state, step.finished_at, step.lease_until = StepState.ACKNOWLEDGED, now, None
        step_outcome(session, report, step, kind, now)
        lookup = _lookup(session, step)
        if lookup.state == LookupState.OPEN:
            # Somebody has it: the rest of the chain stays pending and is never sent.
            lookup.state, lookup.closed_at = LookupState.COMPLETED, now
            lookup_outcome(session, report, step.lookup_index, OutcomeKind.COMPLETED, now,
                           obligation=lookup.obligation_id)
            _settle_obligation(session, lookup, "completed")

    def _finish(self, session: Session, step: Step, state: StepState, kind: OutcomeKind, now: datetime,
                reason: str | None = None) -> None:
        """End a step without an acknowledgement, and start the next one (or escalate)."""
        report = session.get_one(Report, step.report_id)
        step.state, step.finished_at, step.lease_until, step.reason = state, now, None, reason
        step_outcome(session, report, step, kind, now, reason=reason)
        if step.kind == StepKind.FOLLOW_UP:
            return  # the chain it follows up is already completed
        following = session.scalars(select(Step).where(
            Step.report_id == step.report_id, Step.lookup_index == step.lookup_index,
            Step.step_index == step.step_index + 1)).first()
        if following is not None:
            following.activate_at = now
            return
        lookup = _lookup(session, step)
        if lookup.state == LookupState.OPEN:
            lookup.state, lookup.closed_at = LookupState.EXHAUSTED, now
            overdue = lookup.obligation_id is not None
            lookup_outcome(session, report, step.lookup_index, OutcomeKind.EXHAUSTED, now,
                           reason="obligation_unacknowledged" if overdue else "chain_exhausted",
                           obligation=lookup.obligation_id)
            _settle_obligation(session, lookup, "overdue")
            escalation(session, report, lookup.id, now,
                       reason="obligation_unacknowledged" if overdue else "chain_exhausted")


def _open(query: Any) -> Any:
    """Only steps of chains still looking for somebody, and written follow-ups of calls."""
    return query.join(Lookup, (Lookup.report_id == Step.report_id)
                      & (Lookup.lookup_index == Step.lookup_index)).where(
        (Lookup.state == LookupState.OPEN) | (Step.kind == StepKind.FOLLOW_UP))


def _prefetch(session: Session, steps: Sequence[Step], *, content: bool = True) -> None:
    """Load the steps' reports (and what their sends may say) in one query each: the loop over the
    steps then finds them in the session instead of asking the database once per step."""
    report_ids = {step.report_id for step in steps}
    reports = session.scalars(select(Report).where(Report.report_id.in_(report_ids))).all()
    if content:
        signal_ids = {report.signal_id for report in reports}
        session.scalars(select(SignalFacts).where(SignalFacts.signal_id.in_(signal_ids))).all()
        session.scalars(select(SignalContent).where(SignalContent.signal_id.in_(signal_ids))).all()


def _follow_up(session: Session, call: Step, now: datetime) -> None:
    """A call reached somebody: the written report follows, on the contact's first written channel."""
    contact = Contact.model_validate(call.contact)
    written = next((c for c in contact.channels if c.type != "phone"), None)
    if written is None:
        return  # nothing to send it to; the call log is the record
    last = session.scalar(select(func.max(Step.step_index)).where(
        Step.report_id == call.report_id, Step.lookup_index == call.lookup_index))
    session.add(Step(
        report_id=call.report_id, lookup_index=call.lookup_index, step_index=(last or 0) + 1,
        contact_id=call.contact_id, contact=call.contact, channel=written.type, wait_s=0,
        business_hours=call.business_hours, state=StepState.PENDING, activate_at=now, attempts=0,
        kind=StepKind.FOLLOW_UP))


def _next_channel(step: Step) -> str | None:
    """The type of the contact's next channel after the step's (obligations are a step per channel)."""
    if step.kind == StepKind.OBLIGATION:
        return None
    types = [channel["type"] for channel in step.contact["channels"]]
    after = types[types.index(step.channel) + 1:] if step.channel in types else []
    return next((kind for kind in after if kind != step.channel), None)


def _obligation(session: Session, step: Step) -> tuple[str, str] | None:
    if step.kind != StepKind.OBLIGATION:
        return None
    row = session.scalars(select(Obligation).where(
        Obligation.report_id == step.report_id, Obligation.lookup_index == step.lookup_index)).first()
    return (row.obligation_id, row.basis) if row is not None else None


def _settle_obligation(session: Session, lookup: Lookup, state: str) -> None:
    if lookup.obligation_id is None:
        return
    row = session.scalars(select(Obligation).where(
        Obligation.report_id == lookup.report_id, Obligation.lookup_index == lookup.lookup_index)).first()
    if row is not None:
        row.state = state


def _locked(session: Session, step_id: int) -> Step:
    return session.get_one(Step, step_id, with_for_update=True)


def _lookup(session: Session, step: Step) -> Lookup:
    return session.scalars(select(Lookup).where(Lookup.report_id == step.report_id,
                                                Lookup.lookup_index == step.lookup_index)).one()


def _wait(step: Step) -> timedelta:
    return timedelta(seconds=step.wait_s)
