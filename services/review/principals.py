"""Who may act in review: the staff roles, the signed-in principal, and the errors that account and
sign-in operations raise (their messages are fit to show the person who asked)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Final, Literal

from services.review.mfa import Stage

__all__ = ["ROLES", "STAFF", "SUPERVISORS", "AuthError", "Principal", "Role", "SecondFactorNeeded",
           "Throttled", "UnknownUser", "UserExists", "WeakPassword"]


class Role(StrEnum):
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    SERVICE = "service"  # other systems, by API token only


ROLES: Final = frozenset(r.value for r in Role)
# Who works cases, and who may also do what only a supervisor may.
STAFF: Final = (Role.ANALYST, Role.SUPERVISOR, Role.ADMIN)
SUPERVISORS: Final = (Role.SUPERVISOR, Role.ADMIN)


@dataclass(frozen=True)
class Principal:
    """Who is asking. ``csrf_token`` is set for sessions (to put in forms), None for tokens."""

    user_id: int
    username: str
    display_name: str
    role: Role
    via: Literal["session", "token"]
    csrf_token: str | None


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
