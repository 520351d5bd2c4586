"""The supervisors' erasure page: reporters' requests to confirm or reject, and staff's requests to
erase a case's content, which a second supervisor approves."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.review.decision_store import DecisionError, NotFound
from services.review.erasure import Erasures
from services.review.principals import Principal
from services.review.staff_pages import (
    Guard,
    actor,
    case_id_by_reference,
    form_fields,
    page_router,
    refusal,
)

__all__ = ["erasure_router"]

NOTICES = {"confirmed": "The erasure was confirmed: the details are gone from the case store, and "
                        "reporting was told to remove them from its ledger and unsent reports.",
           "rejected": "The request was rejected.",
           "requested": "The request was recorded: a second supervisor must approve it."}


def erasure_router(*, erasures: Erasures, supervisors: Guard, templates: Jinja2Templates) -> APIRouter:
    router = page_router()

    def refused(request: Request, principal: Principal, error: DecisionError) -> Response:
        return refusal(templates, request, principal, str(error), status=error.status, back="/erasures")

    @router.get("/erasures", response_class=HTMLResponse)
    async def erasures_page(request: Request, principal: Principal = Depends(supervisors)) -> Response:
        pending = await asyncio.to_thread(erasures.pending)
        return templates.TemplateResponse(request, "erasures.html", {
            "principal": principal, "pending": pending,
            "notice": NOTICES.get(request.query_params.get("done", ""))})

    @router.post("/erasures/content")
    async def request_content(request: Request, principal: Principal = Depends(supervisors)) -> Response:
        given = await form_fields(request)

        def ask() -> None:
            case_id = case_id_by_reference(erasures.db, given.get("reference_number", ""))
            erasures.request_content_erasure(case_id, actor(principal), given.get("reason", ""))

        try:
            await asyncio.to_thread(ask)
        except DecisionError as error:
            return refused(request, principal, error)
        return RedirectResponse("/erasures?done=requested", status_code=303)

    @router.post("/erasures/{request_id}/{verdict}")
    async def decide(request: Request, request_id: uuid.UUID, verdict: str,
                     principal: Principal = Depends(supervisors)) -> Response:
        given = await form_fields(request)
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
