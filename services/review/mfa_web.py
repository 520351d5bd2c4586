"""The second factor's pages: the code after the password, enrolment, and the account's security page.

``/login/code`` and ``/login/enrol`` answer only a pending sign-in (its cookie, sent to ``/login``
paths only, and its own CSRF token); anything else goes back to the password. ``/account/security``
and what it posts need a full session, so a signed-in person can set up the second factor where
it is optional, and renew their recovery codes with a current code. Codes and recovery codes are
shown on the answer that made them, never stored to be shown again (``Cache-Control: no-store``).
"""

from __future__ import annotations

import hmac
import math
from typing import Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from services.review.auth import (
    CSRF_FIELD,
    PENDING_COOKIE,
    AccessDenied,
    Auth,
    Principal,
    Role,
    safe_next,
)
from services.review.mfa import CodeThrottled, Enrolment, MfaError, Pending, WrongCode

__all__ = ["mfa_router"]

_NO_STORE: Final = {"Cache-Control": "no-store"}
_MAX_CODE: Final = 64


def _source(request: Request) -> str | None:
    return request.client.host if request.client else None


def _wait_words(error: CodeThrottled) -> tuple[str, str]:
    seconds = max(1, math.ceil(error.retry_after.total_seconds()))
    words = f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
    return str(seconds), f"Too many wrong codes from here. Try again in {words}."


def mfa_router(auth: Auth, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    staff = auth.require(Role.ANALYST, Role.SUPERVISOR, Role.ADMIN)
    mfa = auth.mfa

    def page(request: Request, name: str, status: int, context: dict[str, Any],
             headers: dict[str, str] | None = None) -> Response:
        return templates.TemplateResponse(request, name, {"principal": None, "error": None, **context},
                                          status_code=status, headers={**_NO_STORE, **(headers or {})})

    def back_to_password(next_path: str, note: str | None = None) -> Response:
        query = f"?next={quote(next_path, safe='')}" + ("&expired=1" if note else "")
        response = RedirectResponse(f"/login{query}", status_code=303)
        auth.clear_pending_cookie(response)
        return response

    async def pending_of(request: Request, stage: str) -> Pending | None:
        pending = await run_in_threadpool(mfa.pending, request.cookies.get(PENDING_COOKIE))
        return pending if pending is not None and pending.stage == stage else None

    async def posted(request: Request, csrf: str) -> tuple[str, str] | None:
        """The typed code and the next path, or None when the form's CSRF token is wrong."""
        fields = await request.form()
        supplied = fields.get(CSRF_FIELD)
        if not isinstance(supplied, str) or not hmac.compare_digest(supplied.encode(), csrf.encode()):
            return None
        code = fields.get("code")
        return (code[:_MAX_CODE] if isinstance(code, str) else ""), safe_next(fields.get("next"))

    # ------------------------------------------------------------ the code after the password

    @router.get("/login/code", response_class=HTMLResponse)
    async def code_page(request: Request) -> Response:
        next_path = safe_next(request.query_params.get("next"))
        pending = await pending_of(request, "code")
        if pending is None:
            return back_to_password(next_path)
        return page(request, "mfa_code.html", 200, {"csrf": pending.csrf_token, "next": next_path})

    @router.post("/login/code", response_class=HTMLResponse)
    async def code_submit(request: Request) -> Response:
        token = request.cookies.get(PENDING_COOKIE)
        pending = await pending_of(request, "code")
        if pending is None:
            return back_to_password("/", note="expired")
        form = await posted(request, pending.csrf_token)
        if form is None:
            raise AccessDenied(403, "CSRF token missing or invalid")
        code, next_path = form
        context = {"csrf": pending.csrf_token, "next": next_path}
        if not code.strip():
            return page(request, "mfa_code.html", 400, {**context, "error": "Enter the code from your app."})
        try:
            result = await run_in_threadpool(lambda: auth.complete(token, code, source=_source(request)))
        except CodeThrottled as throttled:
            seconds, words = _wait_words(throttled)
            return page(request, "mfa_code.html", 429, {**context, "error": words}, {"Retry-After": seconds})
        except WrongCode as wrong:
            if await pending_of(request, "code") is None:  # that was the last try this password allows
                return back_to_password(next_path, note="expired")
            return page(request, "mfa_code.html", 401, {**context, "error": str(wrong)})
        if result is None:
            return back_to_password(next_path, note="expired")
        response = RedirectResponse(next_path, status_code=303)
        auth.clear_pending_cookie(response)
        auth.set_session_cookie(response, result[0])
        return response

    # ------------------------------------------------------------ enrolment during sign-in

    def enrol_context(enrolment: Enrolment, csrf: str, next_path: str, action: str) -> dict[str, Any]:
        return {"enrolment": enrolment, "csrf": csrf, "next": next_path, "action": action}

    @router.get("/login/enrol", response_class=HTMLResponse)
    async def enrol_page(request: Request) -> Response:
        next_path = safe_next(request.query_params.get("next"))
        pending = await pending_of(request, "enrol")
        if pending is None:
            return back_to_password(next_path)
        try:
            enrolment = await run_in_threadpool(mfa.begin_enrolment, pending.user_id, pending.username)
        except MfaError:  # set up meanwhile (another tab): the password leads to the code now
            return back_to_password(next_path, note="expired")
        return page(request, "mfa_enrol.html", 200,
                    enrol_context(enrolment, pending.csrf_token, next_path, "/login/enrol"))

    async def enrol_again(request: Request, pending: Pending, next_path: str,
                          refused: WrongCode | CodeThrottled) -> Response:
        """The enrolment page again, with why the code was refused (the same key: it is still open)."""
        if await pending_of(request, "enrol") is None:  # that was the last try this password allows
            return back_to_password(next_path, note="expired")
        try:
            enrolment = await run_in_threadpool(mfa.begin_enrolment, pending.user_id, pending.username)
        except MfaError:
            return back_to_password(next_path, note="expired")
        context = enrol_context(enrolment, pending.csrf_token, next_path, "/login/enrol")
        if isinstance(refused, CodeThrottled):
            seconds, words = _wait_words(refused)
            return page(request, "mfa_enrol.html", 429, {**context, "error": words}, {"Retry-After": seconds})
        return page(request, "mfa_enrol.html", 401, {**context, "error": str(refused)})

    @router.post("/login/enrol", response_class=HTMLResponse)
    async def enrol_submit(request: Request) -> Response:
        token = request.cookies.get(PENDING_COOKIE)
        pending = await pending_of(request, "enrol")
        if pending is None:
            return back_to_password("/", note="expired")
        form = await posted(request, pending.csrf_token)
        if form is None:
            raise AccessDenied(403, "CSRF token missing or invalid")
        code, next_path = form
        try:
            result = await run_in_threadpool(lambda: auth.enrol(token, code, source=_source(request)))
        except (WrongCode, CodeThrottled) as refused:
            return await enrol_again(request, pending, next_path, refused)
        except MfaError:  # set up meanwhile (another tab): the password leads to the code now
            return back_to_password(next_path, note="expired")
        if result is None:
            return back_to_password(next_path, note="expired")
        session_token, principal, codes = result
        response = page(request, "mfa_recovery.html", 200,
                        {"principal": principal, "codes": codes, "next": next_path, "enrolled": True})
        auth.clear_pending_cookie(response)
        auth.set_session_cookie(response, session_token)
        return response

    # ------------------------------------------------------------ the signed-in account

    def session_only(principal: Principal) -> Principal:
        if principal.via != "session":
            raise AccessDenied(403, "Only a person signed in on this page can change their sign-in.",
                               principal=principal)
        return principal

    def security_context(principal: Principal) -> dict[str, Any]:
        with auth.db.read() as session:
            enrolled = mfa.enrolled(session, principal.user_id)
        return {"principal": principal, "enrolled": enrolled, "required": mfa.required,
                "remaining": mfa.remaining_recovery_codes(principal.user_id) if enrolled else 0}

    @router.get("/account/security", response_class=HTMLResponse)
    async def security_page(request: Request, principal: Principal = Depends(staff)) -> Response:
        context = await run_in_threadpool(security_context, session_only(principal))
        return page(request, "account_security.html", 200, context)

    @router.get("/account/security/enrol", response_class=HTMLResponse)
    async def account_enrol_page(request: Request, principal: Principal = Depends(staff)) -> Response:
        session_only(principal)
        try:
            enrolment = await run_in_threadpool(mfa.begin_enrolment, principal.user_id, principal.username)
        except MfaError:
            return RedirectResponse("/account/security", status_code=303)
        return page(request, "mfa_enrol.html", 200, {
            "principal": principal,
            **enrol_context(enrolment, principal.csrf_token or "", "/account/security",
                            "/account/security/enrol")})

    @router.post("/account/security/enrol", response_class=HTMLResponse)
    async def account_enrol_submit(request: Request, principal: Principal = Depends(staff)) -> Response:
        session_only(principal)
        code = str((await request.form()).get("code") or "")[:_MAX_CODE]
        try:
            codes = await run_in_threadpool(lambda: mfa.confirm_enrolment(
                principal.user_id, principal.username, code, source=_source(request)))
        except (WrongCode, CodeThrottled) as refused:
            enrolment = await run_in_threadpool(mfa.begin_enrolment, principal.user_id, principal.username)
            return page(request, "mfa_enrol.html", 429 if isinstance(refused, CodeThrottled) else 401, {
                "principal": principal, "error": str(refused) if isinstance(refused, WrongCode)
                else _wait_words(refused)[1],
                **enrol_context(enrolment, principal.csrf_token or "", "/account/security",
                                "/account/security/enrol")})
        except MfaError:
            return RedirectResponse("/account/security", status_code=303)
        return page(request, "mfa_recovery.html", 200,
                    {"principal": principal, "codes": codes, "next": "/account/security", "enrolled": True})

    @router.post("/account/security/recovery-codes", response_class=HTMLResponse)
    async def renew_codes(request: Request, principal: Principal = Depends(staff)) -> Response:
        session_only(principal)
        code = str((await request.form()).get("code") or "")[:_MAX_CODE]
        try:
            codes = await run_in_threadpool(lambda: mfa.renew_recovery_codes(
                principal.user_id, principal.username, code, source=_source(request)))
        except (WrongCode, CodeThrottled) as refused:
            context = await run_in_threadpool(security_context, principal)
            words = str(refused) if isinstance(refused, WrongCode) else _wait_words(refused)[1]
            return page(request, "account_security.html", 429 if isinstance(refused, CodeThrottled) else 401,
                        {**context, "error": words})
        return page(request, "mfa_recovery.html", 200,
                    {"principal": principal, "codes": codes, "next": "/account/security", "enrolled": False})

    return router
