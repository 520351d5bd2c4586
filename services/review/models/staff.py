"""Staff: accounts, sessions, API tokens, the second factor, single sign-on identities, and the
append-only audit trail of what they did."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.review.models.base import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))  # analyst | supervisor | admin | service
    password_hash: Mapped[str | None] = mapped_column(String(256))  # None for service accounts
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    on_shift: Mapped[bool] = mapped_column(Boolean, default=False)
    shift_order: Mapped[int] = mapped_column(Integer, default=0)  # who is alerted next
    created_at: Mapped[datetime]


class UserSession(Base):
    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class ApiToken(Base):
    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Append-only: the database refuses UPDATE and DELETE (a trigger), and each row's hash covers
    the previous row's, so ``hotline-review audit verify`` finds any edit made around the trigger."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# ------------------------------------------------------------------ the second factor

class StaffMfa(Base):
    """A staff account's TOTP secret. ``enabled_at`` is None while the enrolment waits for its first
    good code; ``last_step`` is the RFC 6238 time step of the last code accepted, so a code (or an
    older one) is never accepted twice. The secret leaves this row only for the enrolment page."""

    __tablename__ = "staff_mfa"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64))  # base32, RFC 4648
    created_at: Mapped[datetime]
    enabled_at: Mapped[datetime | None]
    last_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(Base):
    """One recovery code of a staff account, kept as the SHA-256 of its normalised form; used once."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class PendingSignIn(Base):
    """A right password waiting for its second factor (``stage`` "code") or for the account's
    enrolment (``stage`` "enrol"). Not a session: nothing but the second-factor pages accepts it."""

    __tablename__ = "pending_sign_ins"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[str] = mapped_column(String(8))
    csrf_token: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


# ------------------------------------------------------------------ single sign-on

class StaffIdentity(Base):
    """The staff account an OpenID provider's person signs in to: (issuer, subject) names the
    person for good (a username at the provider can be renamed or reused; the subject cannot)."""

    __tablename__ = "staff_identities"

    issuer: Mapped[str] = mapped_column(String(255), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime]
