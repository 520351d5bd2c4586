"""The supervisors' erasure page: reporters' requests to confirm or reject, and staff's requests to
erase a case's content, which a second supervisor approves."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.review.auth import Principal
from services.review.decisions import Actor, DecisionError, NotFound
from services.review.erasure import Erasures
from services.review.queries import NotAReference, case_by_reference

__all__ = ["erasure_router"]

NOTICES = {"confirmed": "The erasure was confirmed: the details are gone from the case store, and "
                        "reporting was told to remove them from its ledger and unsent reports.",
           "rejected": "The request was rejected.",
           "requested": "The request was recorded: a second supervisor must approve it."}


def erasure_router(*, erasures: Erasures, supervisors: Callable[[Request], Awaitable[Principal]],
                   templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def actor(principal: Principal) -> Actor:
        return Actor(principal.username, principal.role.value)

    def refused(request: Request, principal: Principal, error: DecisionError) -> Response:
        return templates.TemplateResponse(request, "error.html", {
            "principal": principal, "message": str(error), "back": "/erasures", "reference": None},
            status_code=error.status)

    async def fields(request: Request) -> dict[str, str]:
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}

    @router.get("/erasures", response_class=HTMLResponse)
    async def erasures_page(request: Request, principal: Principal = Depends(supervisors)) -> Response:
        pending = await asyncio.to_thread(erasures.pending)
        return templates.TemplateResponse(request, "erasures.html", {
            "principal": principal, "pending": pending,
            "notice": NOTICES.get(request.query_params.get("done", ""))})

    @router.post("/erasures/content")
    async def request_content(request: Request, principal: Principal = Depends(supervisors)) -> Response:
        given = await fields(request)

        def ask() -> Any:
            with erasures.db.read() as session:
                try:
                    case = case_by_reference(session, given.get("reference_number", ""))
                except NotAReference:
                    raise DecisionError("that is not a valid reference number") from None
                if case is None:
                    raise NotFound("no case with that reference number")
                case_id = case.id
            return erasures.request_content_erasure(case_id, actor(principal), given.get("reason", ""))

        try:
            await asyncio.to_thread(ask)
        except DecisionError as error:
            return refused(request, principal, error)
        return RedirectResponse("/erasures?done=requested", status_code=303)

    @router.post("/erasures/{request_id}/{verdict}")
    async def decide(request: Request, request_id: uuid.UUID, verdict: str,
                     principal: Principal = Depends(supervisors)) -> Response:
        given = await fields(request)
        try:
            if verdict == "confirm":
                await asyncio.to_thread(erasures.confirm, request_id, actor(principal))
            elif verdict == "reject":
                await asyncio.to_thread(erasures.reject, request_id, actor(principal),
                                        given.get("reason", ""))
            else:
                raise NotFound("no such action")
        except DecisionError as error:
            return refused(request, principal, error)
        return RedirectResponse(f"/erasures?done={'confirmed' if verdict == 'confirm' else 'rejected'}",
                                status_code=303)

    return router
