"""The queue: its page and API (filters, paging), "take the next urgent case", and finding a case by
the reference number a caller or an email quotes."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from contracts.events import CallType, Channel
from services.review.decisions import DecisionError, Decisions
from services.review.principals import Principal
from services.review.queries import NotAReference, QueueFilter, QueueItem, QueuePage, find_by_reference, queue
from services.review.staff_pages import Guard, actor

__all__ = ["PAGE_SIZE", "queue_router"]

PAGE_SIZE: Final = 50
# What ``?taken=`` may say on the queue page after "Take the next urgent case" (fixed words only).
QUEUE_NOTICES: Final = {
    "none": "Every open case is being worked or waits for approval: nothing was claimed.",
}
NEXT_CANDIDATES: Final = 20  # unclaimed cases tried, most urgent first, if others take them meanwhile


def filters_of(request: Request) -> QueueFilter:
    q = request.query_params
    minor = {"yes": True, "no": False}.get(q.get("minor", ""))
    state = (q.get("state") or "").strip().upper() or None
    if state is not None and not re.fullmatch(r"[A-Z]{2}", state):
        raise HTTPException(422, "state must be a two-letter code such as TX")
    call_type = q.get("call_type") or None
    if call_type is not None and call_type not in CallType.__members__.values():
        raise HTTPException(422, f"call_type must be one of {', '.join(c.value for c in CallType)}")
    channel = q.get("channel") or None
    if channel is not None and channel not in Channel.__members__.values():
        raise HTTPException(422, f"channel must be one of {', '.join(c.value for c in Channel)}")
    obligation = q.get("obligation") or None
    if obligation not in (None, "owed"):
        raise HTTPException(422, "obligation must be owed (cases whose mandatory reports are owed)")
    return QueueFilter(state=state, call_type=call_type, minor=minor, channel=channel,
                       unassigned=q.get("unassigned") in ("1", "on", "true"),
                       obligation_owed=obligation == "owed")


def page_of(request: Request) -> int:
    try:
        return max(int(request.query_params.get("page", "1")), 1)
    except ValueError:
        raise HTTPException(422, "page must be a number") from None


def queue_router(*, decisions: Decisions, templates: Jinja2Templates, staff: Guard, readers: Guard,
                 now: Callable[[], datetime]) -> APIRouter:
    """``/``, ``/queue``, ``/queue/next`` and ``/find`` for browsers; ``/api/v1/cases`` and
    ``/api/v1/find`` for staff and service tokens."""
    router = APIRouter()
    db = decisions.db

    def read_queue(filters: QueueFilter, limit: int, offset: int) -> QueuePage:
        with db.read() as session:
            return queue(session, now(), filters, limit=limit, offset=offset)

    @router.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/queue", status_code=303)

    @router.get("/queue", response_class=HTMLResponse, include_in_schema=False)
    async def queue_page(request: Request, principal: Principal = Depends(staff)) -> Response:
        filters, page = filters_of(request), page_of(request)
        found = await asyncio.to_thread(read_queue, filters, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        return templates.TemplateResponse(request, "queue.html", {
            "principal": principal, "items": found.items, "total": found.total, "exact": found.exact,
            "page": page, "pages": max((found.total + PAGE_SIZE - 1) // PAGE_SIZE, 1), "filters": filters,
            "now": now(), "notice": QUEUE_NOTICES.get(request.query_params.get("taken", "")),
            "call_types": [c.value for c in CallType], "channels": [c.value for c in Channel]})

    def take_next(principal: Principal) -> uuid.UUID | None:
        """Claim the most urgent open case nobody is working (the queue's order); None if there is none."""
        with db.read() as session:
            candidates = queue(session, now(), QueueFilter(unassigned=True), limit=NEXT_CANDIDATES).items
        for item in candidates:
            if item.status != "open":
                continue  # a request awaiting a second person's approval is not "the next case"
            try:
                decisions.claim(item.case_id, actor(principal))
            except DecisionError:
                continue  # somebody took it between the read and the claim: the next one
            return item.case_id
        return None

    @router.post("/queue/next", include_in_schema=False)
    async def next_case(principal: Principal = Depends(staff)) -> Response:
        case_id = await asyncio.to_thread(take_next, principal)
        if case_id is None:
            return RedirectResponse("/queue?taken=none", status_code=303)
        return RedirectResponse(f"/cases/{case_id}", status_code=303)

    @router.get("/api/v1/cases")
    async def queue_api(request: Request, principal: Principal = Depends(readers)) -> dict[str, Any]:
        filters = filters_of(request)
        try:
            limit = min(max(int(request.query_params.get("limit", str(PAGE_SIZE))), 1), 500)
            offset = max(int(request.query_params.get("offset", "0")), 0)
        except ValueError:
            raise HTTPException(422, "limit and offset must be numbers") from None
        found = await asyncio.to_thread(read_queue, filters, limit, offset)
        return {"total": found.total, "total_exact": found.exact, "cases": [i.as_json() for i in found.items]}

    # ------------------------------------------------------------ finding a case by reference number

    def find(reference: str) -> QueueItem:
        """A caller or an email quotes a number from another channel: find its case, however the
        number was written down (spaces, lower case, O for 0, I or L for 1)."""
        with db.read() as session:
            try:
                item = find_by_reference(session, reference, now())
            except NotAReference:
                raise HTTPException(422, f"{reference.strip()[:40]!r} is not a valid reference number: "
                                         "HT- then 4 and 5 characters; check each one, the last is a "
                                         "check character") from None
            if item is None:
                raise HTTPException(404, f"No case has reference number {reference.strip()[:40]}")
            return item

    @router.get("/find", include_in_schema=False)
    async def find_page(request: Request, principal: Principal = Depends(staff)) -> Response:
        item = await asyncio.to_thread(find, request.query_params.get("reference", ""))
        return RedirectResponse(f"/cases/{item.case_id}", status_code=303)

    @router.get("/api/v1/find")
    async def find_api(request: Request, principal: Principal = Depends(readers)) -> dict[str, Any]:
        item = await asyncio.to_thread(find, request.query_params.get("reference", ""))
        return {"case": item.as_json()}

    return router
