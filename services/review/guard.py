"""The request guard of review's web app: who may call a route, the CSRF check, and the refusal.

Routes declare who may call them with ``Depends(auth.require(Role.SUPERVISOR, Role.ADMIN))``: the
dependency signs the request in, checks the CSRF token on unsafe methods and the role, and raises
``AccessDenied`` (an ``HTTPException``: 303 to the login page for a browser, 401 with
``WWW-Authenticate: Bearer`` under ``/api/``, 403 for a wrong role or CSRF token). An app's own
``HTTPException`` handler renders it; ``install_handlers`` adds one for apps that have none.

Every unsafe request made with a session cookie must also carry the session's CSRF token (form
field ``csrf_token`` or header ``X-CSRF-Token``); requests with a bearer token carry no ambient
credential and are exempt.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Final
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from services.review.principals import Principal, Role
from services.review.sessions import COOKIE, Sessions

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "AccessDenied", "csrf_protect", "install_handlers", "require",
           "safe_next"]

CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"
_UNSAFE: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")


class AccessDenied(HTTPException):
    """Raised by ``require``: 303 to the login page, 401 (API, not signed in) or 403 (role, CSRF)."""

    def __init__(self, status_code: int, message: str, *, headers: dict[str, str] | None = None,
                 principal: Principal | None = None) -> None:
        super().__init__(status_code, message, headers=headers)
        self.principal = principal


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


def require(sessions: Sessions, *roles: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency: the signed-in ``Principal`` with one of ``roles`` (any role when
    none are given), with the CSRF check done for unsafe methods (see ``csrf_protect``)."""
    allowed = frozenset(roles)
    names = " or ".join(r.value for r in roles)

    async def dependency(request: Request) -> Principal:
        principal = await run_in_threadpool(sessions.principal, request.cookies.get(COOKIE), _bearer(request))
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
