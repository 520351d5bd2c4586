"""The supervisors' erasure page: reporters' requests to confirm or reject, and staff's requests to
erase a case's content, which a second supervisor approves."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from services.review.decision_store import NotFound
from services.review.erasure import Erasures
from services.review.principals import Principal
from services.review.staff_pages import (
    Guard,
    actor,
    case_id_by_reference,
    done_or_refused,
    form_fields,
    page_router,
)

__all__ = ["erasure_router"]

NOTICES = {"confirmed": "The erasure was confirmed: the details are gone from the case store, and "
                        "reporting was told to remove them from its ledger and unsent reports.",
           "rejected": "The request was rejected.",
           "requested": "The request was recorded: a second supervisor must approve it."}


def erasure_router(*, erasures: Erasures, supervisors: Guard, templates: Jinja2Templates) -> APIRouter:
    router = page_router()

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

        return await done_or_refused(templates, request, principal, ask, done="/erasures?done=requested",
                                     back="/erasures")

    @router.post("/erasures/{request_id}/{verdict}")
    async def decide(request: Request, request_id: uuid.UUID, verdict: str,
                     principal: Principal = Depends(supervisors)) -> Response:
        given = await form_fields(request)

        def act() -> None:
            if verdict == "confirm":
                erasures.confirm(request_id, actor(principal))
            elif verdict == "reject":
                erasures.reject(request_id, actor(principal), given.get("reason", ""))
            else:
                raise NotFound("no such action")

        return await done_or_refused(
            templates, request, principal, act, back="/erasures",
            done=f"/erasures?done={'confirmed' if verdict == 'confirm' else 'rejected'}")

    return router
