"""One case: its page and API (signals, triage evidence highlighted, linked cases, reports'
progress, decisions, replies), its attachments (downloaded, audited), and the live feed of new cases."""

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
from sqlalchemy import select
from starlette.responses import StreamingResponse

from contracts.events import FlagName
from contracts.events.reply import MAX_REPLY_CHARS
from services.review import audit
from services.review.contact import ContactTasks
from services.review.db import Database
from services.review.decisions import CLOSE_REASONS, LE_NEEDS, SERVICE_NEEDS
from services.review.evidence import evidence_for, highlight
from services.review.holds import Holds
from services.review.live import LiveHub
from services.review.models import Attachment
from services.review.principals import Principal
from services.review.progress import report_progress
from services.review.purge import removed
from services.review.queries import CaseView, case_view
from services.review.staff_pages import Guard
from services.review.texting import REFUSALS
from services.runtime.blobs import BlobReader

__all__ = ["case_router", "load_case"]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# What ``?error=`` may put in the case page's alert: codes with fixed words. Anything else is
# ignored, so a link from elsewhere cannot show its own text as a message of the system.
CASE_ERRORS: Final = {
    "claim_needed": "Claim the case before you decide on it.",
    "claim_lapsed": "Your claim lapsed: claim the case again before you decide on it.",
    "changed": "The case changed while you were looking at it: check it and try again.",
}
# What the API shows of a text's source: never its sender key.
_TEXT_FIELDS: Final = ("sequence", "keyword", "num_media", "media")


def load_case(db: Database, case_id: uuid.UUID, now: Callable[[], datetime]) -> CaseView:
    """The case as its page shows it; 404 when there is none. Blocking (run it in a thread)."""
    with db.read() as session:
        view = case_view(session, case_id, now())
    if view is None:
        raise HTTPException(404, "no such case")
    return view


def case_router(*, db: Database, templates: Jinja2Templates, staff: Guard, readers: Guard,
                now: Callable[[], datetime], contacts: ContactTasks, holds: Holds, live: LiveHub,
                blobs: BlobReader) -> APIRouter:
    """``/cases/{id}``, ``/attachments/{sha256}`` and ``/events`` for browsers;
    ``/api/v1/cases/{id}`` for staff and service tokens."""
    router = APIRouter()

    @router.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
    async def case_page(request: Request, case_id: uuid.UUID,
                        principal: Principal = Depends(staff)) -> Response:
        view = await asyncio.to_thread(load_case, db, case_id, now)
        if view.merged_into is not None:
            return RedirectResponse(f"/cases/{view.merged_into}", status_code=303)
        contact_tasks = await asyncio.to_thread(contacts.summary, case_id)
        hold = await asyncio.to_thread(holds.of, case_id)
        purged = await asyncio.to_thread(removed, db, case_id)
        texts = [
            {"signal": s,
             "subject": highlight(s.subject or "", evidence_for(s.triage, "subject")),
             "narrative": highlight(s.narrative or "", evidence_for(s.triage, "narrative"))}
            for s in view.signals]
        reviewed = next((d for d in reversed(view.decisions) if d.kind == "break_glass_reviewed"), None)
        return templates.TemplateResponse(request, "case.html", {
            "principal": principal, "view": view, "case": view.item, "texts": texts, "now": now(),
            "reports": report_progress(view.outcomes), "break_glass_reviewed": reviewed,
            "le_needs": [n.value for n in LE_NEEDS], "service_needs": [n.value for n in SERVICE_NEEDS],
            "close_reasons": CLOSE_REASONS, "flags": [FlagName.MINOR.value, FlagName.IMMINENT_DANGER.value],
            "refusals": REFUSALS, "max_reply": MAX_REPLY_CHARS, "contact_tasks": contact_tasks, "hold": hold,
            "purged": purged,
            "error": CASE_ERRORS.get(request.query_params.get("error", ""))})

    @router.get("/api/v1/cases/{case_id}")
    async def case_api(case_id: uuid.UUID, principal: Principal = Depends(readers)) -> dict[str, Any]:
        view = await asyncio.to_thread(load_case, db, case_id, now)
        return {
            "case": view.item.as_json(),
            "signals": [{
                "signal_id": str(s.signal_id), "reference_number": s.reference_number, "channel": s.channel,
                "received_at": s.received_at.isoformat(), "subject": s.subject, "narrative": s.narrative,
                "facts": s.facts, "attachments": s.attachments, "triage": s.triage, "related": s.related,
                "reporter": s.reporter_summary, "reporter_has_contact": s.has_contact,
                **({"text": {k: (s.source or {}).get(k) for k in _TEXT_FIELDS}}
                   if s.channel == "sms" else {})}
                for s in view.signals],
            "linked": [{"case": item.as_json(), "reason": reason} for item, reason in view.linked],
            "outcomes": [{"report_id": str(o.report_id), "need": o.need, "victim": o.victim,
                          "step": o.step, "contact_id": o.contact_id, "channel": o.channel,
                          "obligation": o.obligation, "kind": o.kind,
                          "reason": o.reason, "occurred_at": o.occurred_at.isoformat()}
                         for o in view.outcomes],
            "decisions": [{"id": str(d.id), "kind": d.kind, "status": d.status, "decided_by": d.decided_by,
                           "decided_at": d.decided_at.isoformat(), "approved_by": d.approved_by,
                           "detail": d.detail} for d in view.decisions],
            "obligation": view.obligation.as_json() if view.obligation else None,
            "texting": None if view.texting is None else {
                "may_reply": view.texting.why_not is None, "why_not": view.texting.why_not,
                "replies": [{"reply_id": str(r.id), "signal_id": str(r.signal_id), "body": r.body,
                             "requested_by": r.requested_by, "requested_at": r.requested_at.isoformat(),
                             "status": r.status, "reason": r.reason} for r in view.replies]},
        }

    # ------------------------------------------------------------ live updates and attachments

    @router.get("/events", include_in_schema=False)
    async def events(principal: Principal = Depends(staff)) -> StreamingResponse:
        return StreamingResponse(live.subscribe(), media_type="text/event-stream",
                                 headers={"X-Accel-Buffering": "no"})

    @router.get("/attachments/{sha256}", include_in_schema=False)
    async def attachment(sha256: str, principal: Principal = Depends(staff)) -> Response:
        if not _SHA256.match(sha256):
            raise HTTPException(404, "no such attachment")

        def case_of() -> uuid.UUID | None:
            with db.read() as session:
                return session.scalar(select(Attachment.case_id).where(Attachment.sha256 == sha256).limit(1))

        case_id = await asyncio.to_thread(case_of)
        try:
            data = await asyncio.to_thread(blobs.get, sha256) if case_id is not None else None
        except OSError:
            raise HTTPException(500, "the stored attachment cannot be read (damaged or unreadable)") from None
        if case_id is None or data is None:
            raise HTTPException(404, "no such attachment")

        def record() -> None:
            # Written before the bytes go out, and only for bytes that do: the trail says who
            # looked at what, not who tried.
            with db.transaction() as session:
                audit.append(session, actor=principal.username, action="view_attachment", case_id=case_id,
                             detail={"sha256": sha256}, at=now())

        await asyncio.to_thread(record)
        # Always a download, never rendered in the app's origin; a sandbox CSP in case a browser tries.
        name = f"attachment-{sha256[:12]}"
        return Response(data, media_type="application/octet-stream",
                        headers={"Content-Security-Policy": "sandbox; default-src 'none'",
                                 "Content-Disposition": f'attachment; filename="{name}"'})

    return router
