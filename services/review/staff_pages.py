"""What review's page routers share: the guard a route depends on, the actor, the posted form, a
refusal shown on the error page, and a case found by its reference number (the supervisors' pages:
erasure, export, legal hold)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeAlias

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.review.db import Database
from services.review.decision_store import Actor, DecisionError, NotFound
from services.review.principals import Principal
from services.review.queries import NotAReference, case_by_reference

__all__ = ["Guard", "actor", "case_id_by_reference", "done_or_refused", "form_fields", "page_router",
           "refusal"]

Guard: TypeAlias = Callable[[Request], Awaitable[Principal]]


def page_router() -> APIRouter:
    """A router of HTML pages: none of them belongs in the API's description."""
    return APIRouter(include_in_schema=False)


def actor(principal: Principal) -> Actor:
    return Actor(principal.username, principal.role.value)


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (a file field is not text and is left out)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def refusal(templates: Jinja2Templates, request: Request, principal: Principal, message: str, *,
            status: int, back: str) -> Response:
    """The error page for a request refused as asked, with the way back to the page it came from."""
    return templates.TemplateResponse(request, "error.html", {
        "principal": principal, "message": message, "back": back, "reference": None}, status_code=status)


async def done_or_refused(templates: Jinja2Templates, request: Request, principal: Principal,
                          call: Callable[[], object], *, done: str, back: str) -> Response:
    """Run the blocking ``call`` in a thread: then 303 to ``done``, or, refused as asked
    (``DecisionError``), the error page with its status and the way ``back``."""
    try:
        await asyncio.to_thread(call)
    except DecisionError as error:
        return refusal(templates, request, principal, str(error), status=error.status, back=back)
    return RedirectResponse(done, status_code=303)


def case_id_by_reference(db: Database, reference: str) -> uuid.UUID:
    """The case a supervisor named by its reference number; blocking (run it in a thread)."""
    with db.read() as session:
        try:
            case = case_by_reference(session, reference)
        except NotAReference:
            raise DecisionError("that is not a valid reference number") from None
        if case is None:
            raise NotFound("no case with that reference number")
        return case.id
