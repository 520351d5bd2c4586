"""The legal-hold control of the case page: a supervisor places or releases a hold, with a reason."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.review.auth import Principal
from services.review.holds import HoldError, Holds

__all__ = ["hold_router"]


def hold_router(*, holds: Holds, supervisors: Callable[[Request], Awaitable[Principal]],
                templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    async def change(request: Request, case_id: uuid.UUID, principal: Principal, place: bool) -> Response:
        form = await request.form()
        reason = form.get("reason")
        action = holds.place if place else holds.release
        try:
            await asyncio.to_thread(lambda: action(case_id, by=principal.username, role=principal.role.value,
                                                   reason=reason if isinstance(reason, str) else ""))
        except HoldError as error:
            return templates.TemplateResponse(request, "error.html", {
                "principal": principal, "message": str(error), "back": f"/cases/{case_id}",
                "reference": None}, status_code=409)
        return RedirectResponse(f"/cases/{case_id}#legal-hold", status_code=303)

    @router.post("/cases/{case_id}/hold")
    async def place(request: Request, case_id: uuid.UUID,
                    principal: Principal = Depends(supervisors)) -> Response:
        return await change(request, case_id, principal, place=True)

    @router.post("/cases/{case_id}/hold/release")
    async def release(request: Request, case_id: uuid.UUID,
                      principal: Principal = Depends(supervisors)) -> Response:
        return await change(request, case_id, principal, place=False)

    return router
