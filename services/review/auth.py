"""Staff sign-in and access control, as the rest of review uses it: ``Auth`` and what goes with it.

The parts, by responsibility: ``principals`` (roles, who is asking, the errors), ``passwords``
(the policy), ``accounts`` (accounts, argon2id passwords, API tokens), ``sessions`` (signing in
and out, sessions and their cookies, the throttle and the second factor), ``guard`` (the request
guard: roles, CSRF, the refusal) and ``login_web`` (the sign-in pages).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from services.review import guard
from services.review.guard import (
    CSRF_FIELD,
    CSRF_HEADER,
    AccessDenied,
    csrf_protect,
    install_handlers,
    safe_next,
)
from services.review.login_web import login_router
from services.review.passwords import password_problem
from services.review.principals import (
    AuthError,
    Principal,
    Role,
    SecondFactorNeeded,
    Throttled,
    UnknownUser,
    UserExists,
    WeakPassword,
)
from services.review.sessions import COOKIE, PENDING_COOKIE, Sessions

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


class Auth(Sessions):
    """Accounts, sign-in and the request guard. Blocking (database and argon2): the FastAPI parts
    run it in the thread pool."""

    def require(self, *roles: Role) -> Callable[[Request], Awaitable[Principal]]:
        """A FastAPI dependency: the signed-in ``Principal`` with one of ``roles`` (any role when
        none are given), with the CSRF check done for unsafe methods (see ``guard.csrf_protect``)."""
        return guard.require(self, *roles)
