"""The contact-the-reporter task's pages: the audited view of a reporter's details and preferences,
and logging an attempt (refused, with the reason, when it breaks what the reporter asked)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.review.contact import ContactTasks
from services.review.contact_rules import MIN_OVERRIDE_CHARS, OUTCOME_WORDS
from services.review.decision_store import DecisionError
from services.review.models import Case
from services.review.principals import Principal
from services.review.staff_pages import Guard, actor

__all__ = ["contact_router"]


def contact_router(*, tasks: ContactTasks, staff: Guard,
                   templates: Jinja2Templates, now: Callable[[], datetime]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def case_of(case_id: uuid.UUID) -> Case | None:
        with tasks.db.read() as session:
            return session.get(Case, case_id)

    def refused(request: Request, principal: Principal, case_id: uuid.UUID, error: DecisionError,
                reference: str | None, back: str) -> Response:
        return templates.TemplateResponse(request, "error.html", {
            "principal": principal, "message": str(error), "back": back,
            "reference": reference}, status_code=error.status)

    @router.get("/cases/{case_id}/contact", response_class=HTMLResponse)
    async def contact_page(request: Request, case_id: uuid.UUID,
                           principal: Principal = Depends(staff)) -> Response:
        case = await asyncio.to_thread(case_of, case_id)
        try:
            found = await asyncio.to_thread(tasks.open, case_id, actor(principal))
        except DecisionError as error:
            return refused(request, principal, case_id, error, case.reference_number if case else None,
                           f"/cases/{case_id}")
        if case is None:  # pragma: no cover - ``open`` refuses an unknown case first
            raise DecisionError("no such case")
        return templates.TemplateResponse(request, "contact.html", {
            "principal": principal, "tasks": found, "case_id": case_id, "reference": case.reference_number,
            "case_status": case.status, "now": now(),
            "outcome_words": {k.value: v for k, v in OUTCOME_WORDS.items()},
            "min_override": MIN_OVERRIDE_CHARS, "logged": request.query_params.get("logged") == "1"})

    @router.post("/cases/{case_id}/contact/attempts")
    async def log_attempt(request: Request, case_id: uuid.UUID,
                          principal: Principal = Depends(staff)) -> Response:
        form = await request.form()
        fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            signal_id = uuid.UUID(str(fields.get("signal_id", "")))
        except ValueError:
            signal_id = uuid.UUID(int=0)  # matches no signal: refused as unknown below
        try:
            await asyncio.to_thread(tasks.log_attempt, case_id, actor(principal), signal_id,
                                    str(fields.get("outcome", "")), str(fields.get("override_reason", "")))
        except DecisionError as error:
            case = await asyncio.to_thread(case_of, case_id)
            return refused(request, principal, case_id, error, case.reference_number if case else None,
                           f"/cases/{case_id}/contact")
        return RedirectResponse(f"/cases/{case_id}/contact?logged=1", status_code=303)

    return router
