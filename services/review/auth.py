"""Staff sign-in and access control: argon2id passwords, server-side sessions, API tokens, roles, CSRF.

Sessions and tokens are random secrets handed out once; the database keeps only their SHA-256, so a
copy of the database signs nobody in. A session cookie is HttpOnly and SameSite=Strict, and every
unsafe request made with it must also carry the session's CSRF token (form field ``csrf_token`` or
header ``X-CSRF-Token``); requests with a bearer token carry no ambient credential and are exempt.

Routes declare who may call them with ``Depends(auth.require(Role.SUPERVISOR, Role.ADMIN))``: the
dependency signs the request in, checks the CSRF token on unsafe methods and the role, and raises
``AccessDenied`` (an ``HTTPException``: 303 to the login page for a browser, 401 with
``WWW-Authenticate: Bearer`` under ``/api/``, 403 for a wrong role or CSRF token). An app's own
``HTTPException`` handler renders it; ``install_handlers`` adds one for apps that have none.

Failed sign-ins are throttled per source and account (``services.review.throttle``): guesses from
one place meet an increasing delay, and nobody can keep a named person out by guessing wrong. The
counts are kept in memory: they reset when the process restarts and are per process.

The second factor (``services.review.mfa``): for an account with one, or where one is required,
a right password raises ``SecondFactorNeeded`` with a pending sign-in instead of opening a session;
``complete`` and ``enrol`` turn it into a session once the code is right.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any, Final, Literal, cast
from urllib.parse import quote, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from services.review import audit
from services.review.db import Database
from services.review.mfa import Factor, SecondFactor, Stage
from services.review.models import ApiToken, User, UserSession
from services.review.throttle import SignInThrottle

__all__ = [
    "COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "PENDING_COOKIE",
    "AccessDenied",
    "Auth",
    "AuthError",
    "Principal",
    "Role",
    "SecondFactorNeeded",
    "Throttled",
    "UnknownUser",
    "UserExists",
    "WeakPassword",
    "csrf_protect",
    "install_handlers",
    "login_router",
    "password_problem",
    "safe_next",
]

COOKIE: Final = "hotline_review_session"
PENDING_COOKIE: Final = "hotline_review_pending"  # a right password waiting for its second factor
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"
MIN_PASSWORD: Final = 12
MAX_PASSWORD: Final = 1024
UNKNOWN_ACTOR: Final = "(unknown user)"
_UNSAFE: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SLIDE_EVERY: Final = timedelta(minutes=1)
_FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")
_USERNAME: Final = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
# Words whose variants ("Password2024!") are the first guesses of anyone trying accounts here.
_GUESSABLE: Final = frozenset({"password", "passwort", "qwerty", "qwertyuiop", "letmein", "welcome", "admin",
                               "administrator", "supervisor", "analyst", "hotline", "trafficking", "secret",
                               "changeme", "iloveyou", "abc", "abcdef", "abcdefghijkl", "monkey", "dragon"})


class Role(StrEnum):
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    SERVICE = "service"  # other systems, by API token only


@dataclass(frozen=True)
class Principal:
    """Who is asking. ``csrf_token`` is set for sessions (to put in forms), None for tokens."""

    user_id: int
    username: str
    display_name: str
    role: Role
    via: Literal["session", "token"]
    csrf_token: str | None


_ROLES: Final = frozenset(r.value for r in Role)


class AuthError(Exception):
    """An account operation refused; the message is fit to show the person who asked."""


class WeakPassword(AuthError, ValueError):
    pass


class UnknownUser(AuthError, LookupError):
    pass


class UserExists(AuthError):
    pass


class Throttled(AuthError):
    """Too many failed sign-ins from this source for this account (or any); wait ``retry_after``."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("too many failed sign-ins from here")
        self.retry_after = retry_after


class SecondFactorNeeded(AuthError):
    """The password was right; the sign-in continues at the code (``stage`` "code") or enrolment
    ("enrol") page with the pending sign-in ``token`` (its cookie), not with a session."""

    def __init__(self, token: str, stage: Stage) -> None:
        super().__init__("the second factor is needed")
        self.token = token
        self.stage = stage


class AccessDenied(HTTPException):
    """Raised by ``require``: 303 to the login page, 401 (API, not signed in) or 403 (role, CSRF)."""

    def __init__(self, status_code: int, message: str, *, headers: dict[str, str] | None = None,
                 principal: Principal | None = None) -> None:
        super().__init__(status_code, message, headers=headers)
        self.principal = principal


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is too weak for a staff account, or None. Length first (NIST SP 800-63B):
    at least 12 characters, not the username, not a common word with digits, not a short repeat."""
    if len(password) < MIN_PASSWORD:
        return f"the password must be at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"the password must be at most {MAX_PASSWORD} characters"
    lowered = password.lower()
    if username and len(username) >= 3 and username.lower() in lowered:
        return "the password must not contain the username"
    if len(set(lowered)) < 6:
        return "the password repeats too few characters; use a passphrase of several words"
    if re.sub(r"[^a-z]", "", lowered) in _GUESSABLE or lowered.strip("0123456789!?.#@$%&*_- ") in _GUESSABLE:
        return "the password is a common word with digits or symbols; use a passphrase of several words"
    return None


def safe_next(value: object) -> str:
    """Where to go after signing in: a path on this site only (no scheme, host or ``//``)."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or len(value) > 2000:
        return "/"
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path in ("/login", "/logout") \
            or parts.path.startswith("/login/"):
        return "/"
    return value


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def _username(raw: str) -> str:
    return raw.strip().lower()


class Auth:
    """Accounts, sign-in and the request guard. Blocking (database and argon2): the FastAPI parts
    run it in the thread pool."""

    def __init__(self, db: Database, *, session_ttl: timedelta, cookie_secure: bool,
                 now: Callable[[], datetime], session_max_age: timedelta = timedelta(hours=12),
                 hasher: PasswordHasher | None = None, mfa_required: bool = False,
                 mfa_issuer: str = "Hotline case review") -> None:
        if session_max_age < session_ttl:
            raise ValueError("session_max_age must be at least session_ttl")
        self.db = db
        self.session_ttl = session_ttl
        self.session_max_age = session_max_age  # a session ends this long after sign-in, used or not
        self.cookie_secure = cookie_secure
        self._now = now
        self._hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile
        self._throttle = SignInThrottle()
        self.mfa = SecondFactor(db, now=now, required=mfa_required, throttle=self._throttle,
                                issuer=mfa_issuer)

    @cached_property
    def _dummy_hash(self) -> str:
        # Verified against when the account does not exist, so a miss costs what a hit costs.
        return self._hasher.hash(secrets.token_urlsafe(16))

    # ------------------------------------------------------------ accounts

    def create_user(self, username: str, display_name: str, role: Role | str, password: str | None, *,
                    by: str = "cli") -> int:
        """A new account; ``password`` is None for service accounts only (they use tokens)."""
        name = _username(username)
        if role not in _ROLES:
            raise AuthError(f"the role must be one of {', '.join(sorted(_ROLES))}")
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
        name = _username(username)
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
            user = self._user(session, _username(username))
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
            user = self._user(session, _username(username))
            if not user.active:
                raise AuthError(f"user {user.username} is deactivated")
            session.add(ApiToken(token_hash=_digest(token), user_id=user.id, name=name.strip(),
                                 created_at=self._now(), revoked_at=None))
            audit.append(session, actor=by, action="token_created", case_id=None,
                         detail={"user_id": user.id, "token": name.strip()}, at=self._now())
        return token

    def revoke_token(self, username: str, name: str, *, by: str = "cli") -> int:
        """Revoke the account's live tokens called ``name``; how many were revoked."""
        now = self._now()
        with self.db.transaction() as session:
            user = self._user(session, _username(username))
            result = session.execute(
                update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.name == name.strip(),
                                       ApiToken.revoked_at.is_(None)).values(revoked_at=now))
            revoked = int(cast("CursorResult[Any]", result).rowcount)
            if revoked:
                audit.append(session, actor=by, action="token_revoked", case_id=None,
                             detail={"user_id": user.id, "token": name.strip(), "count": revoked}, at=now)
        return int(revoked)

    # ------------------------------------------------------------ signing in and out

    def login(self, username: str, password: str, *,
              source: str | None = None) -> tuple[str, Principal] | None:
        """A new session (its secret token and who it is for), or None for a wrong username or
        password. ``source`` is where the attempt comes from (the client address, kept only as a
        keyed hash in memory); raises ``Throttled`` while that source must wait. Audited either
        way; the audit names the account only when it exists (a password typed into the username
        box must not end up in an append-only table)."""
        name, now = _username(username)[:200], self._now()
        with self.db.read() as session:
            user = session.scalar(select(User).where(User.username == name))
        actor = user.username if user is not None else UNKNOWN_ACTOR
        wait = self._throttle.wait(name, source, now)
        if wait is not None:
            self._audit_failure(actor, "throttled", now)
            raise Throttled(wait)
        stored = user.password_hash if user is not None else None
        matches = self._verify(stored or self._dummy_hash, password)
        if user is None or stored is None or not matches or not user.active or user.role not in _ROLES:
            reason = ("unknown_user" if user is None else "no_password" if stored is None
                      else "wrong_password" if not matches else "inactive" if not user.active else "bad_role")
            self._throttle.failed(name, source, now)
            self._audit_failure(actor, reason, now)
            return None
        self._throttle.succeeded(name, source)
        if self._hasher.check_needs_rehash(stored):
            with self.db.transaction() as session:
                session.execute(update(User).where(User.id == user.id)
                                .values(password_hash=self._hasher.hash(_normalise(password))))
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
        if user is None or not user.active or user.role not in _ROLES:
            return None
        return self._open_session(user, factor)

    def sign_in_external(self, user_id: int, method: Literal["oidc"]) -> tuple[str, Principal] | None:
        """A session for an account whose person the OpenID provider signed in (and asked for
        their second factor: ``services.review.sso_accounts``); None for an account that cannot
        sign in. The same kind of session a password opens."""
        with self.db.read() as session:
            user = session.get(User, user_id)
        if user is None or not user.active or user.role not in _ROLES or user.role == Role.SERVICE:
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
            session.add(UserSession(token_hash=_digest(token), user_id=user.id, csrf_token=csrf,
                                    created_at=now, expires_at=now + self.session_ttl))
            audit.append(session, actor=user.username, action="login", case_id=None, detail=detail, at=now)
        return token, Principal(user.id, user.username, user.display_name, Role(user.role), "session", csrf)

    def logout(self, session_token: str | None) -> None:
        if not session_token:
            return
        with self.db.transaction() as session:
            row = session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                                  .where(UserSession.token_hash == _digest(session_token))).first()
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

    # ------------------------------------------------------------ the request guard

    def require(self, *roles: Role) -> Callable[[Request], Awaitable[Principal]]:
        """A FastAPI dependency: the signed-in ``Principal`` with one of ``roles`` (any role when
        none are given), with the CSRF check done for unsafe methods (see ``csrf_protect``)."""
        allowed = frozenset(roles)
        names = " or ".join(r.value for r in roles)

        async def dependency(request: Request) -> Principal:
            principal = await run_in_threadpool(self.principal, request.cookies.get(COOKIE), _bearer(request))
            if principal is None:
                if _wants_html(request):
                    query = request.url.query
                    target = safe_next(request.url.path + (f"?{query}" if query else ""))
                    raise AccessDenied(303, "Sign in to continue.",
                                       headers={"Location": f"/login?next={quote(target, safe='')}"})
                raise AccessDenied(401, "Sign in, or send a valid API token.",
                                   headers={"WWW-Authenticate": "Bearer"})
            await csrf_protect(request, principal)
            if allowed and principal.role not in allowed:
                raise AccessDenied(403, f"This needs the {names} role; you are signed in as "
                                        f"{principal.role.value}.", principal=principal)
            return principal

        return dependency

    # ------------------------------------------------------------ parts

    def _hash(self, password: str, username: str) -> str:
        problem = password_problem(password, username)
        if problem is not None:
            raise WeakPassword(problem)
        return self._hasher.hash(_normalise(password))

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, _normalise(password[:MAX_PASSWORD]))
        except (VerificationError, InvalidHashError):
            return False

    def _user(self, session: Session, name: str) -> User:
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            raise UnknownUser(f"no user {name}")
        return user

    def _audit_failure(self, actor: str, reason: str, now: datetime) -> None:
        with self.db.transaction() as session:
            audit.append(session, actor=actor[:64], action="login_failed", case_id=None,
                         detail={"reason": reason}, at=now)

    def _by_session(self, session_token: str) -> Principal | None:
        now = self._now()
        with self.db.transaction() as session:
            row = session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                                  .where(UserSession.token_hash == _digest(session_token))).first()
            if row is None:
                return None
            stored, user = row
            if stored.expires_at <= now or not user.active or user.role not in _ROLES:
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
                                 .where(ApiToken.token_hash == _digest(bearer), ApiToken.revoked_at.is_(None),
                                        User.active.is_(True)))
            if row is not None and not self.mfa.allows(session, row.id, row.role):
                return None  # a staff account's token reads case data too: not without its second factor
        if row is None or row.role not in _ROLES:
            return None
        return Principal(row.id, row.username, row.display_name, Role(row.role), "token", None)


# ------------------------------------------------------------------ FastAPI parts

def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def _bearer(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return (credentials.strip() or None) if scheme.lower() == "bearer" else None


def _wants_html(request: Request) -> bool:
    path = request.url.path
    api = path == "/api" or path.startswith("/api/")
    return not api and "text/html" in request.headers.get("accept", "")


async def csrf_protect(request: Request, principal: Principal) -> None:
    """Refuse an unsafe request signed in by session cookie unless it carries that session's CSRF
    token (header ``X-CSRF-Token``, or form field ``csrf_token``). ``require`` calls it; reading
    the form here is harmless, Starlette keeps the parsed form for the route."""
    if request.method not in _UNSAFE or principal.via != "session":
        return
    supplied = request.headers.get(CSRF_HEADER)
    if supplied is None and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        supplied = value if isinstance(value, str) else None
    expected = principal.csrf_token or ""
    if not supplied or not expected or not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise AccessDenied(403, "CSRF token missing or invalid", principal=principal)


_DENIED_PAGE: Final = """{% extends "base.html" %}{% autoescape true %}
{% block title %}Not allowed{% endblock %}
{% block content %}<h1>Not allowed</h1>
<p class="notice" role="alert">{{ message }}</p>
<p><a href="/">Back to the queue</a></p>{% endblock %}{% endautoescape %}"""


def install_handlers(app: FastAPI, templates: Jinja2Templates) -> None:
    """Render ``AccessDenied`` for apps without their own ``HTTPException`` handler: the redirect,
    ``{"message": ...}`` JSON for the API, and a page built on ``base.html`` for browsers."""
    page = templates.env.from_string(_DENIED_PAGE)

    @app.exception_handler(AccessDenied)
    async def access_denied(request: Request, error: AccessDenied) -> Response:
        headers = dict(error.headers or {})
        if error.status_code == 303:
            return RedirectResponse(headers["Location"], status_code=303)
        if _wants_html(request):
            html = page.render(request=request, principal=error.principal, message=error.detail)
            return HTMLResponse(html, status_code=error.status_code, headers=headers)
        return JSONResponse({"message": error.detail}, status_code=error.status_code, headers=headers)


def login_router(auth: Auth, templates: Jinja2Templates, *, sso_name: str | None = None,
                 password_login: bool = True) -> APIRouter:
    """``GET /login`` (the form), ``POST /login`` and ``POST /logout`` (CSRF-protected).
    ``sso_name``: single sign-on is on, and its button says "Sign in with" this; without
    ``password_login`` the page offers single sign-on only and a posted password is refused."""
    router = APIRouter(include_in_schema=False)
    signed_in = auth.require()
    # The stand-in hash for unknown usernames is made now, not on the first such sign-in (which
    # would otherwise take two hashes, and so tell a username that exists from one that does not).
    _ = auth._dummy_hash

    def form(request: Request, status: int, *, next_path: str, username: str = "",
             errors: dict[str, str] | None = None, form_error: str | None = None,
             headers: dict[str, str] | None = None) -> Response:
        return templates.TemplateResponse(
            request, "login.html",
            {"principal": None, "next": next_path, "username": username, "errors": errors or {},
             "form_error": form_error, "sso": sso_name, "password_login": password_login},
            status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})

    @router.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request) -> Response:
        next_path = safe_next(request.query_params.get("next"))
        if await run_in_threadpool(auth.principal, request.cookies.get(COOKIE), None) is not None:
            return RedirectResponse(next_path, status_code=303)
        expired = request.query_params.get("expired") == "1"
        return form(request, 200, next_path=next_path, form_error=(
            "Your sign-in was not finished in time, or too many codes were wrong: sign in again."
            if expired else None))

    @router.post("/login", response_class=HTMLResponse)
    async def login_submit(request: Request) -> Response:
        # No session yet, so no CSRF token: refuse forms posted from other sites outright.
        if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            return form(request, 403, next_path="/", form_error="Sign in from this site's own page.")
        if not password_login:
            return form(request, 403, next_path="/", form_error=(
                f"Password sign-in is switched off here: sign in with {sso_name}."))
        fields = await request.form()
        username, password = str(fields.get("username") or "").strip(), fields.get("password")
        next_path = safe_next(fields.get("next"))
        errors = {}
        if not username:
            errors["username"] = "Enter your username."
        if not isinstance(password, str) or not password:
            errors["password"] = "Enter your password."  # noqa: S105 - a message, not a password
        if errors or not isinstance(password, str):
            return form(request, 400, next_path=next_path, username=username, errors=errors)
        source = request.client.host if request.client else None
        try:
            result = await run_in_threadpool(lambda: auth.login(username, password, source=source))
        except Throttled as throttled:
            seconds = max(1, math.ceil(throttled.retry_after.total_seconds()))
            return form(request, 429, next_path=next_path, username=username,
                        form_error=f"Too many failed attempts from here. Try again in {_duration(seconds)}.",
                        headers={"Retry-After": str(seconds)})
        except SecondFactorNeeded as needed:
            response = RedirectResponse(f"/login/{needed.stage}?next={quote(next_path, safe='')}",
                                        status_code=303)
            auth.set_pending_cookie(response, needed.token)
            return response
        if result is None:
            return form(request, 401, next_path=next_path, username=username,
                        form_error="Wrong username or password.")
        response = RedirectResponse(next_path, status_code=303)
        auth.set_session_cookie(response, result[0])
        return response

    @router.post("/logout", dependencies=[Depends(signed_in)])
    async def logout(request: Request) -> Response:
        await run_in_threadpool(auth.logout, request.cookies.get(COOKIE))
        response = RedirectResponse("/login", status_code=303)
        auth.clear_session_cookie(response)
        return response

    return router
