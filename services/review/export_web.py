"""The supervisors' lawful-request export page: ask for a case's export, approve another's (the
signed archive downloads at once), or reject it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.review.auth import Principal
from services.review.decisions import Actor, DecisionError, NotFound
from services.review.export import Export, Exports
from services.review.queries import NotAReference, case_by_reference

__all__ = ["export_router"]

NOTICES = {"requested": "The export was requested: a second supervisor must approve it.",
           "rejected": "The export request was rejected."}


def export_router(*, exports: Exports, supervisors: Callable[[Request], Awaitable[Principal]],
                  templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def actor(principal: Principal) -> Actor:
        return Actor(principal.username, principal.role.value)

    def refused(request: Request, principal: Principal, error: DecisionError) -> Response:
        return templates.TemplateResponse(request, "error.html", {
            "principal": principal, "message": str(error), "back": "/exports", "reference": None},
            status_code=error.status)

    async def fields(request: Request) -> dict[str, str]:
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}

    @router.get("/exports", response_class=HTMLResponse)
    async def exports_page(request: Request, principal: Principal = Depends(supervisors)) -> Response:
        pending = await asyncio.to_thread(exports.pending)
        return templates.TemplateResponse(request, "exports.html", {
            "principal": principal, "pending": pending, "configured": exports.configured,
            "notice": NOTICES.get(request.query_params.get("done", ""))})

    @router.post("/exports")
    async def request_export(request: Request, principal: Principal = Depends(supervisors)) -> Response:
        given = await fields(request)

        def ask() -> None:
            with exports.db.read() as session:
                try:
                    case = case_by_reference(session, given.get("reference_number", ""))
                except NotAReference:
                    raise DecisionError("that is not a valid reference number") from None
                if case is None:
                    raise NotFound("no case with that reference number")
                case_id = case.id
            exports.request(case_id, actor(principal), given.get("reason", ""))

        try:
            await asyncio.to_thread(ask)
        except DecisionError as error:
            return refused(request, principal, error)
        return RedirectResponse("/exports?done=requested", status_code=303)

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
        given = await fields(request)
        try:
            await asyncio.to_thread(exports.reject, export_id, actor(principal), given.get("reason", ""))
        except DecisionError as error:
            return refused(request, principal, error)
        return RedirectResponse("/exports?done=rejected", status_code=303)

    return router
