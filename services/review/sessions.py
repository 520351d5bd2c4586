"""Signing in and out: server-side sessions, their cookies, and who a request is from.

Sessions are random secrets handed out once; the database keeps only their SHA-256. A session
cookie is HttpOnly and SameSite=Strict; the request guard (``services.review.guard``) reads it.

Failed sign-ins are throttled per source and account (``services.review.throttle``): guesses from
one place meet an increasing delay, and nobody can keep a named person out by guessing wrong. The
counts are kept in memory: they reset when the process restarts and are per process.

The second factor (``services.review.mfa``): for an account with one, or where one is required,
a right password raises ``SecondFactorNeeded`` with a pending sign-in instead of opening a session;
``complete`` and ``enrol`` turn it into a session once the code is right.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final, Literal, cast

from argon2 import PasswordHasher
from fastapi.responses import Response
from sqlalchemy import CursorResult, delete, select, update

from services.review import audit
from services.review.accounts import Accounts, digest, normal_username
from services.review.db import Database
from services.review.mfa import Factor, SecondFactor
from services.review.models import ApiToken, User, UserSession
from services.review.passwords import normalise
from services.review.principals import ROLES, Principal, Role, SecondFactorNeeded, Throttled
from services.review.throttle import SignInThrottle

__all__ = ["COOKIE", "PENDING_COOKIE", "UNKNOWN_ACTOR", "Sessions"]

COOKIE: Final = "hotline_review_session"
PENDING_COOKIE: Final = "hotline_review_pending"  # a right password waiting for its second factor
UNKNOWN_ACTOR: Final = "(unknown user)"
_SLIDE_EVERY: Final = timedelta(minutes=1)


class Sessions(Accounts):
    """Accounts, and signing them in: sessions and their cookies. Blocking (database and argon2):
    the FastAPI parts run it in the thread pool."""

    def __init__(self, db: Database, *, session_ttl: timedelta, cookie_secure: bool,
                 now: Callable[[], datetime], session_max_age: timedelta = timedelta(hours=12),
                 hasher: PasswordHasher | None = None, mfa_required: bool = False,
                 mfa_issuer: str = "Hotline case review") -> None:
        if session_max_age < session_ttl:
            raise ValueError("session_max_age must be at least session_ttl")
        super().__init__(db, now=now, hasher=hasher)
        self.session_ttl = session_ttl
        self.session_max_age = session_max_age  # a session ends this long after sign-in, used or not
        self.cookie_secure = cookie_secure
        self._throttle = SignInThrottle()
        self.mfa = SecondFactor(db, now=now, required=mfa_required, throttle=self._throttle,
                                issuer=mfa_issuer)

    def login(self, username: str, password: str, *,
              source: str | None = None) -> tuple[str, Principal] | None:
        """A new session (its secret token and who it is for), or None for a wrong username or
        password. ``source`` is where the attempt comes from (the client address, kept only as a
        keyed hash in memory); raises ``Throttled`` while that source must wait. Audited either
        way; the audit names the account only when it exists (a password typed into the username
        box must not end up in an append-only table)."""
        name, now = normal_username(username)[:200], self._now()
        with self.db.read() as session:
            user = session.scalar(select(User).where(User.username == name))
        actor = user.username if user is not None else UNKNOWN_ACTOR
        wait = self._throttle.wait(name, source, now)
        if wait is not None:
            self._audit_failure(actor, "throttled", now)
            raise Throttled(wait)
        stored = user.password_hash if user is not None else None
        matches = self._verify(stored or self._dummy_hash, password)
        if user is None or stored is None or not matches or not user.active or user.role not in ROLES:
            reason = ("unknown_user" if user is None else "no_password" if stored is None
                      else "wrong_password" if not matches else "inactive" if not user.active else "bad_role")
            self._throttle.failed(name, source, now)
            self._audit_failure(actor, reason, now)
            return None
        self._throttle.succeeded(name, source)
        if self._hasher.check_needs_rehash(stored):
            with self.db.transaction() as session:
                session.execute(update(User).where(User.id == user.id)
                                .values(password_hash=self._hasher.hash(normalise(password))))
        stage = self.mfa.stage_after_password(user.id)
        if stage is not None:
            raise SecondFactorNeeded(self.mfa.start(user.id, stage), stage)
        return self._open_session(user, None)

    def complete(self, pending_token: str | None, code: str, *,
                 source: str | None = None) -> tuple[str, Principal] | None:
        """The session of a pending sign-in whose code (or recovery code) is right; None when the
        pending sign-in is gone (expired, too many wrong codes). Raises ``mfa.WrongCode`` and
        ``mfa.CodeThrottled``."""
        pending = self.mfa.pending(pending_token)
        if pending is None or pending.stage != "code":
            return None
        factor = self.mfa.verify(pending.user_id, pending.username, code, source=source,
                                 pending_token=pending_token)
        return self._finish(pending_token, pending.user_id, factor)

    def enrol(self, pending_token: str | None, code: str, *,
              source: str | None = None) -> tuple[str, Principal, list[str]] | None:
        """Enrolment during sign-in: the session and the recovery codes once the first code is
        right; None when the pending sign-in is gone."""
        pending = self.mfa.pending(pending_token)
        if pending is None or pending.stage != "enrol":
            return None
        codes = self.mfa.confirm_enrolment(pending.user_id, pending.username, code, source=source,
                                           pending_token=pending_token)
        signed_in = self._finish(pending_token, pending.user_id, "totp")
        return (*signed_in, codes) if signed_in is not None else None

    def _finish(self, pending_token: str | None, user_id: int,
                factor: Factor) -> tuple[str, Principal] | None:
        self.mfa.end(pending_token)
        with self.db.read() as session:
            user = session.get(User, user_id)
        if user is None or not user.active or user.role not in ROLES:
            return None
        return self._open_session(user, factor)

    def sign_in_external(self, user_id: int, method: Literal["oidc"]) -> tuple[str, Principal] | None:
        """A session for an account whose person the OpenID provider signed in (and asked for
        their second factor: ``services.review.sso_accounts``); None for an account that cannot
        sign in. The same kind of session a password opens."""
        with self.db.read() as session:
            user = session.get(User, user_id)
        if user is None or not user.active or user.role not in ROLES or user.role == Role.SERVICE:
            return None
        return self._open_session(user, None, method=method)

    def _open_session(self, user: User, factor: Factor | None, *,
                      method: Literal["password", "oidc"] = "password") -> tuple[str, Principal]:
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self._now()
        detail: dict[str, Any] = {"user_id": user.id}
        if factor is not None:
            detail["second_factor"] = factor
        if method != "password":
            detail["via"] = method
        with self.db.transaction() as session:
            session.add(UserSession(token_hash=digest(token), user_id=user.id, csrf_token=csrf,
                                    created_at=now, expires_at=now + self.session_ttl))
            audit.append(session, actor=user.username, action="login", case_id=None, detail=detail, at=now)
        return token, Principal(user.id, user.username, user.display_name, Role(user.role), "session", csrf)

    def logout(self, session_token: str | None) -> None:
        if not session_token:
            return
        with self.db.transaction() as session:
            row = session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                                  .where(UserSession.token_hash == digest(session_token))).first()
            if row is None:
                return
            session.delete(row[0])
            audit.append(session, actor=row[1].username, action="logout", case_id=None,
                         detail={"user_id": row[1].id}, at=self._now())

    def principal(self, session_token: str | None, bearer: str | None) -> Principal | None:
        """Who a request is from: the bearer token when one is given (a wrong one is not
        rescued by a cookie), else the session cookie. Expired sessions, revoked tokens and
        deactivated accounts are None. A session used more than a minute after its last
        extension is extended to ``session_ttl`` from now (never past ``session_max_age``)."""
        if bearer:
            return self._by_token(bearer)
        if session_token:
            return self._by_session(session_token)
        return None

    def purge_expired(self) -> int:
        """Delete sessions past their expiry (they are refused anyway); how many."""
        with self.db.transaction() as session:
            result = session.execute(delete(UserSession).where(UserSession.expires_at <= self._now()))
            ended = int(cast("CursorResult[Any]", result).rowcount)
        return ended + self.mfa.purge_expired()

    # ------------------------------------------------------------ cookies

    def set_session_cookie(self, response: Response, session_token: str) -> None:
        # No Max-Age: the cookie ends with the browser; the server's expiry is the real limit.
        response.set_cookie(COOKIE, session_token, httponly=True, samesite="strict", path="/",
                            secure=self.cookie_secure)

    def clear_session_cookie(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=self.cookie_secure)

    def set_pending_cookie(self, response: Response, pending_token: str) -> None:
        # Sent to the sign-in pages only: no other page could make anything of it anyway.
        response.set_cookie(PENDING_COOKIE, pending_token, httponly=True, samesite="strict", path="/login",
                            secure=self.cookie_secure)

    def clear_pending_cookie(self, response: Response) -> None:
        response.delete_cookie(PENDING_COOKIE, path="/login", httponly=True, samesite="strict",
                               secure=self.cookie_secure)

    # ------------------------------------------------------------ parts

    def _audit_failure(self, actor: str, reason: str, now: datetime) -> None:
        with self.db.transaction() as session:
            audit.append(session, actor=actor[:64], action="login_failed", case_id=None,
                         detail={"reason": reason}, at=now)

    def _by_session(self, session_token: str) -> Principal | None:
        now = self._now()
        with self.db.transaction() as session:
            row = session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                                  .where(UserSession.token_hash == digest(session_token))).first()
            if row is None:
                return None
            stored, user = row
            if stored.expires_at <= now or not user.active or user.role not in ROLES:
                session.delete(stored)
                return None
            if not self.mfa.allows(session, user.id, user.role):
                return None  # signed in before a second factor was required: enrol first
            if now - (stored.expires_at - self.session_ttl) >= _SLIDE_EVERY:
                extended = min(now + self.session_ttl, stored.created_at + self.session_max_age)
                if extended > stored.expires_at:
                    stored.expires_at = extended
            return Principal(user.id, user.username, user.display_name, Role(user.role), "session",
                             stored.csrf_token)

    def _by_token(self, bearer: str) -> Principal | None:
        with self.db.read() as session:
            row = session.scalar(select(User).join(ApiToken, ApiToken.user_id == User.id)
                                 .where(ApiToken.token_hash == digest(bearer), ApiToken.revoked_at.is_(None),
                                        User.active.is_(True)))
            if row is not None and not self.mfa.allows(session, row.id, row.role):
                return None  # a staff account's token reads case data too: not without its second factor
        if row is None or row.role not in ROLES:
            return None
        return Principal(row.id, row.username, row.display_name, Role(row.role), "token", None)


