"""The review app, composed from its routers: sign-in (``login_web``, ``sso_web``, ``mfa_web``), the
queue (``queue_web``), one case (``case_web``), decisions (``actions_web``), and the contact task's,
legal hold's, erasure's and export's pages; HTML and a JSON API.

Server-rendered and usable without JavaScript; the one script adds the live cue (a banner, a
sound, the page title) when a new urgent case arrives. Every page is behind a login, every
unsafe request behind a CSRF token, and every response goes through the runtime's web edge
(security headers, ``no-store`` but for static files, cross-site posts refused): case data must
not be left in caches.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from services.review.actions_web import ACTIONS, actions_router
from services.review.auth import Auth, Role, install_handlers, login_router
from services.review.case_web import case_router
from services.review.contact import ContactTasks
from services.review.contact_web import contact_router
from services.review.decisions import Decisions
from services.review.erasure import Erasures
from services.review.erasure_web import erasure_router
from services.review.export import Exports
from services.review.export_web import export_router
from services.review.facts import URGENCIES, declared
from services.review.hold_web import hold_router
from services.review.holds import Holds
from services.review.live import LiveHub
from services.review.mfa_web import mfa_router
from services.review.principals import STAFF, SUPERVISORS
from services.review.progress import need_words
from services.review.queue_web import PAGE_SIZE, queue_router
from services.review.sso_web import SingleSignOn, sso_router
from services.runtime.blobs import BlobReader
from services.runtime.local_time import LocalClock
from services.runtime.web_edge import EdgePolicy, protect

__all__ = ["ACTIONS", "PAGE_SIZE", "STAFF", "SUPERVISORS", "build_app"]

HERE: Final = Path(__file__).parent
_CSP: Final = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
               "media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
LABELS: Final = {urgency.value: words for urgency, words in URGENCIES.items()}


def build_app(*, auth: Auth, decisions: Decisions, live: LiveHub, blobs: BlobReader,
              now: Callable[[], datetime] = lambda: datetime.now(UTC),
              clock: LocalClock | None = None, sso: SingleSignOn | None = None,
              erasures: Erasures | None = None, exports: Exports | None = None) -> FastAPI:
    app = FastAPI(title="Hotline review", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    clock = clock or LocalClock()
    templates = _templates(clock)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    install_handlers(app, templates)
    db = decisions.db
    staff = auth.require(*STAFF)
    readers = auth.require(*STAFF, Role.SERVICE)
    supervisors = auth.require(*SUPERVISORS)
    contacts = ContactTasks(db, now=now, clock=clock)
    holds = Holds(db, now=now)
    # Signing in first, then the pages of each area; the API's routes keep the order of its description.
    app.include_router(login_router(auth, templates, sso_name=sso.name if sso else None,
                                    password_login=sso.password_login if sso else True))
    if sso is not None:
        app.include_router(sso_router(auth, sso, templates))
    app.include_router(mfa_router(auth, templates))
    app.include_router(contact_router(tasks=contacts, staff=staff, templates=templates, now=now))
    app.include_router(hold_router(holds=holds, supervisors=supervisors, templates=templates))
    app.include_router(erasure_router(erasures=erasures or Erasures(db, now=now), templates=templates,
                                      supervisors=supervisors))
    app.include_router(export_router(exports=exports or Exports(db, now=now, key=None), templates=templates,
                                     supervisors=supervisors))
    app.include_router(queue_router(decisions=decisions, templates=templates, staff=staff, readers=readers,
                                    now=now))
    app.include_router(case_router(db=db, templates=templates, staff=staff, readers=readers, now=now,
                                   contacts=contacts, holds=holds, live=live, blobs=blobs))
    app.include_router(actions_router(decisions=decisions, templates=templates, staff=staff, readers=readers,
                                      now=now))

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


def _templates(clock: LocalClock) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["labels"] = LABELS
    templates.env.globals["declared"] = declared
    templates.env.globals["clock"] = clock
    templates.env.globals["need_words"] = need_words
    return templates
