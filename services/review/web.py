"""The review app: the queue, the case page, decisions, live updates; HTML and a JSON API.

Server-rendered and usable without JavaScript; the one script adds the live cue (a banner, a
sound, the page title) when a new urgent case arrives. Every page is behind a login, every
unsafe request behind a CSRF token, and every response goes through the runtime's web edge
(security headers, ``no-store`` but for static files, cross-site posts refused): case data must
not be left in caches.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from starlette.responses import StreamingResponse

from contracts.events import CallType, Channel, FlagName, ReportNeed
from contracts.events.reply import MAX_REPLY_CHARS
from services.review import audit
from services.review.auth import Auth, Principal, Role, install_handlers, login_router
from services.review.contact import ContactTasks
from services.review.contact_web import contact_router
from services.review.decisions import (
    CLOSE_REASONS,
    LE_NEEDS,
    SERVICE_NEEDS,
    Actor,
    DecisionError,
    Decisions,
)
from services.review.erasure import Erasures
from services.review.erasure_web import erasure_router
from services.review.evidence import evidence_for, highlight
from services.review.export import Exports
from services.review.export_web import export_router
from services.review.facts import URGENCIES, declared
from services.review.hold_web import hold_router
from services.review.holds import Holds
from services.review.live import LiveHub
from services.review.mfa_web import mfa_router
from services.review.models import Attachment
from services.review.progress import need_words, report_progress
from services.review.purge import removed
from services.review.queries import (
    NotAReference,
    QueueFilter,
    QueueItem,
    QueuePage,
    case_view,
    find_by_reference,
    queue,
)
from services.review.sso_web import SingleSignOn, sso_router
from services.review.texting import REFUSALS
from services.runtime.blobs import BlobReader
from services.runtime.local_time import LocalClock
from services.runtime.web_edge import EdgePolicy, protect

HERE: Final = Path(__file__).parent
STAFF: Final = (Role.ANALYST, Role.SUPERVISOR, Role.ADMIN)
SUPERVISORS: Final = (Role.SUPERVISOR, Role.ADMIN)
PAGE_SIZE: Final = 50
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CSP: Final = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
               "media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# action -> who may take it
ACTIONS: Final[dict[str, tuple[Role, ...]]] = {
    "claim": STAFF, "release": STAFF, "le_report": STAFF, "refer": STAFF, "more_info": STAFF,
    "close": STAFF, "override": STAFF, "link": STAFF,
    "approve": SUPERVISORS, "reject": SUPERVISORS, "merge": SUPERVISORS, "reveal": SUPERVISORS,
    "reply": SUPERVISORS,
}
# What ``?error=`` may put in the case page's alert: codes with fixed words. Anything else is
# ignored, so a link from elsewhere cannot show its own text as a message of the system.
CASE_ERRORS: Final = {
    "claim_needed": "Claim the case before you decide on it.",
    "claim_lapsed": "Your claim lapsed: claim the case again before you decide on it.",
    "changed": "The case changed while you were looking at it: check it and try again.",
}
# What the API shows of a text's source: never its sender key.
_TEXT_FIELDS: Final = ("sequence", "keyword", "num_media", "media")
# What ``?taken=`` may say on the queue page after "Take the next urgent case" (fixed words only).
QUEUE_NOTICES: Final = {
    "none": "Every open case is being worked or waits for approval: nothing was claimed.",
}
LABELS: Final = {urgency.value: words for urgency, words in URGENCIES.items()}
NEXT_CANDIDATES: Final = 20  # unclaimed cases tried, most urgent first, if others take them meanwhile


def build_app(*, auth: Auth, decisions: Decisions, live: LiveHub, blobs: BlobReader,
              now: Callable[[], datetime] = lambda: datetime.now(UTC),
              clock: LocalClock | None = None, sso: SingleSignOn | None = None,
              erasures: Erasures | None = None, exports: Exports | None = None) -> FastAPI:
    app = FastAPI(title="Hotline review", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["labels"] = LABELS
    templates.env.globals["declared"] = declared
    clock = clock or LocalClock()
    templates.env.globals["clock"] = clock
    templates.env.globals["need_words"] = need_words
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    install_handlers(app, templates)
    app.include_router(login_router(auth, templates, sso_name=sso.name if sso else None,
                                    password_login=sso.password_login if sso else True))
    if sso is not None:
        app.include_router(sso_router(auth, sso, templates))
    app.include_router(mfa_router(auth, templates))
    db = decisions.db
    staff = auth.require(*STAFF)
    readers = auth.require(*STAFF, Role.SERVICE)
    contacts = ContactTasks(db, now=now, clock=clock)
    app.include_router(contact_router(tasks=contacts, staff=staff, templates=templates, now=now))
    holds = Holds(db, now=now)
    app.include_router(hold_router(holds=holds, supervisors=auth.require(*SUPERVISORS), templates=templates))
    app.include_router(erasure_router(erasures=erasures or Erasures(db, now=now), templates=templates,
                                      supervisors=auth.require(*SUPERVISORS)))
    app.include_router(export_router(exports=exports or Exports(db, now=now, key=None), templates=templates,
                                     supervisors=auth.require(*SUPERVISORS)))

    def actor(principal: Principal) -> Actor:
        return Actor(principal.username, principal.role.value)

    async def run(call: Callable[[], Any]) -> Any:
        return await asyncio.to_thread(call)

    # ------------------------------------------------------------ the queue

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

    def read_queue(filters: QueueFilter, limit: int, offset: int) -> QueuePage:
        with db.read() as session:
            return queue(session, now(), filters, limit=limit, offset=offset)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/queue", status_code=303)

    @app.get("/queue", response_class=HTMLResponse, include_in_schema=False)
    async def queue_page(request: Request, principal: Principal = Depends(staff)) -> Response:
        filters, page = filters_of(request), page_of(request)
        found = await run(lambda: read_queue(filters, PAGE_SIZE, (page - 1) * PAGE_SIZE))
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

    @app.post("/queue/next", include_in_schema=False)
    async def next_case(principal: Principal = Depends(staff)) -> Response:
        case_id = await run(lambda: take_next(principal))
        if case_id is None:
            return RedirectResponse("/queue?taken=none", status_code=303)
        return RedirectResponse(f"/cases/{case_id}", status_code=303)

    api = APIRouter(prefix="/api/v1")

    @api.get("/cases")
    async def queue_api(request: Request, principal: Principal = Depends(readers)) -> dict[str, Any]:
        filters = filters_of(request)
        try:
            limit = min(max(int(request.query_params.get("limit", str(PAGE_SIZE))), 1), 500)
            offset = max(int(request.query_params.get("offset", "0")), 0)
        except ValueError:
            raise HTTPException(422, "limit and offset must be numbers") from None
        found = await run(lambda: read_queue(filters, limit, offset))
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

    @app.get("/find", include_in_schema=False)
    async def find_page(request: Request, principal: Principal = Depends(staff)) -> Response:
        item = await run(lambda: find(request.query_params.get("reference", "")))
        return RedirectResponse(f"/cases/{item.case_id}", status_code=303)

    @api.get("/find")
    async def find_api(request: Request, principal: Principal = Depends(readers)) -> dict[str, Any]:
        item = await run(lambda: find(request.query_params.get("reference", "")))
        return {"case": item.as_json()}

    # ------------------------------------------------------------ one case

    def load(case_id: uuid.UUID) -> Any:
        with db.read() as session:
            view = case_view(session, case_id, now())
        if view is None:
            raise HTTPException(404, "no such case")
        return view

    @app.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
    async def case_page(request: Request, case_id: uuid.UUID,
                        principal: Principal = Depends(staff)) -> Response:
        view = await run(lambda: load(case_id))
        if view.merged_into is not None:
            return RedirectResponse(f"/cases/{view.merged_into}", status_code=303)
        contact_tasks = await run(lambda: contacts.summary(case_id))
        hold = await run(lambda: holds.of(case_id))
        purged = await run(lambda: removed(db, case_id))
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

    @api.get("/cases/{case_id}")
    async def case_api(case_id: uuid.UUID, principal: Principal = Depends(readers)) -> dict[str, Any]:
        view = await run(lambda: load(case_id))
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

    # ------------------------------------------------------------ decisions

    def perform(action: str, case_id: uuid.UUID, principal: Principal, fields: dict[str, str]) -> Any:
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

    @app.post("/cases/{case_id}/actions/{action}", include_in_schema=False)
    async def act_form(request: Request, case_id: uuid.UUID, action: str,
                       principal: Principal = Depends(staff)) -> Response:
        allowed(action, principal)
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        try:
            result = await run(lambda: perform(action, case_id, principal, fields))
        except DecisionError as error:
            if error.status == 404:
                raise HTTPException(404, str(error)) from None
            view = await run(lambda: load(case_id))
            return templates.TemplateResponse(request, "error.html", {
                "principal": principal, "message": str(error), "back": f"/cases/{case_id}",
                "reference": view.item.reference_number}, status_code=error.status)
        if action == "reveal":
            return templates.TemplateResponse(request, "reveal.html", {
                "principal": principal, "revealed": result, "case_id": case_id})
        return RedirectResponse(f"/cases/{case_id}", status_code=303)

    @api.post("/cases/{case_id}/actions/{action}")
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
            result = await run(lambda: perform(action, case_id, principal, fields))
        except DecisionError as error:
            return JSONResponse({"message": str(error)}, status_code=error.status)
        if action == "reveal":
            return JSONResponse({"revealed": result})
        view = await run(lambda: load(case_id))
        return JSONResponse({"case": view.item.as_json()})

    # ------------------------------------------------------------ live updates and attachments

    @app.get("/events", include_in_schema=False)
    async def events(principal: Principal = Depends(staff)) -> StreamingResponse:
        return StreamingResponse(live.subscribe(), media_type="text/event-stream",
                                 headers={"X-Accel-Buffering": "no"})

    @app.get("/attachments/{sha256}", include_in_schema=False)
    async def attachment(sha256: str, principal: Principal = Depends(staff)) -> Response:
        if not _SHA256.match(sha256):
            raise HTTPException(404, "no such attachment")

        def case_of() -> uuid.UUID | None:
            with db.read() as session:
                return session.scalar(select(Attachment.case_id).where(Attachment.sha256 == sha256).limit(1))

        case_id = await run(case_of)
        try:
            data = await run(lambda: blobs.get(sha256)) if case_id is not None else None
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

        await run(record)
        # Always a download, never rendered in the app's origin; a sandbox CSP in case a browser tries.
        name = f"attachment-{sha256[:12]}"
        return Response(data, media_type="application/octet-stream",
                        headers={"Content-Security-Policy": "sandbox; default-src 'none'",
                                 "Content-Disposition": f'attachment; filename="{name}"'})

    app.include_router(api)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
            return JSONResponse({"message": error.detail}, status_code=error.status_code,
                                headers=error.headers)
        return templates.TemplateResponse(request, "error.html", {
            "principal": None, "message": error.detail, "back": "/queue"},
            status_code=error.status_code, headers=error.headers)

    protect(app, EdgePolicy(content_security_policy=_CSP, cacheable_prefixes=("/static/",)))
    return app


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

