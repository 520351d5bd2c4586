"""The delivery ledger's tables (SQLAlchemy 2); the schema is owned by the Alembic migrations.

The ledger (reports, lookups, steps, calls, obligations, outbox) holds ids, codes, times and the
professional contacts' details; never the narrative or the reporter. What a recipient may read
of a signal is kept apart in ``signal_content``, reduced at intake to what redaction can use
(the reporter's identity is stored only when the reporter consented to share it).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.runtime.sql import type_annotation_map as sql_types


class Base(DeclarativeBase):
    type_annotation_map = sql_types()


_ID = BigInteger().with_variant(Integer, "sqlite")


class ReportState(StrEnum):
    AWAITING_FACTS = "awaiting_facts"  # waiting (briefly) for the signal's declared victims
    ACTIVE = "active"


class LookupState(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"  # a step was acknowledged (or the call reached somebody)
    EXHAUSTED = "exhausted"  # every step tried, nobody acknowledged: escalated


class StepState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed: possibly sent (see ``ledger``)
    DELIVERED = "delivered"  # the contact's system took it, or the call task is open
    ACKNOWLEDGED = "acknowledged"
    TIMED_OUT = "timed_out"
    SKIPPED = "skipped"
    FAILED = "failed"


class StepKind(StrEnum):
    CHAIN = "chain"  # a step of a matrix cell's chain
    OBLIGATION = "obligation"  # a mandatory report's contact, on one of its channels
    FOLLOW_UP = "follow_up"  # the written report after a call reached somebody


class SignalFacts(Base):
    """What resolution needs of a signal: declared victims and the reporter's consent flags."""

    __tablename__ = "signal_facts"

    signal_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    reference_number: Mapped[str] = mapped_column(String(32))
    victims: Mapped[list[Any]]
    consent_to_share: Mapped[bool]
    consent_to_contact: Mapped[bool]
    received_at: Mapped[datetime]


class SignalContent(Base):
    """What recipients may be sent, as consent allows; kept apart from the ledger (see module doc)."""

    __tablename__ = "signal_content"

    signal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signal_facts.signal_id"), primary_key=True)
    narrative: Mapped[str] = mapped_column(Text)
    location: Mapped[dict[str, Any] | None]
    facts: Mapped[dict[str, Any]]  # danger, trafficking type, call type (declared)
    reporter: Mapped[dict[str, Any] | None]  # role and identity; None unless consent_to_share


class Report(Base):
    __tablename__ = "reports"

    report_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    signal_id: Mapped[uuid.UUID] = mapped_column(index=True)
    reference_number: Mapped[str] = mapped_column(String(32))
    need: Mapped[str] = mapped_column(String(64))
    request: Mapped[dict[str, Any]]  # the ReportRequested (ids and conditions, no content)
    state: Mapped[str] = mapped_column(String(16))
    resolve_after: Mapped[datetime]
    created_at: Mapped[datetime]


class Lookup(Base):
    """One victim situation's chain (``lookup_index`` is the outcome's ``victim``)."""

    __tablename__ = "lookups"
    __table_args__ = (UniqueConstraint("report_id", "lookup_index"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.report_id"))
    lookup_index: Mapped[int]
    victims: Mapped[list[Any]]
    source: Mapped[dict[str, Any] | None]
    state: Mapped[str] = mapped_column(String(16))
    closed_at: Mapped[datetime | None]
    # A mandatory report's lookup (its steps are the obligation's contact, channel by channel).
    obligation_id: Mapped[str | None] = mapped_column(String(64))


class Step(Base):
    """One (report, victim lookup, step) delivery: the unit the ledger sends at most once."""

    __tablename__ = "steps"
    __table_args__ = (
        UniqueConstraint("report_id", "lookup_index", "step_index"),
        Index("ix_steps_due_work", "state", "activate_at"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.report_id"))
    lookup_index: Mapped[int]
    step_index: Mapped[int]
    contact_id: Mapped[str] = mapped_column(String(64))
    contact: Mapped[dict[str, Any]]  # the protocol's contact as resolved (a snapshot)
    channel: Mapped[str] = mapped_column(String(16))
    wait_s: Mapped[int]
    # The request's condition, kept for the record: availability is read when the step comes up.
    business_hours: Mapped[bool]
    state: Mapped[str] = mapped_column(String(16))
    activate_at: Mapped[datetime | None]  # when it becomes the chain's current step
    lease_until: Mapped[datetime | None]  # a claimed send not finished by then was interrupted
    due_at: Mapped[datetime | None]  # the acknowledgement window's end
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    ack_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    reason: Mapped[str | None] = mapped_column(String(80))
    # A follow-up is sent although its lookup is completed, and never moves the chain on.
    kind: Mapped[str] = mapped_column(String(16), default=StepKind.CHAIN, server_default="chain")


class CallLog(Base):
    """A call specialist's logged outcome of a phone step (several per step: no answer, then reached)."""

    __tablename__ = "call_log"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(32))
    specialist: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500))
    logged_at: Mapped[datetime]


class Obligation(Base):
    """A mandatory report owed (e.g. NCMEC for a minor), with its deadline."""

    __tablename__ = "obligations"
    __table_args__ = (UniqueConstraint("report_id", "region", "obligation_id"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.report_id"))
    region: Mapped[str] = mapped_column(String(80))
    obligation_id: Mapped[str] = mapped_column(String(64))
    contact_id: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime | None]
    basis: Mapped[str] = mapped_column(Text)
    victims: Mapped[list[Any]]
    state: Mapped[str] = mapped_column(String(16))  # open, completed (acknowledged), overdue
    lookup_index: Mapped[int | None]  # the lookup that delivers it


class OutboxRecord(Base):
    """An event written in the same transaction as the ledger change that caused it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(160), unique=True)
    topic: Mapped[str] = mapped_column(String(64))
    key: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text)
    headers: Mapped[list[Any]]
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(index=True)


class ContentPurge(Base):
    """A class of a signal's content the retention purge removed, once every report about it had
    settled at ``settled_at``; a later report about the signal settles later, and is purged again."""

    __tablename__ = "content_purges"

    signal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("signal_facts.signal_id"), primary_key=True)
    data_class: Mapped[str] = mapped_column(String(16), primary_key=True)
    settled_at: Mapped[datetime]
    purged_at: Mapped[datetime]
    items: Mapped[int]
class ErasedSignal(Base):
    """A signal whose reporter's contact details (``contact``) or whole content (``content``) review
    ordered erased. Kept so that the signal, if it reaches the ledger only after the order, is
    stored without what was erased."""

    __tablename__ = "erased_signals"

    signal_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # contact | content (content includes contact)
    erasure_id: Mapped[uuid.UUID]
    erased_at: Mapped[datetime]
