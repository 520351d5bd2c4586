"""Staff decisions on a case, and the outbox of the events each decision's transaction writes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.review.models.base import Base


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    # le_report | referral | more_info | link | merge | close | flag_override | acknowledge
    kind: Mapped[str] = mapped_column(String(24))
    # effective | awaiting_approval | rejected
    status: Mapped[str] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]]
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime]
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None]


class OutboxRecord(Base):
    """An event written in the same transaction as the decision that caused it; the relay
    publishes it and marks it. Its event id is deterministic, so a re-publish after a crash is
    the same record to every consumer."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(128), unique=True)
    topic: Mapped[str] = mapped_column(String(64))
    key: Mapped[str | None] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text)  # the encoded JSON payload
    headers: Mapped[list[Any]]  # [[name, value-as-text], ...]
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
