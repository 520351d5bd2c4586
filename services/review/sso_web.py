"""Single sign-on's pages: `/login/sso` sends the browser to the provider, `/login/sso/callback` signs it in.

The flow cookie (``oidc.Flow``: the seed of this sign-in's state, nonce and PKCE verifier) is
SameSite=Lax, unlike the session cookie: the provider sends the browser back with a cross-site
navigation, which a Strict cookie would not come with. It is sent to ``/login/sso`` paths only,
lives ten minutes and is cleared on the way back whatever happens.

For the same reason the callback answers with a page that moves on to the queue by itself,
rather than with a redirect: a browser treats the whole redirect chain from the provider as
cross-site and would leave the new (Strict) session cookie off the next request.

A refusal is a page saying why in words, with the reason code in the audit trail and the log;
no token, code, claim or name is ever logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from services.review.auth import COOKIE, Auth, safe_next
from services.review.oidc import FLOW_TTL_S, Flow, TokenRejected
from services.review.oidc_provider import Provider, ProviderUnavailable
from services.review.sso_accounts import SsoAccounts, SsoRefused

__all__ = ["FLOW_COOKIE", "SingleSignOn", "sso_router"]

FLOW_COOKIE: Final = "hotline_review_sso"
_FLOW_PATH: Final = "/login/sso"
_MAX_PARAM: Final = 4096
_NO_STORE: Final = {"Cache-Control": "no-store"}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SingleSignOn:
    """What the review app needs to offer single sign-on (built in ``main``)."""

    provider: Provider
    accounts: SsoAccounts
    name: str  # the button's "Sign in with ..."
    password_login: bool = True


def sso_router(auth: Auth, sso: SingleSignOn, templates: Jinja2Templates, *,
               clock: Callable[[], float] = time.time) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def refused(request: Request, status: int, message: str) -> Response:
        response = templates.TemplateResponse(request, "sso_refused.html",
                                              {"principal": None, "message": message},
                                              status_code=status, headers=_NO_STORE)
        response.delete_cookie(FLOW_COOKIE, path=_FLOW_PATH, httponly=True, samesite="lax",
                               secure=auth.cookie_secure)
        return response

    async def refuse(request: Request, reason: str, status: int, message: str) -> Response:
        log.info("single sign-on refused", extra={"reason": reason})
        await run_in_threadpool(sso.accounts.record_refusal, reason)
        return refused(request, status, message)

    def unavailable(request: Request, error: ProviderUnavailable) -> Response:
        log.warning("single sign-on provider unavailable", extra={"reason": error.reason})
        return refused(request, 503, "The sign-in service cannot be reached just now. Try again in a "
                                     "minute; if it goes on, tell the administrator on shift.")

    @router.get("/login/sso")
    async def start(request: Request) -> Response:
        next_path = safe_next(request.query_params.get("next"))
        if await run_in_threadpool(auth.principal, request.cookies.get(COOKIE), None) is not None:
            return RedirectResponse(next_path, status_code=303)
        flow = Flow.start(next_path, int(clock()))
        try:
            url = await sso.provider.authorization_url(flow)
        except ProviderUnavailable as error:
            return unavailable(request, error)
        response = RedirectResponse(url, status_code=303, headers=_NO_STORE)
        response.set_cookie(FLOW_COOKIE, flow.cookie(), max_age=FLOW_TTL_S, path=_FLOW_PATH, httponly=True,
                            samesite="lax", secure=auth.cookie_secure)
        return response

    @router.get("/login/sso/callback", response_class=HTMLResponse)
    async def callback(request: Request) -> Response:
        flow = Flow.from_cookie(request.cookies.get(FLOW_COOKIE), int(clock()))
        if flow is None:
            return refused(request, 400, "This sign-in was not started from this browser, or took longer "
                                         "than ten minutes. Start again from the sign-in page.")
        query = request.query_params
        if not flow.state_matches(query.get("state")):
            return await refuse(request, "state_mismatch", 403,
                                "This sign-in does not belong to the one this browser started. "
                                "Start again from the sign-in page.")
        if "error" in query:
            # The provider ended it (cancelled, or its own refusal); its words are not shown.
            return await refuse(request, "provider_error", 401,
                                f"The sign-in with {sso.name} was not completed. Start again from the "
                                "sign-in page.")
        code = query.get("code") or ""
        if not code or len(code) > _MAX_PARAM:
            return await refuse(request, "code_missing", 400, "The sign-in came back without its code. "
                                                              "Start again from the sign-in page.")
        try:
            identity = await sso.provider.redeem(code, flow)
        except ProviderUnavailable as error:
            return unavailable(request, error)
        except TokenRejected as rejected:
            return await refuse(request, rejected.reason, 403,
                                f"The sign-in with {sso.name} could not be verified. Start again from "
                                "the sign-in page; if it goes on, tell the administrator on shift.")
        try:
            user_id = await run_in_threadpool(sso.accounts.account_for, identity)
        except SsoRefused as refusal:
            log.info("single sign-on refused", extra={"reason": refusal.reason})
            return refused(request, 403, str(refusal))
        signed_in = await run_in_threadpool(auth.sign_in_external, user_id, "oidc")
        if signed_in is None:
            return await refuse(request, "account_unusable", 403, "This account cannot sign in here.")
        response = templates.TemplateResponse(request, "sso_continue.html",
                                              {"principal": signed_in[1], "next": safe_next(flow.next_path)},
                                              headers=_NO_STORE)
        response.delete_cookie(FLOW_COOKIE, path=_FLOW_PATH, httponly=True, samesite="lax",
                               secure=auth.cookie_secure)
        auth.set_session_cookie(response, signed_in[0])
        return response

    return router
