"""Outgoing events written into the outbox in the caller's transaction (published by ``outbox``)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts import CODEC, Event, Topic
from contracts.events import OpsEvent, OpsKind, OutcomeKind, ReportNeed, ReportOutcome, Severity
from services.reporting.models import Lookup, OutboxRecord, Report, Step, StepKind
from services.runtime.sql import insert_or_ignore
from services.runtime.tracing import trace_headers

SOURCE: Final = "/hotline/reporting"
# Escalations come from the ledger, not from a process run: a fixed instance name and the
# lookup's row id as the sequence give an escalation the same event id after any restart.
LEDGER_INSTANCE: Final = "ledger"


def enqueue(session: Session, topic: Topic, event: Event, now: datetime) -> None:
    """Add ``event`` to the outbox; a second enqueue of the same event id is ignored (one statement:
    ``INSERT ... ON CONFLICT DO NOTHING`` on PostgreSQL and SQLite alike)."""
    record = CODEC.encode(event, source=SOURCE, extra_headers=trace_headers(topic, now=now))
    session.execute(insert_or_ignore(session, OutboxRecord, {
        "event_id": f"{topic.value}:{record.event_id}", "topic": topic.value,
        "key": record.key.decode() if record.key is not None else None,
        "value": record.value.decode("utf-8"),
        "headers": [[name, value.decode("utf-8")] for name, value in record.headers],
        "created_at": now, "published_at": None}, index_elements=["event_id"]))


def step_outcome(session: Session, report: Report, step: Step, kind: OutcomeKind, now: datetime,
                 reason: str | None = None) -> None:
    enqueue(session, Topic.REPORTS_OUTCOMES, ReportOutcome(
        report_id=report.report_id, signal_id=report.signal_id, reference_number=report.reference_number,
        need=ReportNeed(report.need), victim=step.lookup_index, step=step.step_index,
        contact_id=step.contact_id, channel=step.channel, kind=kind, reason=reason,  # type: ignore[arg-type]
        obligation=obligation_of(session, step), occurred_at=now), now)


def lookup_outcome(session: Session, report: Report, lookup_index: int, kind: OutcomeKind, now: datetime,
                   reason: str | None = None, obligation: str | None = None) -> None:
    enqueue(session, Topic.REPORTS_OUTCOMES, ReportOutcome(
        report_id=report.report_id, signal_id=report.signal_id, reference_number=report.reference_number,
        need=ReportNeed(report.need), victim=lookup_index, kind=kind, reason=reason, obligation=obligation,
        occurred_at=now), now)


def obligation_of(session: Session, step: Step) -> str | None:
    """The mandatory report a step delivers (None for the steps of a matrix chain)."""
    if step.kind != StepKind.OBLIGATION:
        return None
    return session.scalar(select(Lookup.obligation_id).where(
        Lookup.report_id == step.report_id, Lookup.lookup_index == step.lookup_index))


def escalation(session: Session, report: Report, lookup_row_id: int, now: datetime, reason: str) -> None:
    enqueue(session, Topic.OPS_EVENTS, OpsEvent(
        service="reporting", instance=LEDGER_INSTANCE, kind=OpsKind.ESCALATION, severity=Severity.CRITICAL,
        occurred_at=now, sequence=lookup_row_id, reason=reason, signal_id=report.signal_id), now)
