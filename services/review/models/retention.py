"""What happens to a case's record over time: legal holds, the retention purge, erasure on
request, and lawful export."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.review.models.base import Base


class LegalHold(Base):
    """A case a supervisor put on legal hold: the retention purge leaves it whole until released.
    Placing and releasing are in the audit trail; a released hold's row is deleted."""

    __tablename__ = "legal_holds"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500))
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime]


class CasePurge(Base):
    """A class of content the purge removed from a case closed at ``closed_at``. A case closed
    again later (a follow-up reopened it) has a later closing time, so its new content is due again."""

    __tablename__ = "case_purges"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    data_class: Mapped[str] = mapped_column(String(16), primary_key=True)
    closed_at: Mapped[datetime]
    purged_at: Mapped[datetime]
    items: Mapped[int] = mapped_column(Integer)


# ------------------------------------------------------------------ erasure and lawful export

class ErasureRequest(Base):
    """A request to erase part of a case: a reporter's (contact details, receipt checked by the
    intake; ``requested_by`` None) or staff's on instruction (the content; a second supervisor
    approves). Nothing is erased until a supervisor confirms (see ``erasure``)."""

    __tablename__ = "erasure_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    reference_number: Mapped[str] = mapped_column(String(32), index=True)
    scope: Mapped[str] = mapped_column(String(16))  # contact | content
    basis: Mapped[str] = mapped_column(String(24))  # reporter_request | staff_instruction
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | confirmed | rejected
    requested_at: Mapped[datetime]
    requested_by: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(500))  # staff's instruction (a court order's number)
    case_id: Mapped[uuid.UUID | None]  # set when confirmed: the case the erasure applied to
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    signal_ids: Mapped[list[Any] | None]  # the signals whose data went


class ExportRequest(Base):
    """A lawful request for one case's record: one supervisor asks, a different one approves, and
    only then is the signed archive made; both steps and the archive's digest are audited."""

    __tablename__ = "export_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))  # the legal instrument (a subpoena's number)
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | rejected
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None]
    archive_sha256: Mapped[str | None] = mapped_column(String(64))
