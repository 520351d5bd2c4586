"""The supervisors' lawful-request export page: ask for a case's export, approve another's (the
signed archive downloads at once), or reject it."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from services.review.decision_store import DecisionError
from services.review.export import Export, Exports
from services.review.principals import Principal
from services.review.staff_pages import (
    Guard,
    actor,
    case_id_by_reference,
    done_or_refused,
    form_fields,
    page_router,
    refusal,
)

__all__ = ["export_router"]

NOTICES = {"requested": "The export was requested: a second supervisor must approve it.",
           "rejected": "The export request was rejected."}


def export_router(*, exports: Exports, supervisors: Guard, templates: Jinja2Templates) -> APIRouter:
    router = page_router()

    def refused(request: Request, principal: Principal, error: DecisionError) -> Response:
        return refusal(templates, request, principal, str(error), status=error.status, back="/exports")

    @router.get("/exports", response_class=HTMLResponse)
    async def exports_page(request: Request, principal: Principal = Depends(supervisors)) -> Response:
        pending = await asyncio.to_thread(exports.pending)
        return templates.TemplateResponse(request, "exports.html", {
            "principal": principal, "pending": pending, "configured": exports.configured,
            "notice": NOTICES.get(request.query_params.get("done", ""))})

    @router.post("/exports")
    async def request_export(request: Request, principal: Principal = Depends(supervisors)) -> Response:
        given = await form_fields(request)

        def ask() -> None:
            case_id = case_id_by_reference(exports.db, given.get("reference_number", ""))
            exports.request(case_id, actor(principal), given.get("reason", ""))

        return await done_or_refused(templates, request, principal, ask, done="/exports?done=requested",
                                     back="/exports")

    @router.post("/exports/{export_id}/approve")
    async def approve(request: Request, export_id: uuid.UUID,
                      principal: Principal = Depends(supervisors)) -> Response:
        try:
            made: Export = await asyncio.to_thread(exports.approve, export_id, actor(principal))
        except DecisionError as error:
            return refused(request, principal, error)
        return Response(made.data, media_type="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{made.filename}"',
            "X-Archive-SHA256": made.request.archive_sha256 or ""})

    @router.post("/exports/{export_id}/reject")
    async def reject(request: Request, export_id: uuid.UUID,
                     principal: Principal = Depends(supervisors)) -> Response:
        given = await form_fields(request)
        return await done_or_refused(
            templates, request, principal,
            lambda: exports.reject(export_id, actor(principal), given.get("reason", "")),
            done="/exports?done=rejected", back="/exports")

    return router
