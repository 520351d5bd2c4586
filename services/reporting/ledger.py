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

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.events import OutcomeKind, ReportRequested
from services.reporting.db import Database
from services.reporting.ledger_steps import (
    Loaded,
    acknowledged,
    finish,
    follow_up,
    locked_step,
    next_channel,
    obligation_of,
    open_steps,
    prefetch,
    wait_of,
)
from services.reporting.models import CallLog, Lookup, Report, Step, StepKind, StepState
from services.reporting.outcomes import step_outcome
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
            steps = list(session.scalars(open_steps(select(Step).where(
                Step.state == StepState.DELIVERED, Step.due_at <= now)).with_for_update(of=Step)))
            for step in steps:
                finish(session, step, StepState.TIMED_OUT, OutcomeKind.TIMED_OUT, now)
            return len(steps)

    def claim(self, limit: int = 20) -> list[Claim]:
        """Take the steps due now: skip the unavailable, open phone tasks, claim the rest for sending."""
        now = self._now()
        claims: list[Claim] = []
        with self._db.transaction() as session:
            while len(claims) < limit:
                # Skipping a step makes the next step due in this same transaction; the loop takes
                # it too.
                steps = session.scalars(open_steps(select(Step).where(
                    ((Step.state == StepState.PENDING) & (Step.activate_at <= now))
                    | ((Step.state == StepState.SENDING) & (Step.lease_until <= now))))
                    .order_by(Step.id).limit(limit - len(claims))
                    .with_for_update(of=Step, skip_locked=True)).all()
                if not steps:
                    break
                loaded = prefetch(session, steps)
                for step in steps:
                    claim = self._take(session, step, now, loaded)
                    if claim is not None:
                        claims.append(claim)
        return claims

    def _take(self, session: Session, step: Step, now: datetime, loaded: Loaded) -> Claim | None:
        contact = Contact.model_validate(step.contact)
        if step.state == StepState.PENDING:
            # A written follow-up of a call goes whenever it is due: the person was just reached.
            # Hours are read now, as the step comes up, not as they were when the report was
            # requested: a chain started at 18:40 reaches its second step after closing time.
            if step.kind != StepKind.FOLLOW_UP and not available_at(contact.availability, now):
                finish(session, step, StepState.SKIPPED, OutcomeKind.SKIPPED_UNAVAILABLE, now,
                       reason="outside_availability")
                return None
            token = self._tokens.token(step.report_id, step.lookup_index, step.step_index)
            step.ack_token_hash = AckTokens.digest(token)
            if step.channel == "phone":
                # A call is a task for a specialist: it is "delivered" to their queue at once, and its
                # window runs while they call; the logged outcomes say what happened.
                step.state, step.sent_at, step.due_at = StepState.DELIVERED, now, now + wait_of(step)
                step_outcome(session, loaded.reports[step.report_id], step, OutcomeKind.DELIVERED, now)
                return None
            resend = False
        elif step.attempts >= self._max_attempts:
            finish(session, step, StepState.FAILED, OutcomeKind.FAILED, now, reason="attempts_exhausted")
            return None
        else:
            resend = True  # the lease ran out: an earlier attempt may have been sent (see module doc)
            token = self._tokens.token(step.report_id, step.lookup_index, step.step_index)
        step.state, step.claimed_at, step.lease_until = StepState.SENDING, now, now + self._lease
        step.attempts += 1
        report = loaded.reports[step.report_id]
        return Claim(step_id=step.id, report_id=step.report_id, signal_id=report.signal_id,
                     reference_number=report.reference_number, need=report.need,
                     lookup_index=step.lookup_index, step_index=step.step_index, contact=contact,
                     channel=step.channel, wait_s=step.wait_s, token=token, attempt=step.attempts,
                     resend=resend, request=ReportRequested.model_validate(report.request),
                     signal=signal_view(session, report.signal_id), obligation=obligation_of(session, step))

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
            # The steps locked and their reports read in one statement (one round trip a delivery).
            rows = session.execute(
                select(Step, Report).join(Report, Report.report_id == Step.report_id)
                .where(Step.id.in_([c.step_id for c in claims])).order_by(Step.id)
                .with_for_update(of=Step)).all()
            locked = {step.id: (step, report) for step, report in rows}
            for claim in claims:
                step, report = locked[claim.step_id]
                if step.state != StepState.SENDING or step.attempts != claim.attempt:
                    continue  # a later claim owns the step now
                # A follow-up has no acknowledgement window: the call already reached somebody.
                due = None if step.kind == StepKind.FOLLOW_UP else now + wait_of(step)
                step.state, step.sent_at, step.due_at, step.lease_until = StepState.DELIVERED, now, due, None
                step_outcome(session, report, step, OutcomeKind.DELIVERED, now)
                done += 1
        return done

    def refused(self, claim: Claim, reason: str) -> None:
        """Refused for good (a 4xx, an unknown mailbox, no webhook secret): the contact's next
        channel is tried in the same step; with none left, the chain moves on."""
        now = self._now()
        with self._db.transaction() as session:
            step = locked_step(session, claim.step_id)
            if step.state != StepState.SENDING or step.attempts != claim.attempt:
                return
            following = next_channel(step)
            if following is None:
                finish(session, step, StepState.FAILED, OutcomeKind.FAILED, now, reason=reason)
                return
            step_outcome(session, session.get_one(Report, step.report_id), step, OutcomeKind.FAILED, now,
                         reason=reason)
            step.channel, step.state, step.activate_at, step.lease_until, step.attempts = (
                following, StepState.PENDING, now, None, 0)

    def retry_later(self, claim: Claim, delay: timedelta) -> None:
        """A transient failure: the step stays claimed and is taken again after ``delay``."""
        with self._db.transaction() as session:
            step = locked_step(session, claim.step_id)
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
            acknowledged(session, step, OutcomeKind.ACKNOWLEDGED, now)
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
                    acknowledged(session, step, OutcomeKind.REACHED, now)
                    follow_up(session, step, now)
            else:
                report = session.get_one(Report, step.report_id)
                step_outcome(session, report, step, OutcomeKind(outcome.value), now)
            return True

    def phone_tasks(self) -> list[dict[str, Any]]:
        """Open calls for specialists: the contact to call and the window, never the report's content."""
        with self._db.read() as session:
            rows = session.execute(open_steps(select(Step, Report, Lookup.obligation_id)
                                         .join(Report, Report.report_id == Step.report_id)
                                         .where(Step.channel == "phone", Step.state == StepState.DELIVERED))
                                   .order_by(Step.due_at, Step.id)).all()
            return [{"task_id": s.id, "report_id": str(s.report_id), "reference_number": r.reference_number,
                     "need": r.need, "victim": s.lookup_index, "step": s.step_index, "obligation": obligation,
                     "contact_id": s.contact_id, "contact": s.contact,
                     "opened_at": s.sent_at.isoformat() if s.sent_at else None,
                     "due_at": s.due_at.isoformat() if s.due_at else None}
                    for s, r, obligation in rows]
