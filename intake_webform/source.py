"""The HTTP edge: the HTML form (English and Spanish, no JavaScript) and the JSON API.

Both doors validate with the same model and take tips through the same ``Intake``. The client
address is used for one thing only, in memory: a keyed hash for the rate limiter. Nothing here
logs or stores an address, a user agent or a referrer, and uvicorn's access log is off. The
runtime's web edge puts the security headers on every answer, caps the request size (413, in the
reporter's language) and refuses posts from other sites.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.types import Scope

from intake_webform import i18n
from intake_webform.i18n import Messages
from intake_webform.intake import MIB, Intake, Rejected, Upload
from intake_webform.ratelimit import RateLimiter
from intake_webform.submission import (
    MAX_NARRATIVE,
    US_STATES,
    FieldError,
    FollowUpSubmission,
    TipSubmission,
    field_errors,
)
from services.runtime.spool import SpoolFull
from services.runtime.web_edge import EdgePolicy, protect

HOTLINE_NUMBER: Final = "1-888-373-7888"
_FORM_ONLY_FIELDS: Final = frozenset({"submission_token", "website", "attachments", "lang"})
_CHECKBOXES: Final = frozenset({"consent_to_contact", "consent_to_share", "voicemail_ok", "text_ok"})
# No script at all, nothing from elsewhere, no framing, forms only to ourselves.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_RADIOS_FIRST: Final = {"danger_now": "yes", "trafficking_type": "sex", "victim_nationality": "us_citizen",
                        "reporter_role": "victim", "anonymous": "yes"}


@dataclass(frozen=True)
class Contact:
    hotline: str = HOTLINE_NUMBER
    text: str = "233733"


class TipAccepted(BaseModel):
    reference_number: str
    receipt: str
    message: str


class FollowUpAccepted(BaseModel):
    reference_number: str
    message: str


class ProblemDetail(BaseModel):
    field: str
    code: str
    message: str


class Problem(BaseModel):
    message: str
    detail: list[ProblemDetail] = []


_API_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    403: {"model": Problem, "description": "The follow-up receipt does not match the reference number."},
    413: {"model": Problem, "description": "The request is larger than the configured limit."},
    422: {"model": Problem, "description": "A field is missing or invalid; each problem names its field."},
    429: {"model": Problem, "description": "Too many submissions; try again later."},
    503: {"model": Problem, "description": "The tip could not be made durable; nothing was kept."},
}


def _language_of(request: Request) -> str:
    return i18n.negotiate(request.headers.get("accept-language"))


def _client(request: Request) -> str | None:
    # Used only as rate-limiter input, hashed with a rotating random key, never stored or logged.
    return request.client.host if request.client else None


def build_app(
    *,
    intake: Intake,
    limiter: RateLimiter,
    max_request_bytes: int,
    contact: Contact | None = None,
) -> FastAPI:
    contact = contact or Contact()
    # Uploads stay in memory (bounded by the body limit) instead of spilling to a temp file:
    # an unscrubbed photo with its GPS position must never touch the disk.
    MultiPartParser.spool_max_size = max_request_bytes
    app = FastAPI(title="Hotline tip intake", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json",
                  description="Anonymous tips for a human trafficking hotline. No client data is "
                              "logged or stored. In immediate danger, call 911.")
    environments = {
        language: _environment(language) for language in i18n.LANGUAGES_OFFERED
    }

    def render(template: str, language: str, status: int = 200, **context: Any) -> HTMLResponse:
        other = "es" if language == "en" else "en"
        page = environments[language].get_template(template).render(
            lang=language, hotline=contact.hotline, hotline_text=contact.text,
            switch_to=f"/{other}/" if template != "followup.html" else f"/{other}/follow-up",
            max_narrative=MAX_NARRATIVE, max_attachments=intake.limits.max_attachments,
            max_attachment_mb=intake.limits.max_attachment_bytes // MIB, **context)
        return HTMLResponse(page, status_code=status)

    def problem(status: int, language: str, message: str,
                problems: list[FieldError] | None = None) -> JSONResponse:
        words = Messages.of(language)
        details = [ProblemDetail(field=p.field, code=p.code, message=words.error(p)) for p in problems or []]
        return JSONResponse(Problem(message=message, detail=details).model_dump(), status_code=status,
                            headers={"content-language": language})

    def unavailable_message(language: str) -> str:
        return Messages.of(language).response("unavailable", hotline=contact.hotline)

    def limited_message(language: str) -> str:
        return Messages.of(language).response("rate_limited", hotline=contact.hotline)

    # ------------------------------------------------------------ JSON API

    api = APIRouter(prefix="/api/v1", tags=["tips"])

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        language = _language_of(request)
        intake.metrics.reject("validation")
        problems = field_errors(error.errors())
        return problem(422, language, Messages.of(language).gettext("Please check the fields below."),
                       problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        language = _language_of(request)
        words = Messages.of(language)
        # The framework's words (a parser's complaint, "Not Found") are never shown: each status
        # has a message of our own, in the reporter's language.
        missing = error.status_code in (404, 405)
        message = words.response("not_found" if missing else "unreadable")
        if request.url.path.startswith("/api/"):
            return problem(error.status_code, language, message)
        return render("message.html", language, status=error.status_code,
                      title=message if missing else words.gettext("There is a problem"), message=message)

    def uploads_from_json(items: list[Any], language: str) -> list[Upload]:
        uploads = []
        for item in items:
            try:
                data = item.content()
            except ValueError:
                raise Rejected([FieldError("attachments", "attachment_not_base64")]) from None
            uploads.append(Upload(data=data, filename=item.filename, declared_type=item.media_type))
        return uploads

    async def api_guard(request: Request, language: str) -> JSONResponse | None:
        if not limiter.allow(_client(request)):
            intake.metrics.reject("rate_limited")
            response = problem(429, language, limited_message(language))
            response.headers["retry-after"] = "60"
            return response
        return None

    @api.post("/tips", status_code=202, response_model=TipAccepted, responses=_API_ERRORS,
              summary="Send a new tip")
    async def submit_tip(
        request: Request,
        tip: TipSubmission,
        idempotency_key: Annotated[str | None, Header(max_length=128, description=(
            "Any unique string. A retry with the same key and the same body gets the same "
            "reference number and creates no second report; the same key with another body is refused."
        ))] = None,
    ) -> Response:
        language = _language_of(request)
        if (refused := await api_guard(request, language)) is not None:
            return refused
        fingerprint = tip.model_dump_json() if idempotency_key else ""
        if idempotency_key and intake.idempotency_conflict(idempotency_key, fingerprint):
            intake.metrics.reject("idempotency_conflict")
            return problem(422, language, Messages.of(language).gettext(
                "This Idempotency-Key was already used for a different tip. Use a new key."))
        submission_id = intake.submission_id("api", idempotency_key, fingerprint)
        try:
            receipt = await intake.take_tip(tip, uploads_from_json(tip.attachments, language),
                                            submission_id=submission_id, language=language)
        except Rejected as rejected:
            intake.metrics.reject("validation")
            return problem(rejected.status, language,
                           Messages.of(language).gettext("Please check the fields below."), rejected.problems)
        except SpoolFull:
            intake.metrics.refuse_unavailable()
            return problem(503, language, unavailable_message(language))
        words = Messages.of(language)
        if receipt.receipt is None:  # take_tip always mints one; only follow-ups have none
            raise RuntimeError("a new tip came back without its receipt")
        return JSONResponse(TipAccepted(reference_number=receipt.reference_number, receipt=receipt.receipt,
                                        message=words.response("accepted")).model_dump(),
                            status_code=202, headers={"content-language": language})

    @api.post("/follow-ups", status_code=202, response_model=FollowUpAccepted, responses=_API_ERRORS,
              summary="Add information or attachments to a report, with its follow-up receipt")
    async def submit_follow_up(
        request: Request,
        follow_up: FollowUpSubmission,
        idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
    ) -> Response:
        language = _language_of(request)
        if (refused := await api_guard(request, language)) is not None:
            return refused
        fingerprint = follow_up.model_dump_json() if idempotency_key else ""
        submission_id = intake.submission_id("api-follow-up", idempotency_key, fingerprint)
        try:
            receipt = await intake.take_follow_up(
                follow_up, uploads_from_json(follow_up.attachments, language),
                submission_id=submission_id, language=language)
        except Rejected as rejected:
            intake.metrics.reject("validation")
            return problem(rejected.status, language,
                           Messages.of(language).gettext("Please check the fields below."), rejected.problems)
        except SpoolFull:
            intake.metrics.refuse_unavailable()
            return problem(503, language, unavailable_message(language))
        message = Messages.of(language).response("follow_up_accepted", reference=receipt.reference_number)
        return JSONResponse(FollowUpAccepted(reference_number=receipt.reference_number,
                                             message=message).model_dump(),
                            status_code=202, headers={"content-language": language})

    app.include_router(api)

    # ------------------------------------------------------------ HTML form

    html = APIRouter(include_in_schema=False)

    def choices(language: str) -> dict[str, Any]:
        _ = Messages.of(language).gettext
        return {
            "answers": [("yes", _("Yes")), ("no", _("No")), ("unsure", _("I don't know"))],
            "trafficking_types": [("sex", _("Sex trafficking or commercial sex")),
                                  ("labor", _("Labor trafficking or forced work")),
                                  ("both", _("Both")), ("unsure", _("I'm not sure"))],
            "states": [("", _("Choose a state"))] + [(code, code) for code in sorted(US_STATES)],
            "genders": [("", _("Unknown")), ("female", _("Female")), ("male", _("Male")),
                        ("non_binary", _("Non-binary"))],
            "nationalities": [("us_citizen", _("US citizen")), ("foreign_national", _("Foreign national")),
                              ("unknown", _("Unknown"))],
            "roles": [("victim", _("I am the person being exploited")),
                      ("family_friend", _("A family member or friend")),
                      ("community_member", _("A community member")),
                      ("professional", _("A professional (for example social worker, teacher, nurse)")),
                      ("law_enforcement", _("Law enforcement")), ("other", _("Other"))],
            "anonymity": [("yes", _("Yes, stay anonymous")), ("no", _("No, you may contact me"))],
            "languages": [("", _("Choose a language")), *i18n.language_names(language)],
            "time_zones": [("", _("Not sure")), ("America/New_York", _("Eastern time")),
                           ("America/Chicago", _("Central time")), ("America/Denver", _("Mountain time")),
                           ("America/Phoenix", _("Arizona (no daylight saving time)")),
                           ("America/Los_Angeles", _("Pacific time")),
                           ("America/Anchorage", _("Alaska time")), ("Pacific/Honolulu", _("Hawaii time")),
                           ("America/Puerto_Rico", _("Puerto Rico and the U.S. Virgin Islands")),
                           ("Pacific/Guam", _("Guam and the Northern Mariana Islands"))],
        }

    def form_context(language: str, values: dict[str, str], problems: list[FieldError],
                     had_files: bool = False) -> dict[str, Any]:
        words = Messages.of(language)
        errors: dict[str, str] = {}
        for p in problems:
            errors.setdefault(p.field.split(".")[0], words.error(p))
        labels = {name: words.field_label(name) for name in errors}
        anchors = {name: f"{name}-{_RADIOS_FIRST[name]}" for name in errors if name in _RADIOS_FIRST}
        return {"values": values, "errors": errors, "labels": labels, "anchors": anchors,
                "had_files": had_files and bool(errors), "submission_token": secrets.token_urlsafe(16),
                **choices(language)}

    def check_language(language: str) -> None:
        if language not in i18n.LANGUAGES_OFFERED:
            raise StarletteHTTPException(404)

    @html.get("/")
    async def root(request: Request) -> RedirectResponse:
        return RedirectResponse(f"/{_language_of(request)}/", status_code=303)

    @html.get("/{language}/")
    async def form(language: str) -> HTMLResponse:
        check_language(language)
        return render("form.html", language, **form_context(language, {"anonymous": "yes"}, []))

    @html.get("/{language}/follow-up")
    async def follow_up_form(language: str) -> HTMLResponse:
        check_language(language)
        return render("followup.html", language, **form_context(language, {}, []))

    async def read_form(
        request: Request, language: str
    ) -> tuple[dict[str, str], list[Upload]] | HTMLResponse:
        try:
            form = await request.form(max_files=intake.limits.max_attachments + 10, max_fields=100,
                                      max_part_size=256 * 1024)
        except (MultiPartException, StarletteHTTPException):
            # Inside an app Starlette reports a broken multipart body as HTTPException(400).
            words = Messages.of(language)
            return render("message.html", language, status=400, title=words.gettext("There is a problem"),
                          message=words.response("unreadable"))
        values: dict[str, str] = {}
        uploads: list[Upload] = []
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                data = await value.read()
                if value.filename or data:  # an empty file input still sends one empty part
                    uploads.append(Upload(data=data, filename=value.filename,
                                          declared_type=value.content_type))
            elif name not in values:
                values[name] = value
        await form.close()
        return values, uploads

    def html_guard(request: Request, language: str, template: str,
                   values: dict[str, str], had_files: bool) -> HTMLResponse | None:
        words = Messages.of(language)
        if values.get("website"):
            intake.metrics.reject("honeypot")
            kept = {k: v for k, v in values.items() if k != "website"}
            return render(template, language, status=422, **form_context(
                language, kept, [FieldError("website", "honeypot")], had_files))
        if not limiter.allow(_client(request)):
            intake.metrics.reject("rate_limited")
            return render("message.html", language, status=429, title=words.gettext("Please wait"),
                          message=limited_message(language))
        return None

    def fields_of(values: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name, value in values.items():
            if name in _FORM_ONLY_FIELDS or not value.strip():
                continue
            if name in _CHECKBOXES:
                data[name] = value == "yes"
            elif name == "anonymous":
                data[name] = value != "no"
            else:
                data[name] = value
        return data

    async def submit_html(
        request: Request,
        language: str,
        template: str,
        take: Callable[[dict[str, Any], list[Upload], str | None], Awaitable[HTMLResponse]],
    ) -> HTMLResponse:
        """The one flow of both HTML forms: read, guard, validate and take; every failure re-renders
        ``template`` with the input kept and the problems tied to their fields."""
        check_language(language)
        read = await read_form(request, language)
        if isinstance(read, HTMLResponse):
            return read
        values, uploads = read
        if (refused := html_guard(request, language, template, values, bool(uploads))) is not None:
            return refused
        try:
            return await take(fields_of(values), uploads, values.get("submission_token"))
        except ValidationError as error:
            problems, status = field_errors(error), 422
        except Rejected as rejected:
            problems, status = rejected.problems, rejected.status
        except SpoolFull:
            intake.metrics.refuse_unavailable()
            words = Messages.of(language)
            return render("message.html", language, status=503, title=words.gettext("Please try again"),
                          message=unavailable_message(language))
        intake.metrics.reject("validation")
        return render(template, language, status=status,
                      **form_context(language, values, problems, bool(uploads)))

    def fingerprint_of(model: BaseModel, uploads: list[Upload]) -> str:
        return model.model_dump_json() + json.dumps([u.filename for u in uploads])

    @html.post("/{language}/tip")
    async def submit_form(request: Request, language: str) -> HTMLResponse:
        async def take(fields: dict[str, Any], uploads: list[Upload], token: str | None) -> HTMLResponse:
            tip = TipSubmission.model_validate(
                {k: v for k, v in fields.items() if k in TipSubmission.model_fields})
            submission_id = intake.submission_id("form", token, fingerprint_of(tip, uploads))
            receipt = await intake.take_tip(tip, uploads, submission_id=submission_id, language=language)
            return render("thanks.html", language, reference_number=receipt.reference_number,
                          receipt=receipt.receipt)

        return await submit_html(request, language, "form.html", take)

    @html.post("/{language}/follow-up")
    async def submit_follow_up_form(request: Request, language: str) -> HTMLResponse:
        async def take(fields: dict[str, Any], uploads: list[Upload], token: str | None) -> HTMLResponse:
            follow_up = FollowUpSubmission.model_validate(
                {k: v for k, v in fields.items() if k in FollowUpSubmission.model_fields})
            submission_id = intake.submission_id("form-follow-up", token, fingerprint_of(follow_up, uploads))
            receipt = await intake.take_follow_up(follow_up, uploads, submission_id=submission_id,
                                                  language=language)
            return render("followup_thanks.html", language, reference_number=receipt.reference_number)

        return await submit_html(request, language, "followup.html", take)

    app.include_router(html)
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
            page = render("message.html", language, title=words.gettext("There is a problem"),
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


def _environment(language: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(i18n.PACKAGE_DIR / "templates")),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    return environment
