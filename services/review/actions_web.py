"""What staff do on a case page or through the API: ``/cases/{id}/actions/{action}``, who may take
each action, and the form or JSON fields turned into a decision."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from contracts.events import FlagName, ReportNeed
from services.review.case_web import load_case
from services.review.decisions import DecisionError, Decisions
from services.review.principals import STAFF, SUPERVISORS, Principal, Role
from services.review.staff_pages import Guard, actor

__all__ = ["ACTIONS", "actions_router"]

# action -> who may take it
ACTIONS: Final[dict[str, tuple[Role, ...]]] = {
    "claim": STAFF, "release": STAFF, "le_report": STAFF, "refer": STAFF, "more_info": STAFF,
    "close": STAFF, "override": STAFF, "link": STAFF,
    "approve": SUPERVISORS, "reject": SUPERVISORS, "merge": SUPERVISORS, "reveal": SUPERVISORS,
    "reply": SUPERVISORS,
}


def perform(decisions: Decisions, action: str, case_id: uuid.UUID, principal: Principal,
            fields: dict[str, str]) -> Any:
    """The decision ``action`` asks for, made; ``DecisionError`` when it cannot be made as asked."""
    who = actor(principal)
    need = _need(fields.get("need"))
    reason = (fields.get("reason") or "").strip()
    if action == "claim":
        return decisions.claim(case_id, who)
    if action == "release":
        return decisions.release(case_id, who)
    if action == "le_report":
        return decisions.request_le_report(case_id, who, _required(need, "need"), _reason(reason))
    if action == "approve":
        return decisions.approve(_uuid(fields.get("decision_id")), who, case_id=case_id)
    if action == "reject":
        return decisions.reject(_uuid(fields.get("decision_id")), who, _reason(reason), case_id=case_id)
    if action == "refer":
        return decisions.refer(case_id, who, _required(need, "need"), _reason(reason))
    if action == "more_info":
        return decisions.more_info(case_id, who, _reason(reason))
    if action == "close":
        return decisions.close(case_id, who, fields.get("close_reason", ""))
    if action == "override":
        flag = fields.get("flag", "")
        if flag not in (FlagName.MINOR.value, FlagName.IMMINENT_DANGER.value):
            raise DecisionError("choose the flag to override: minor or imminent_danger")
        value = {"raise": True, "clear": False}.get(fields.get("value", ""))
        if value is None:
            raise DecisionError("say whether to raise or clear the flag")
        return decisions.override_flag(case_id, who, FlagName(flag), value, _reason(reason))
    if action == "link":
        return decisions.link(case_id, who, fields.get("other_reference", ""))
    if action == "merge":
        return decisions.merge(case_id, who, fields.get("other_reference", ""))
    if action == "reveal":
        return decisions.reveal_reporter(case_id, who, reason)
    if action == "reply":
        return decisions.reply_by_text(case_id, who, fields.get("body", ""))
    raise HTTPException(404, f"no action {action}")


def allowed(action: str, principal: Principal) -> None:
    roles = ACTIONS.get(action)
    if roles is None:
        raise HTTPException(404, f"no action {action}")
    if principal.role not in roles:
        raise HTTPException(403, f"{principal.role.value} may not {action.replace('_', ' ')}")


def actions_router(*, decisions: Decisions, templates: Jinja2Templates, staff: Guard, readers: Guard,
                   now: Callable[[], datetime]) -> APIRouter:
    """``POST /cases/{id}/actions/{action}`` (a form) and ``POST /api/v1/cases/{id}/actions/{action}``
    (JSON)."""
    router = APIRouter()
    db = decisions.db

    @router.post("/cases/{case_id}/actions/{action}", include_in_schema=False)
    async def act_form(request: Request, case_id: uuid.UUID, action: str,
                       principal: Principal = Depends(staff)) -> Response:
        allowed(action, principal)
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            result = await asyncio.to_thread(perform, decisions, action, case_id, principal, fields)
        except DecisionError as error:
            if error.status == 404:
                raise HTTPException(404, str(error)) from None
            view = await asyncio.to_thread(load_case, db, case_id, now)
            return templates.TemplateResponse(request, "error.html", {
                "principal": principal, "message": str(error), "back": f"/cases/{case_id}",
                "reference": view.item.reference_number}, status_code=error.status)
        if action == "reveal":
            return templates.TemplateResponse(request, "reveal.html", {
                "principal": principal, "revealed": result, "case_id": case_id})
        return RedirectResponse(f"/cases/{case_id}", status_code=303)

    @router.post("/api/v1/cases/{case_id}/actions/{action}")
    async def act_api(request: Request, case_id: uuid.UUID, action: str,
                      principal: Principal = Depends(readers)) -> Response:
        allowed(action, principal)
        try:
            body = await request.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            return JSONResponse({"message": "the body must be a JSON object"}, status_code=422)
        fields = {k: str(v) for k, v in body.items() if isinstance(v, str | bool | int)}
        try:
            result = await asyncio.to_thread(perform, decisions, action, case_id, principal, fields)
        except DecisionError as error:
            return JSONResponse({"message": str(error)}, status_code=error.status)
        if action == "reveal":
            return JSONResponse({"revealed": result})
        view = await asyncio.to_thread(load_case, db, case_id, now)
        return JSONResponse({"case": view.item.as_json()})

    return router


def _need(raw: str | None) -> ReportNeed | None:
    if not raw:
        return None
    try:
        return ReportNeed(raw)
    except ValueError:
        raise DecisionError(f"unknown need {raw!r}") from None


def _required(value: ReportNeed | None, name: str) -> ReportNeed:
    if value is None:
        raise DecisionError(f"choose the {name}")
    return value


def _reason(reason: str) -> str:
    if len(reason) < 3:
        raise DecisionError("give a short reason")
    return reason[:500]


def _uuid(raw: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise DecisionError("no such request") from None
