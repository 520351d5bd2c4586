"""The reporter's request to erase their contact details (``/en/erase``, ``/es/erase``).

A request goes to review (``erasures.requested``) only when the receipt proves the reporter holds
the reference number; a wrong receipt is answered exactly as a right one, so the page tells nobody
whether a reference number exists or which receipt belongs to it. Nothing about the request (the
address, the reference number) is logged.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from contracts import CODEC, Topic
from contracts.events import ErasureRequested
from contracts.ids import derive_id
from contracts.reference_numbers import is_valid
from intake_webform import i18n
from intake_webform.form import form_context
from intake_webform.handler import Intake
from intake_webform.i18n import Messages
from intake_webform.pages import Pages, Problem, client_of, language_of
from intake_webform.ratelimit import RateLimiter
from intake_webform.receipts import matches
from intake_webform.submission import FieldError, field_errors
from services.runtime.spool import SpoolFull

# The API's refusals, in the same problem shape as the tip API's (its OpenAPI document says so).
_API_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    413: {"model": Problem, "description": "The request is larger than the configured limit."},
    422: {"model": Problem, "description": "A field is missing or invalid; each problem names its field."},
    429: {"model": Problem, "description": "Too many requests; try again later."},
    503: {"model": Problem, "description": "The request could not be made durable; nothing was kept."},
}


class ErasureSubmission(BaseModel):
    """What the page asks: the reference number and the receipt the reporter kept."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    reference_number: Annotated[str, Field(min_length=1, max_length=20)]
    receipt: Annotated[str, Field(min_length=1, max_length=40)]


async def request_erasure(intake: Intake, submission: ErasureSubmission, token: str) -> bool:
    """Publish the request if the receipt matches (True); else publish nothing (False). Raises
    ``SpoolFull`` when the request cannot be made durable."""
    reference = "".join(submission.reference_number.upper().split())
    if not matches(reference, submission.receipt, intake.receipt_secrets):
        intake.metrics.receipt_mismatches.inc()
        return False
    # The same page sent twice (a double click, a retry) is the same request.
    request = ErasureRequested(
        request_id=derive_id("erasure.request", reference, token), reference_number=reference,
        requested_at=intake.now())
    record = CODEC.encode(request, source=intake.source)
    outcome = await intake.sender.send(Topic.ERASURES_REQUESTED, record)
    intake.metrics.accepted.labels(kind="erasure", outcome=outcome.value).inc()
    return True


class ErasureAccepted(BaseModel):
    message: str


def erasure_router(intake: Intake, limiter: RateLimiter, pages: Pages) -> APIRouter:
    html = APIRouter()  # the pages stay out of the OpenAPI document; the JSON route is in it

    def page(language: str, values: dict[str, str], problems: list[FieldError],
             status: int = 200) -> HTMLResponse:
        return pages.render("erase.html", language, status=status,
                            **form_context(language, values, problems))

    @html.get("/{language}/erase", include_in_schema=False)
    async def erase_form(language: str) -> HTMLResponse:
        _check_language(language)
        return page(language, {}, [])

    @html.post("/{language}/erase", include_in_schema=False)
    async def erase(request: Request, language: str) -> HTMLResponse:
        _check_language(language)
        words = Messages.of(language)
        try:
            form = await request.form(max_files=0, max_fields=20, max_part_size=16 * 1024)
        except StarletteHTTPException:
            return pages.render("message.html", language, status=400,
                                title=words.gettext("There is a problem"),
                                message=words.response("unreadable"))
        values = {name: value for name, value in form.multi_items() if isinstance(value, str)}
        await form.close()
        if values.get("website"):
            intake.metrics.reject("honeypot")
            return page(language, {k: v for k, v in values.items() if k != "website"},
                        [FieldError("website", "honeypot")], 422)
        if not limiter.allow(client_of(request)):
            intake.metrics.reject("rate_limited")
            return pages.render("message.html", language, status=429, title=words.gettext("Please wait"),
                                message=pages.limited_message(language))
        try:
            submission = ErasureSubmission.model_validate(values)
        except ValidationError as error:
            intake.metrics.reject("validation")
            return page(language, values, field_errors(error), 422)
        # The check character needs no secret: saying it is wrong tells nothing about any report.
        if not is_valid("".join(submission.reference_number.upper().split())):
            intake.metrics.reject("validation")
            return page(language, values, [FieldError("reference_number", "reference_invalid")], 422)
        try:
            await request_erasure(intake, submission, values.get("submission_token") or "")
        except SpoolFull:
            intake.metrics.refuse_unavailable()
            return pages.render("message.html", language, status=503, title=words.gettext("Please try again"),
                                message=pages.unavailable_message(language))
        # The same words whether or not the receipt matched: no oracle for reference numbers.
        return pages.render("erase_thanks.html", language)

    @html.post("/api/v1/erasure-requests", status_code=202, include_in_schema=True, tags=["tips"],
               response_model=ErasureAccepted, responses=_API_ERRORS,
               summary="Ask that the contact details given with a report be erased (the same answer "
               "whether or not the receipt matches)")
    async def erase_by_api(request: Request, submission: ErasureSubmission) -> Response:
        language = language_of(request)
        words = Messages.of(language)
        if not limiter.allow(client_of(request)):
            intake.metrics.reject("rate_limited")
            limited = pages.problem(429, language, pages.limited_message(language))
            limited.headers["retry-after"] = "60"
            return limited
        if not is_valid("".join(submission.reference_number.upper().split())):
            intake.metrics.reject("validation")
            return pages.problem(422, language, words.gettext("Please check the fields below."),
                                 [FieldError("reference_number", "reference_invalid")])
        try:
            await request_erasure(intake, submission, request.headers.get("idempotency-key") or "")
        except SpoolFull:
            intake.metrics.refuse_unavailable()
            return pages.problem(503, language, pages.unavailable_message(language))
        return JSONResponse(ErasureAccepted(message=words.gettext("Thank you. We received your request."))
                            .model_dump(), status_code=202, headers={"content-language": language})

    return html


def _check_language(language: str) -> None:
    if language not in i18n.LANGUAGES_OFFERED:
        raise StarletteHTTPException(404)
