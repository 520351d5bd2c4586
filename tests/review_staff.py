"""Review's staff accounts as the sign-in tests build them: a cheap password hasher, the clock, the
three accounts (a supervisor, an analyst, a service), and what the store says about them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import select

from services.review.auth import Auth, Role
from services.review.db import Database
from services.review.models import AuditEntry, User
from tests.manual_clock import ManualClock

PASSWORD = "correct horse battery staple"
START = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
TTL = timedelta(hours=1)


def cheap_hasher(time_cost: int = 1) -> PasswordHasher:
    """argon2id with test-sized parameters (production uses the library's RFC 9106 defaults)."""
    return PasswordHasher(time_cost=time_cost, memory_cost=8 * 1024, parallelism=1)


class Clock(ManualClock):
    start = START


def with_staff(staff: Auth) -> Auth:
    """``staff`` with sam (supervisor) and ana (analyst), who sign in with ``PASSWORD``, and feed (a
    service, no password)."""
    staff.create_user("sam", "Sam Supervisor", Role.SUPERVISOR, PASSWORD)
    staff.create_user("ana", "Ana Analyst", Role.ANALYST, PASSWORD)
    staff.create_user("feed", "Export feed", Role.SERVICE, None)
    return staff


def audit_rows(db: Database) -> list[AuditEntry]:
    with db.read() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def stored_user(db: Database, username: str) -> User:
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user
