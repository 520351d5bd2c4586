"""The legal-hold control of the case page: a supervisor places or releases a hold, with a reason."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.review.holds import HoldError, Holds
from services.review.principals import Principal
from services.review.staff_pages import Guard, form_fields, page_router, refusal

__all__ = ["hold_router"]


def hold_router(*, holds: Holds, supervisors: Guard, templates: Jinja2Templates) -> APIRouter:
    router = page_router()

    async def change(request: Request, case_id: uuid.UUID, principal: Principal, place: bool) -> Response:
        reason = (await form_fields(request)).get("reason", "")
        action = holds.place if place else holds.release
        try:
            await asyncio.to_thread(lambda: action(case_id, by=principal.username, role=principal.role.value,
                                                   reason=reason))
        except HoldError as error:
            return refusal(templates, request, principal, str(error), status=409, back=f"/cases/{case_id}")
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
