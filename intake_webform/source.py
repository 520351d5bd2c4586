"""The HTTP edge: the HTML form (English and Spanish, no JavaScript) and the JSON API, composed.

Both doors (``form``, ``api``) validate with the same model and take tips through the same
``Intake``; ``pages`` holds what they share. Nothing here logs or stores an address, a user agent
or a referrer, and uvicorn's access log is off. The runtime's web edge puts the security headers
on every answer, caps the request size (413, in the reporter's language) and refuses posts from
other sites.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartParser
from starlette.types import Scope

from intake_webform import i18n
from intake_webform.api import api_router
from intake_webform.erasure import erasure_router
from intake_webform.form import form_router
from intake_webform.handler import MIB, Intake
from intake_webform.i18n import Messages
from intake_webform.pages import HOTLINE_NUMBER, Contact, Pages, language_of
from intake_webform.ratelimit import RateLimiter
from intake_webform.submission import FieldError, field_errors
from services.runtime.web_edge import EdgePolicy, protect

__all__ = ["CONTENT_SECURITY_POLICY", "HOTLINE_NUMBER", "Contact", "build_app"]

# No script at all, nothing from elsewhere, no framing, forms only to ourselves.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def build_app(
    *,
    intake: Intake,
    limiter: RateLimiter,
    max_request_bytes: int,
    contact: Contact | None = None,
) -> FastAPI:
    # Uploads stay in memory (bounded by the body limit) instead of spilling to a temp file:
    # an unscrubbed photo with its GPS position must never touch the disk.
    MultiPartParser.spool_max_size = max_request_bytes
    app = FastAPI(title="Hotline tip intake", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json",
                  description="Anonymous tips for a human trafficking hotline. No client data is "
                              "logged or stored. In immediate danger, call 911.")
    pages = Pages(contact or Contact(), intake.limits)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        language = language_of(request)
        intake.metrics.reject("validation")
        problems = field_errors(error.errors())
        return pages.problem(422, language, Messages.of(language).gettext("Please check the fields below."),
                             problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        language = language_of(request)
        words = Messages.of(language)
        # The framework's words (a parser's complaint, "Not Found") are never shown: each status
        # has a message of our own, in the reporter's language.
        missing = error.status_code in (404, 405)
        message = words.response("not_found" if missing else "unreadable")
        if request.url.path.startswith("/api/"):
            return pages.problem(error.status_code, language, message)
        title = message if missing else words.gettext("There is a problem")
        return pages.render("message.html", language, status=error.status_code, title=title, message=message)

    app.include_router(api_router(intake, limiter, pages))
    app.include_router(form_router(intake, limiter, pages))
    app.include_router(erasure_router(intake, limiter, pages))
    app.mount("/static", StaticFiles(directory=str(i18n.PACKAGE_DIR / "static")), name="static")

    def refusal(reason: str, message: Callable[[Messages], str]) -> Callable[[Scope], tuple[bytes, bytes]]:
        """An answer of the web edge's (413, 403) in the reporter's language, as JSON or a page."""

        def rendered(scope: Scope) -> tuple[bytes, bytes]:
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
            language = i18n.negotiate(headers.get("accept-language"))
            path = str(scope.get("path", ""))
            if len(path) > 3 and path[3] == "/" and path[1:3] in i18n.LANGUAGES_OFFERED:
                language = path[1:3]
            intake.metrics.reject(reason)
            words = Messages.of(language)
            if path.startswith("/api/"):
                return b"application/json", json.dumps({"message": message(words), "detail": []}).encode()
            page = pages.render("message.html", language, title=words.gettext("There is a problem"),
                                message=message(words))
            return b"text/html; charset=utf-8", bytes(page.body)

        return rendered

    too_large = FieldError("body", "request_too_large", {"limit": max_request_bytes // MIB})
    protect(app, EdgePolicy(
        content_security_policy=CONTENT_SECURITY_POLICY, cacheable_prefixes=("/static/",),
        max_request_bytes=max_request_bytes,
        too_large=refusal("too_large", lambda words: words.error(too_large)),
        cross_site=refusal("cross_site", lambda words: words.response("cross_site"))))
    return app
