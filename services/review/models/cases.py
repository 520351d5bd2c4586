"""The case store's cases and what they gather: signals, attachments, grouping keys, links,
reporting's outcomes, the mandatory reports owed, replies to texters, contact attempts, and the
ids of the events applied."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from services.review.models.base import Base


class Case(Base):
    """One situation: every signal about it (follow-ups, a call's fragments) and what was decided."""

    __tablename__ = "cases"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    reference_number: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(24))  # open | awaiting_approval | closed | merged
    urgency: Mapped[str] = mapped_column(String(24))
    urgency_rank: Mapped[int] = mapped_column(Integer)  # 1 (act now) .. 4 (informational)
    call_type: Mapped[str] = mapped_column(String(24))
    trafficking_type: Mapped[str] = mapped_column(String(16))
    state: Mapped[str | None] = mapped_column(String(2))
    city: Mapped[str | None] = mapped_column(String(200))
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    imminent_danger: Mapped[bool] = mapped_column(Boolean, default=False)
    triaged: Mapped[bool] = mapped_column(Boolean, default=False)  # False until a triage arrived
    opened_at: Mapped[datetime]
    sla_due_at: Mapped[datetime]
    # Urgent cases: a supervisor must acknowledge (claim or decide) by then, or it escalates.
    ack_due_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claim_expires_at: Mapped[datetime | None]
    break_glass: Mapped[bool] = mapped_column(Boolean, default=False)  # a report already went out
    closed_reason: Mapped[str | None] = mapped_column(String(32))
    merged_into: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    # A report's contact chain ran out without an acknowledgement: people must act.
    report_exhausted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # The deadline (``sla_due_at``) whose passing was reported to ops: once per deadline.
    deadline_reported_for: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        # The queue: open work, most urgent first, then by deadline.
        Index("ix_cases_queue", "status", "urgency_rank", "sla_due_at"),
        # The queue's page in the queue's own order (with the ``id`` tie-break), over open cases only:
        # a page reads its 50 rows from here instead of sorting every open case, and closed cases,
        # which only accumulate, never enter it. The predicate is the one ``queries.queue`` uses.
        Index("ix_cases_open_queue", "urgency_rank", "sla_due_at", "id",
              postgresql_where=text("status IN ('open', 'awaiting_approval')"),
              sqlite_where=text("status IN ('open', 'awaiting_approval')")),
        Index("ix_cases_state", "state"),
        # The SLA clock's question every few seconds: urgent cases nobody has acknowledged yet.
        Index("ix_cases_unacknowledged", "ack_due_at",
              postgresql_where=text("acknowledged_at IS NULL AND ack_due_at IS NOT NULL"),
              sqlite_where=text("acknowledged_at IS NULL AND ack_due_at IS NOT NULL")),
    )


class Signal(Base):
    """A signal as review keeps it: what was received (the only place narrative is kept) and triage."""

    __tablename__ = "signals"

    signal_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    reference_number: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime]
    # From SignalReceived (None until it arrives; triage may be applied first).
    subject: Mapped[str | None] = mapped_column(Text)
    narrative: Mapped[str | None] = mapped_column(Text)
    reporter: Mapped[dict[str, Any] | None]  # identifying: hidden unless revealed
    facts: Mapped[dict[str, Any] | None]
    source: Mapped[dict[str, Any] | None]
    attachments: Mapped[list[Any] | None]
    related: Mapped[dict[str, Any] | None]
    # From SignalTriaged.
    triage: Mapped[dict[str, Any] | None]
    urgency: Mapped[str | None] = mapped_column(String(24))
    call_type: Mapped[str | None] = mapped_column(String(24))
    rules_version: Mapped[str | None] = mapped_column(String(64))
    alerted_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_signals_case_channel", "case_id", "channel"),)


class Attachment(Base):
    """Which case an attachment (in the blob store, by sha256) belongs to: staff may download it."""

    __tablename__ = "attachments"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    signal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signals.signal_id"), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    media_type: Mapped[str] = mapped_column(String(127))
    size_bytes: Mapped[int] = mapped_column(BigInteger)


class CaseKey(Base):
    """What groups signals into one case: a reference number, a call id."""

    __tablename__ = "case_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)


class CaseLink(Base):
    """Cases that share an entity (triage's correlation) or that a supervisor linked."""

    __tablename__ = "case_links"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    other_case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(64))  # shared:phone,email | linked_by_supervisor


class ReportOutcomeRow(Base):
    """What reporting says happened to each step of a report about this case."""

    __tablename__ = "report_outcomes"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    report_id: Mapped[uuid.UUID]
    need: Mapped[str] = mapped_column(String(48))
    victim: Mapped[int | None] = mapped_column(Integer)
    step: Mapped[int | None] = mapped_column(Integer)
    contact_id: Mapped[str | None] = mapped_column(String(80))
    channel: Mapped[str | None] = mapped_column(String(16))
    # A mandatory report's id (e.g. "ncmec-minor") when ``victim`` is its lookup, not a victim's chain.
    obligation: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(80))
    occurred_at: Mapped[datetime]


class CaseObligation(Base):
    """The mandatory reports a minor's case owes (NCMEC, the FBI): one per case, not per report.

    Opened when triage, an urgent alert or a supervisor's override says a minor is involved; due
    ``mandatory_report_hours`` after the receipt of the earliest signal that brought the minor;
    discharged by the one report approved by two people that carries it (or by a break-glass
    report), as reporting's outcomes for its mandatory reports say.
    """

    __tablename__ = "case_obligations"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    # open | requested | sent | discharged | failed | withdrawn (see ``obligations``)
    state: Mapped[str] = mapped_column(String(16))
    basis: Mapped[str] = mapped_column(String(16))  # triage | alert | override | reporting
    signal_id: Mapped[uuid.UUID | None]  # the earliest signal that brought the minor
    received_at: Mapped[datetime]  # its receipt: the clock starts here
    due_at: Mapped[datetime]
    opened_at: Mapped[datetime]
    decision_id: Mapped[uuid.UUID | None]  # the law-enforcement request that carries it
    report_id: Mapped[uuid.UUID | None]  # the report that makes the mandatory reports
    # What reporting said of each mandatory report ({"ncmec-minor": "completed", ...}).
    reports: Mapped[dict[str, Any]]
    settled_at: Mapped[datetime | None]
    # Told to ops once each (the clock's events are once per obligation, not per tick).
    overdue_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_case_obligations_owed", "state", "due_at"),)


class TextReply(Base):
    """A supervisor's reply to a texter: the words, who asked, and what the SMS intake did with it."""

    __tablename__ = "text_replies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the reply id on replies.requested
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    signal_id: Mapped[uuid.UUID]  # the text answered
    body: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # requested | sent | refused | failed | interrupted
    reason: Mapped[str | None] = mapped_column(String(48))
    updated_at: Mapped[datetime]


class ContactAttempt(Base):
    """A call or text to a reporter who asked to be contacted, as staff logged it. Never the words
    said or the number used: those stay with the signal's reporter, read through an audited view."""

    __tablename__ = "contact_attempts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    signal_id: Mapped[uuid.UUID]  # whose contact details and preferences (a case may have several)
    # spoke_with_them | no_answer | left_voicemail | sent_text | wrong_person_answered
    outcome: Mapped[str] = mapped_column(String(32))
    attempted_at: Mapped[datetime]
    logged_by: Mapped[str] = mapped_column(String(64))
    # Outside the reporter's safe times: allowed only with the staff member's stated reason.
    outside_safe_times: Mapped[bool] = mapped_column(Boolean, default=False)
    override_reason: Mapped[str | None] = mapped_column(String(500))


class AppliedEvent(Base):
    """Every event id applied: a redelivered record changes nothing."""

    __tablename__ = "applied_events"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[datetime]
