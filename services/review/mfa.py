"""Staff second factor: enrolment, code checks with replay refusal, recovery codes, pending sign-ins, reset.

A right password does not open a session for an account with a second factor (or, where it is
required, for one without): it opens a *pending sign-in*, a separate secret in its own table and
cookie that only the code and enrolment pages accept, for ``PENDING_TTL`` and ``MAX_FAILURES``
wrong codes at most. No page that shows case data can be reached with it, because the request
guard never looks at that table.

Where ``required`` is set (production), every account that signs in with a password must have a
second factor: without one, the password leads to enrolment and nowhere else, and the sessions
and staff API tokens of an account without one are refused.

Failed codes count in the sign-in throttle (``services.review.throttle``) under the account's name
with a suffix: a right password must not clear the count of wrong codes. Every enrolment, reset,
recovery-code use and failure is in the audit trail; no secret, code or digest ever is.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal, cast

from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session

from services.review import audit, totp
from services.review.db import Database
from services.review.models import PendingSignIn, RecoveryCode, StaffMfa, User, UserSession
from services.review.throttle import SignInThrottle

__all__ = [
    "MAX_FAILURES",
    "PENDING_TTL",
    "CodeThrottled",
    "Enrolment",
    "MfaError",
    "Pending",
    "SecondFactor",
    "Stage",
    "WrongCode",
]

Stage = Literal["code", "enrol"]
Factor = Literal["totp", "recovery"]
PENDING_TTL: Final = timedelta(minutes=10)
MAX_FAILURES: Final = 5  # wrong codes before the password must be typed again
_THROTTLE_SUFFIX: Final = "#code"  # usernames have no '#': the code's count is its own


class MfaError(Exception):
    """A second-factor step refused; the message is fit to show the person who asked."""


class WrongCode(MfaError):
    """Not a current code, a code already used, or not a live recovery code (said alike)."""


class CodeThrottled(MfaError):
    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("too many wrong codes from here")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Pending:
    """A password-verified sign-in waiting for its second factor."""

    user_id: int
    username: str
    stage: Stage
    csrf_token: str


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows, while the enrolment waits for its first good code only."""

    uri: str
    secret_groups: str
    qr_svg: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _rowcount(result: Any) -> int:
    return int(cast("CursorResult[Any]", result).rowcount)


class SecondFactor:
    """The second factor's state in the case store. Blocking (database): web callers use threads."""

    def __init__(self, db: Database, *, now: Callable[[], datetime], required: bool,
                 throttle: SignInThrottle, issuer: str = "Hotline case review") -> None:
        self.db = db
        self.required = required
        self.issuer = issuer
        self._now = now
        self._throttle = throttle

    # ------------------------------------------------------------ state

    def enrolled(self, session: Session, user_id: int) -> bool:
        return session.scalar(select(StaffMfa.enabled_at).where(StaffMfa.user_id == user_id)) is not None

    def allows(self, session: Session, user_id: int, role: str) -> bool:
        """Whether a session or staff token of this account may be used: always, unless a second
        factor is required and the account (not a service account) has none. An account without
        a password signs in through the OpenID provider only, whose sign-in carries its own
        second factor (SECURITY.md, Single sign-on)."""
        if not self.required or role == "service" or self.enrolled(session, user_id):
            return True
        return session.scalar(select(User.password_hash).where(User.id == user_id)) is None

    def stage_after_password(self, user_id: int) -> Stage | None:
        """What a right password leads to: the code, enrolment, or (None) a session at once."""
        with self.db.read() as session:
            if self.enrolled(session, user_id):
                return "code"
        return "enrol" if self.required else None

    def remaining_recovery_codes(self, user_id: int) -> int:
        with self.db.read() as session:
            return int(session.scalar(select(func.count()).select_from(RecoveryCode).where(
                RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))) or 0)

    # ------------------------------------------------------------ pending sign-ins

    def start(self, user_id: int, stage: Stage) -> str:
        """A pending sign-in for the account (its earlier ones end); the secret for the cookie."""
        token, now = secrets.token_urlsafe(32), self._now()
        with self.db.transaction() as session:
            session.execute(delete(PendingSignIn).where(PendingSignIn.user_id == user_id))
            session.add(PendingSignIn(token_hash=_digest(token), user_id=user_id, stage=stage,
                                      csrf_token=secrets.token_urlsafe(32), failures=0, created_at=now,
                                      expires_at=now + PENDING_TTL))
        return token

    def pending(self, token: str | None) -> Pending | None:
        if not token:
            return None
        with self.db.read() as session:
            row = session.execute(select(PendingSignIn, User).join(User, User.id == PendingSignIn.user_id)
                                  .where(PendingSignIn.token_hash == _digest(token))).first()
        if row is None:
            return None
        stored, user = row
        if stored.expires_at <= self._now() or not user.active or stored.stage not in ("code", "enrol"):
            return None
        return Pending(user.id, user.username, cast("Stage", stored.stage), stored.csrf_token)

    def end(self, token: str | None) -> None:
        if token:
            with self.db.transaction() as session:
                session.execute(delete(PendingSignIn).where(PendingSignIn.token_hash == _digest(token)))

    def purge_expired(self) -> int:
        with self.db.transaction() as session:
            return _rowcount(session.execute(delete(PendingSignIn)
                                             .where(PendingSignIn.expires_at <= self._now())))

    # ------------------------------------------------------------ enrolment

    def begin_enrolment(self, user_id: int, username: str) -> Enrolment:
        """The secret to enrol (a new one, or the one already shown if enrolment is under way)."""
        with self.db.transaction() as session:
            row = session.get(StaffMfa, user_id)
            if row is not None and row.enabled_at is not None:
                raise MfaError("two-step sign-in is already set up for this account")
            if row is None:
                row = StaffMfa(user_id=user_id, secret=totp.new_secret(), created_at=self._now(),
                               enabled_at=None, last_step=None)
                session.add(row)
            secret = row.secret
        uri = totp.provisioning_uri(secret, username, self.issuer)
        return Enrolment(uri=uri, secret_groups=totp.grouped(secret), qr_svg=totp.qr_svg(uri))

    def confirm_enrolment(self, user_id: int, username: str, code: str, *, source: str | None,
                          pending_token: str | None = None) -> list[str]:
        """Switch the second factor on with a first good code; the recovery codes, shown once."""
        now = self._gate(username, source)
        codes: list[str] = []
        with self.db.transaction() as session:
            row = session.get(StaffMfa, user_id)
            if row is None or row.enabled_at is not None:
                raise MfaError("start the set-up again: this enrolment is no longer open")
            step = totp.matching_step(row.secret, code, now)
            failed = step is None
            if step is not None:
                # Two tabs confirming at once: one statement lets only one switch it on (and make
                # the recovery codes that person is shown).
                if _rowcount(session.execute(update(StaffMfa).where(StaffMfa.user_id == user_id,
                                                                    StaffMfa.enabled_at.is_(None))
                                             .values(enabled_at=now, last_step=step))) != 1:
                    raise MfaError("two-step sign-in is already set up for this account")
                codes = self._new_recovery_codes(session, user_id, now)
                audit.append(session, actor=username, action="mfa_enrolled", case_id=None,
                             detail={"user_id": user_id, "recovery_codes": len(codes)}, at=now)
        if failed:
            self._failed(user_id, username, source, "wrong_code", now, pending_token)
            raise WrongCode("That code is not right. Check the time on your phone and type the code "
                            "the app shows now.")
        self._throttle.succeeded(username + _THROTTLE_SUFFIX, source)
        return codes

    # ------------------------------------------------------------ verification

    def verify(self, user_id: int, username: str, code: str, *, source: str | None,
               pending_token: str | None = None) -> Factor:
        """Accept a current TOTP code not used before, or a live recovery code (then spent)."""
        now = self._gate(username, source)
        factor: Factor | None = None
        reason = "wrong_code"
        with self.db.transaction() as session:
            row = session.get(StaffMfa, user_id)
            if row is None or row.enabled_at is None:
                reason = "not_enrolled"
            elif totp.is_totp_shaped(code):
                step = totp.matching_step(row.secret, code, now)
                # One statement decides: two requests racing with the same code cannot both win.
                if step is not None and _rowcount(session.execute(
                        update(StaffMfa).where(StaffMfa.user_id == user_id,
                                               or_(StaffMfa.last_step.is_(None), StaffMfa.last_step < step))
                        .values(last_step=step))) == 1:
                    factor = "totp"
                elif step is not None:
                    reason = "replayed"
            elif (digest := totp.recovery_digest(code)) is not None and _rowcount(session.execute(
                    update(RecoveryCode).where(RecoveryCode.user_id == user_id,
                                               RecoveryCode.code_hash == digest,
                                               RecoveryCode.used_at.is_(None)).values(used_at=now))) == 1:
                factor = "recovery"
                left = session.scalar(select(func.count()).select_from(RecoveryCode).where(
                    RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)))
                audit.append(session, actor=username, action="mfa_recovery_code_used", case_id=None,
                             detail={"user_id": user_id, "remaining": int(left or 0)}, at=now)
        if factor is None:
            self._failed(user_id, username, source, reason, now, pending_token)
            raise WrongCode("That code is not right, or it was used already. Type the code your app "
                            "shows now, or one of your recovery codes.")
        self._throttle.succeeded(username + _THROTTLE_SUFFIX, source)
        return factor

    def renew_recovery_codes(self, user_id: int, username: str, code: str, *,
                             source: str | None) -> list[str]:
        """New recovery codes for a current app code; the old ones stop working."""
        if not totp.is_totp_shaped(code):
            raise WrongCode("Type the code your app shows now (a recovery code cannot renew the codes).")
        self.verify(user_id, username, code, source=source)
        now = self._now()
        with self.db.transaction() as session:
            codes = self._new_recovery_codes(session, user_id, now)
            audit.append(session, actor=username, action="mfa_recovery_codes_renewed", case_id=None,
                         detail={"user_id": user_id, "recovery_codes": len(codes)}, at=now)
        return codes

    def overview(self) -> list[tuple[str, str, bool, int]]:
        """Every active account with a password: (username, role, second factor on, live recovery
        codes). For the rollout and for operators; no secret, code or digest."""
        with self.db.read() as session:
            users = session.execute(select(User.id, User.username, User.role).where(
                User.active.is_(True), User.password_hash.is_not(None)).order_by(User.username)).all()
            enabled = set(session.scalars(select(StaffMfa.user_id).where(StaffMfa.enabled_at.is_not(None))))
            live = {int(uid): int(left) for uid, left in session.execute(
                select(RecoveryCode.user_id, func.count()).where(RecoveryCode.used_at.is_(None))
                .group_by(RecoveryCode.user_id))}
        return [(name, role, uid in enabled, int(live.get(uid, 0))) for uid, name, role in users]

    # ------------------------------------------------------------ reset

    def reset(self, username: str, *, by: str, operator: str) -> None:
        """Remove an account's second factor (a lost phone): its secret, recovery codes, sessions
        and pending sign-ins go; the next sign-in leads to enrolment where it is required.
        ``by`` names the active supervisor or admin who asked, never the account itself."""
        name, requester = username.strip().lower(), by.strip().lower()
        if name == requester:
            raise MfaError("ask another supervisor or admin to reset your own second factor")
        now = self._now()
        with self.db.transaction() as session:
            user = session.scalar(select(User).where(User.username == name))
            asker = session.scalar(select(User).where(User.username == requester))
            if user is None:
                raise MfaError(f"no user {name}")
            if asker is None or not asker.active or asker.role not in ("supervisor", "admin"):
                raise MfaError(f"{requester} is not an active supervisor or admin")
            had = session.scalar(select(StaffMfa.enabled_at).where(StaffMfa.user_id == user.id)) is not None
            for table in (StaffMfa, RecoveryCode, PendingSignIn, UserSession):
                session.execute(delete(table).where(table.user_id == user.id))
            audit.append(session, actor=asker.username, action="mfa_reset", case_id=None,
                         detail={"user_id": user.id, "was_enrolled": had, "operator": operator[:64]}, at=now)

    # ------------------------------------------------------------ parts

    def _gate(self, username: str, source: str | None) -> datetime:
        now = self._now()
        wait = self._throttle.wait(username + _THROTTLE_SUFFIX, source, now)
        if wait is not None:
            self._audit(username, "mfa_failed", {"reason": "throttled"}, now)
            raise CodeThrottled(wait)
        return now

    def _failed(self, user_id: int, username: str, source: str | None, reason: str, now: datetime,
                pending_token: str | None) -> None:
        self._throttle.failed(username + _THROTTLE_SUFFIX, source, now)
        with self.db.transaction() as session:
            if pending_token is not None:
                # After MAX_FAILURES wrong codes the password must be typed again (argon2, throttled).
                this = PendingSignIn.token_hash == _digest(pending_token)
                session.execute(update(PendingSignIn).where(this).values(failures=PendingSignIn.failures + 1))
                session.execute(delete(PendingSignIn).where(this, PendingSignIn.failures >= MAX_FAILURES))
            audit.append(session, actor=username, action="mfa_failed", case_id=None,
                         detail={"user_id": user_id, "reason": reason}, at=now)

    def _audit(self, actor: str, action: str, detail: dict[str, Any], now: datetime) -> None:
        with self.db.transaction() as session:
            audit.append(session, actor=actor[:64], action=action, case_id=None, detail=detail, at=now)

    def _new_recovery_codes(self, session: Session, user_id: int, now: datetime) -> list[str]:
        codes = totp.new_recovery_codes()
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        for code in codes:
            digest = totp.recovery_digest(code)
            assert digest is not None  # noqa: S101 - new codes are well-formed by construction
            session.add(RecoveryCode(user_id=user_id, code_hash=digest, created_at=now, used_at=None))
        return codes
