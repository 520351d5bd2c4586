"""The web intake's JSON API (``/api/v1``): new tips and follow-ups, with idempotency keys."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from intake_webform.handler import Intake, Rejected, Upload
from intake_webform.i18n import Messages
from intake_webform.pages import Pages, Problem, client_of, language_of
from intake_webform.ratelimit import RateLimiter
from intake_webform.submission import FieldError, FollowUpSubmission, TipSubmission
from services.runtime.spool import SpoolFull


class TipAccepted(BaseModel):
    reference_number: str
    receipt: str
    message: str


class FollowUpAccepted(BaseModel):
    reference_number: str
    message: str


_API_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    403: {"model": Problem, "description": "The follow-up receipt does not match the reference number."},
    413: {"model": Problem, "description": "The request is larger than the configured limit."},
    422: {"model": Problem, "description": "A field is missing or invalid; each problem names its field."},
    429: {"model": Problem, "description": "Too many submissions; try again later."},
    503: {"model": Problem, "description": "The tip could not be made durable; nothing was kept."},
}


def _uploads_from_json(items: list[Any]) -> list[Upload]:
    uploads = []
    for item in items:
        try:
            data = item.content()
        except ValueError:
            raise Rejected([FieldError("attachments", "attachment_not_base64")]) from None
        uploads.append(Upload(data=data, filename=item.filename, declared_type=item.media_type))
    return uploads


def api_router(intake: Intake, limiter: RateLimiter, pages: Pages) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["tips"])

    def guard(request: Request, language: str) -> JSONResponse | None:
        if not limiter.allow(client_of(request)):
            intake.metrics.reject("rate_limited")
            response = pages.problem(429, language, pages.limited_message(language))
            response.headers["retry-after"] = "60"
            return response
        return None

    def refusal(not_taken: Rejected | SpoolFull, language: str) -> JSONResponse:
        """The answer to a tip or follow-up that was not taken: its problems, or 503 when nothing was kept."""
        if isinstance(not_taken, SpoolFull):
            intake.metrics.refuse_unavailable()
            return pages.problem(503, language, pages.unavailable_message(language))
        intake.metrics.reject("validation")
        return pages.problem(not_taken.status, language,
                             Messages.of(language).gettext("Please check the fields below."),
                             not_taken.problems)

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
        language = language_of(request)
        if (refused := guard(request, language)) is not None:
            return refused
        fingerprint = tip.model_dump_json() if idempotency_key else ""
        if idempotency_key and intake.idempotency_conflict(idempotency_key, fingerprint):
            intake.metrics.reject("idempotency_conflict")
            return pages.problem(422, language, Messages.of(language).gettext(
                "This Idempotency-Key was already used for a different tip. Use a new key."))
        submission_id = intake.submission_id("api", idempotency_key, fingerprint)
        try:
            receipt = await intake.take_tip(tip, _uploads_from_json(tip.attachments),
                                            submission_id=submission_id, language=language)
        except (Rejected, SpoolFull) as not_taken:
            return refusal(not_taken, language)
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
        language = language_of(request)
        if (refused := guard(request, language)) is not None:
            return refused
        fingerprint = follow_up.model_dump_json() if idempotency_key else ""
        submission_id = intake.submission_id("api-follow-up", idempotency_key, fingerprint)
        try:
            receipt = await intake.take_follow_up(
                follow_up, _uploads_from_json(follow_up.attachments),
                submission_id=submission_id, language=language)
        except (Rejected, SpoolFull) as not_taken:
            return refusal(not_taken, language)
        message = Messages.of(language).response("follow_up_accepted", reference=receipt.reference_number)
        return JSONResponse(FollowUpAccepted(reference_number=receipt.reference_number,
                                             message=message).model_dump(),
                            status_code=202, headers={"content-language": language})

    return api
