"""The sign-in pages: ``GET /login`` (the form), ``POST /login`` and ``POST /logout``. The second
factor's pages are ``mfa_web``'s, single sign-on's ``sso_web``'s."""

from __future__ import annotations

import math
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from services.review.guard import require, safe_next
from services.review.principals import SecondFactorNeeded, Throttled
from services.review.sessions import COOKIE, Sessions

__all__ = ["login_router"]


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def login_router(auth: Sessions, templates: Jinja2Templates, *, sso_name: str | None = None,
                 password_login: bool = True) -> APIRouter:
    """``GET /login`` (the form), ``POST /login`` and ``POST /logout`` (CSRF-protected).
    ``sso_name``: single sign-on is on, and its button says "Sign in with" this; without
    ``password_login`` the page offers single sign-on only and a posted password is refused."""
    router = APIRouter(include_in_schema=False)
    signed_in = require(auth)
    auth.prepare_stand_in_hash()

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
