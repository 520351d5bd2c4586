"""The ledger's steps in the database: the queries it runs over them, and how a step ends (see ``ledger``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contracts.events import OutcomeKind
from services.reporting.models import (
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
from services.reporting.protocols.model import Contact


def acknowledged(session: Session, step: Step, kind: OutcomeKind, now: datetime) -> None:
    """Somebody has it: the step is acknowledged and its chain completed."""
    report = session.get_one(Report, step.report_id)
    step.state, step.finished_at, step.lease_until = StepState.ACKNOWLEDGED, now, None
    step_outcome(session, report, step, kind, now)
    lookup = lookup_of(session, step)
    if lookup.state == LookupState.OPEN:
        # Somebody has it: the rest of the chain stays pending and is never sent.
        lookup.state, lookup.closed_at = LookupState.COMPLETED, now
        lookup_outcome(session, report, step.lookup_index, OutcomeKind.COMPLETED, now,
                       obligation=lookup.obligation_id)
        settle_obligation(session, lookup, "completed")


def finish(session: Session, step: Step, state: StepState, kind: OutcomeKind, now: datetime,
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
    lookup = lookup_of(session, step)
    if lookup.state == LookupState.OPEN:
        lookup.state, lookup.closed_at = LookupState.EXHAUSTED, now
        overdue = lookup.obligation_id is not None
        lookup_outcome(session, report, step.lookup_index, OutcomeKind.EXHAUSTED, now,
                       reason="obligation_unacknowledged" if overdue else "chain_exhausted",
                       obligation=lookup.obligation_id)
        settle_obligation(session, lookup, "overdue")
        escalation(session, report, lookup.id, now,
                   reason="obligation_unacknowledged" if overdue else "chain_exhausted")


def open_steps(query: Any) -> Any:
    """Only steps of chains still looking for somebody, and written follow-ups of calls."""
    return query.join(Lookup, (Lookup.report_id == Step.report_id)
                      & (Lookup.lookup_index == Step.lookup_index)).where(
        (Lookup.state == LookupState.OPEN) | (Step.kind == StepKind.FOLLOW_UP))


@dataclass(frozen=True)
class Loaded:
    """What ``prefetch`` loaded. Hold it while the session is in use: a session keeps a row it has
    not changed only as long as something else refers to it, so a prefetch whose result is dropped
    has loaded for nothing, and every ``session.get`` after it asks the database again."""

    reports: dict[uuid.UUID, Report]
    content: tuple[SignalFacts | SignalContent, ...]  # found by ``store.signal_view``'s ``session.get``


def prefetch(session: Session, steps: Sequence[Step], *, content: bool = True) -> Loaded:
    """Load the steps' reports (and what their sends may say) in one query each: the loop over the
    steps then finds them here and in the session instead of asking the database once per step."""
    report_ids = {step.report_id for step in steps}
    reports = session.scalars(select(Report).where(Report.report_id.in_(report_ids))).all()
    rows: list[SignalFacts | SignalContent] = []
    if content:
        signal_ids = {report.signal_id for report in reports}
        rows += session.scalars(select(SignalFacts).where(SignalFacts.signal_id.in_(signal_ids))).all()
        rows += session.scalars(select(SignalContent).where(SignalContent.signal_id.in_(signal_ids))).all()
    return Loaded(reports={report.report_id: report for report in reports}, content=tuple(rows))


def follow_up(session: Session, call: Step, now: datetime) -> None:
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


def next_channel(step: Step) -> str | None:
    """The type of the contact's next channel after the step's (obligations are a step per channel)."""
    if step.kind == StepKind.OBLIGATION:
        return None
    types = [channel["type"] for channel in step.contact["channels"]]
    after = types[types.index(step.channel) + 1:] if step.channel in types else []
    return next((kind for kind in after if kind != step.channel), None)


def obligation_of(session: Session, step: Step) -> tuple[str, str] | None:
    if step.kind != StepKind.OBLIGATION:
        return None
    row = session.scalars(select(Obligation).where(
        Obligation.report_id == step.report_id, Obligation.lookup_index == step.lookup_index)).first()
    return (row.obligation_id, row.basis) if row is not None else None


def settle_obligation(session: Session, lookup: Lookup, state: str) -> None:
    if lookup.obligation_id is None:
        return
    row = session.scalars(select(Obligation).where(
        Obligation.report_id == lookup.report_id, Obligation.lookup_index == lookup.lookup_index)).first()
    if row is not None:
        row.state = state


def locked_step(session: Session, step_id: int) -> Step:
    return session.get_one(Step, step_id, with_for_update=True)


def lookup_of(session: Session, step: Step) -> Lookup:
    return session.scalars(select(Lookup).where(Lookup.report_id == step.report_id,
                                                Lookup.lookup_index == step.lookup_index)).one()


def wait_of(step: Step) -> timedelta:
    return timedelta(seconds=step.wait_s)
