"""Staff accounts: creating them, their argon2id passwords, deactivation, and API tokens.

Tokens are random secrets handed out once; the database keeps only their SHA-256, so a copy of the
database signs nobody in. Blocking (database and argon2): web code runs it in the thread pool.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import Any, Final, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.review import audit
from services.review.db import Database
from services.review.models import ApiToken, User, UserSession
from services.review.passwords import MAX_PASSWORD, normalise, password_problem
from services.review.principals import ROLES, AuthError, Role, UnknownUser, UserExists, WeakPassword

__all__ = ["Accounts", "digest", "normal_username"]

_USERNAME: Final = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


def digest(secret: str) -> str:
    """What the database keeps of a session or token secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normal_username(raw: str) -> str:
    return raw.strip().lower()


class Accounts:
    """The account operations; each is one transaction with its audit entry."""

    def __init__(self, db: Database, *, now: Callable[[], datetime],
                 hasher: PasswordHasher | None = None) -> None:
        self.db = db
        self._now = now
        self._hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile

    @cached_property
    def _dummy_hash(self) -> str:
        # Verified against when the account does not exist, so a miss costs what a hit costs.
        return self._hasher.hash(secrets.token_urlsafe(16))

    def prepare_stand_in_hash(self) -> None:
        """Make the stand-in hash for unknown usernames now, not on the first such sign-in (which
        would otherwise take two hashes, and so tell a username that exists from one that does not)."""
        _ = self._dummy_hash

    def create_user(self, username: str, display_name: str, role: Role | str, password: str | None, *,
                    by: str = "cli") -> int:
        """A new account; ``password`` is None for service accounts only (they use tokens)."""
        name = normal_username(username)
        if role not in ROLES:
            raise AuthError(f"the role must be one of {', '.join(sorted(ROLES))}")
        role = Role(role)
        if not _USERNAME.fullmatch(name):
            raise AuthError("a username is 2-64 of a-z, 0-9, '.', '_' and '-', starting with a letter "
                            "or digit")
        if not display_name.strip() or len(display_name) > 128:
            raise AuthError("the display name must be 1 to 128 characters")
        if (password is None) != (role is Role.SERVICE):
            raise AuthError("service accounts have no password (they use API tokens); everyone else "
                            "needs one")
        password_hash = self._hash(password, name) if password is not None else None
        try:
            with self.db.transaction() as session:
                if session.scalar(select(User.id).where(User.username == name)) is not None:
                    raise UserExists(f"user {name} already exists")
                user = User(username=name, display_name=display_name.strip(), role=role.value,
                            password_hash=password_hash, active=True, on_shift=False, shift_order=0,
                            created_at=self._now())
                session.add(user)
                session.flush()
                audit.append(session, actor=by, action="user_created", case_id=None, at=self._now(),
                             detail={"user_id": user.id, "username": name, "role": role.value})
                return user.id
        except IntegrityError:  # created by someone else between the check and the insert
            raise UserExists(f"user {name} already exists") from None

    def set_password(self, username: str, password: str, *, by: str = "cli") -> None:
        """A new password; every session of the account ends."""
        name = normal_username(username)
        password_hash = self._hash(password, name)
        with self.db.transaction() as session:
            user = self._user(session, name)
            if user.role == Role.SERVICE:
                raise AuthError("service accounts have no password")
            user.password_hash = password_hash
            session.execute(delete(UserSession).where(UserSession.user_id == user.id))
            audit.append(session, actor=by, action="password_set", case_id=None,
                         detail={"user_id": user.id}, at=self._now())

    def deactivate(self, username: str, *, by: str = "cli") -> None:
        """The account can no longer sign in; its sessions end and its tokens are revoked."""
        now = self._now()
        with self.db.transaction() as session:
            user = self._user(session, normal_username(username))
            user.active = False
            session.execute(delete(UserSession).where(UserSession.user_id == user.id))
            session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                            .values(revoked_at=now))
            audit.append(session, actor=by, action="user_deactivated", case_id=None,
                         detail={"user_id": user.id}, at=now)

    def create_token(self, username: str, name: str, *, by: str = "cli") -> str:
        """A new API token for an active account, returned once; only its SHA-256 is kept."""
        if not name.strip() or len(name.strip()) > 64:
            raise AuthError("a token name is 1 to 64 characters")
        token = secrets.token_urlsafe(32)
        with self.db.transaction() as session:
            user = self._user(session, normal_username(username))
            if not user.active:
                raise AuthError(f"user {user.username} is deactivated")
            session.add(ApiToken(token_hash=digest(token), user_id=user.id, name=name.strip(),
                                 created_at=self._now(), revoked_at=None))
            audit.append(session, actor=by, action="token_created", case_id=None,
                         detail={"user_id": user.id, "token": name.strip()}, at=self._now())
        return token

    def revoke_token(self, username: str, name: str, *, by: str = "cli") -> int:
        """Revoke the account's live tokens called ``name``; how many were revoked."""
        now = self._now()
        with self.db.transaction() as session:
            user = self._user(session, normal_username(username))
            result = session.execute(
                update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.name == name.strip(),
                                       ApiToken.revoked_at.is_(None)).values(revoked_at=now))
            revoked = int(cast("CursorResult[Any]", result).rowcount)
            if revoked:
                audit.append(session, actor=by, action="token_revoked", case_id=None,
                             detail={"user_id": user.id, "token": name.strip(), "count": revoked}, at=now)
        return int(revoked)

    # ------------------------------------------------------------ parts

    def _hash(self, password: str, username: str) -> str:
        problem = password_problem(password, username)
        if problem is not None:
            raise WeakPassword(problem)
        return self._hasher.hash(normalise(password))

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, normalise(password[:MAX_PASSWORD]))
        except (VerificationError, InvalidHashError):
            return False

    def _user(self, session: Session, name: str) -> User:
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            raise UnknownUser(f"no user {name}")
        return user
