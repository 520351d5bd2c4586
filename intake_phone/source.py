"""The phone intake's HTTP edge: Twilio Voice callbacks, and the call specialists' reports.

Twilio signs every callback (``X-Twilio-Signature``: HMAC-SHA1 of the full URL and the sorted POST
parameters under the account's auth token). The URL that is signed is the one Twilio called, the
public one: behind a proxy or load balancer the scheme, host and port this process sees differ, so
the intake validates against ``HOTLINE_TWILIO_PUBLIC_URL`` + the path, never against the request's
own Host header. An unsigned or tampered callback gets 403 and publishes nothing.

Specialists file reports through the JSON API (``Authorization: Bearer <token>``) or a plain HTML
form (HTTP Basic: their name and the same token). Staff only: nothing here is public. A browser
sends Basic credentials with a post from any site, so the form carries the runtime's form check (an
HMAC of the name and the report id under the specialist's token), and the web edge refuses
state-changing requests a browser sent from another site. The form is the public tip form's equal
(``call_form``): choices in words, every value kept after a problem, an error summary linking to
each field and each message tied to its field; people are rows, and "Add another person or group"
posts the form back with one more row, filing nothing, so no script is needed.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CollectorRegistry
from pydantic import BaseModel, ValidationError
from twilio.request_validator import RequestValidator

from contracts.events import SignalReceived
from intake_phone import call_form
from intake_phone.call_form import Problem
from intake_phone.handler import CallHandOff
from intake_phone.report import SpecialistReport, report_signal
from intake_phone.translate import twilio_signal
from services.runtime import Publisher
from services.runtime.local_time import LocalClock
from services.runtime.staff_pages import STATIC_PREFIX, mount_styles, page_environment, staff_page
from services.runtime.web_edge import (
    EdgePolicy,
    FormCheck,
    basic_challenge,
    basic_user,
    origin_of,
    protect,
)

_REPORT_CHECK: Final = FormCheck("call-report")
_REQUIRED: Final = {"status": ("CallSid", "CallStatus"), "recording": ("CallSid", "RecordingSid"),
                    "transcription": ("CallSid", "TranscriptionStatus")}


class ReportAccepted(BaseModel):
    reference_number: str
    call_id: str


def build_app(
    *,
    publisher: Publisher,
    twilio_auth_token: str,
    public_url: str,
    specialist_tokens: dict[str, str],
    secret: bytes,
    now: Callable[[], datetime],
    default_region: str = "US",
    registry: CollectorRegistry | None = None,
    clock: LocalClock | None = None,
    site: str = "Hotline call specialists",
) -> FastAPI:
    hand_off = CallHandOff(publisher, registry or CollectorRegistry())
    app = FastAPI(title="Hotline phone intake", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    validator = RequestValidator(twilio_auth_token)
    base = public_url.rstrip("/")

    async def publish(signal: SignalReceived) -> Response | None:
        if await hand_off.accept(signal):
            return None
        # Twilio and the specialists' clients retry on 5xx; the signal id makes the retry the same.
        return JSONResponse({"message": "the broker did not take the signal; retry"}, status_code=503)

    # ------------------------------------------------------------ Twilio

    twilio = APIRouter(prefix="/twilio/voice", include_in_schema=False)

    async def callback(kind: str, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=200)
        params = {k: v for k, v in form.items() if isinstance(v, str)}
        url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        signature = request.headers.get("x-twilio-signature", "")
        if not signature or not validator.validate(url, params, signature):
            hand_off.rejected()
            return JSONResponse({"message": "invalid or missing X-Twilio-Signature"}, status_code=403)
        missing = [name for name in _REQUIRED[kind] if not params.get(name)]
        if missing:
            return JSONResponse({"message": f"missing {', '.join(missing)}"}, status_code=400)
        signal = twilio_signal(kind, params, received_at=now(), secret=secret, default_region=default_region)
        return await publish(signal) or Response(status_code=204)

    @twilio.post("/status")
    async def status(request: Request) -> Response:
        return await callback("status", request)

    @twilio.post("/recording")
    async def recording(request: Request) -> Response:
        return await callback("recording", request)

    @twilio.post("/transcription")
    async def transcription(request: Request) -> Response:
        return await callback("transcription", request)

    app.include_router(twilio)

    # ------------------------------------------------------------ specialists

    def specialist_from_bearer(authorization: str | None) -> str | None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        for name, expected in specialist_tokens.items():
            if hmac.compare_digest(token.encode(), expected.encode()):
                return name
        return None

    def specialist_from_basic(authorization: str | None) -> str | None:
        return basic_user(authorization, specialist_tokens.get)

    def form_key(specialist: str) -> bytes:
        return specialist_tokens[specialist].encode()

    def bearer_specialist(authorization: Annotated[str | None, Header()] = None) -> str:
        # A dependency, so that a request without the token is refused before its body is judged.
        specialist = specialist_from_bearer(authorization)
        if specialist is None:
            raise HTTPException(401, "a specialist's bearer token is required",
                                headers={"www-authenticate": "Bearer"})
        return specialist

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return JSONResponse({"message": error.detail}, status_code=error.status_code, headers=error.headers)

    @app.post("/api/v1/calls/reports", status_code=202, response_model=ReportAccepted, tags=["calls"],
              responses={401: {"description": "missing or wrong bearer token"},
                         422: {"description": "a field is missing or invalid"}})
    async def file_report(report: SpecialistReport, specialist: str = Depends(bearer_specialist)) -> Response:
        signal = report_signal(report, specialist=specialist, received_at=now(), secret=secret)
        return await publish(signal) or JSONResponse(
            ReportAccepted(reference_number=signal.reference_number, call_id=signal.source.call_id
                           if signal.source.kind == "phone" else "").model_dump(), status_code=202)

    environment = page_environment(Path(__file__).parent / "templates", clock or LocalClock())
    page = environment.get_template("report.html")
    mount_styles(app)

    def html(specialist: str, status: int = 200, *, values: dict[str, str], problems: Sequence[Problem] = (),
             adding: bool = False, **context: Any) -> HTMLResponse:
        report_id = values.get("report_id") or str(uuid.uuid4())
        check = _REPORT_CHECK.value(form_key(specialist), specialist, report_id)
        errors = {p.field: p.message for p in problems}
        body = page.render(site=site, signed_in=specialist, now=now(), report_id=report_id, check=check,
                           values=values, errors=errors, rows=call_form.row_count(values, adding=adding),
                           max_rows=call_form.MAX_ROWS, label_of=call_form.label_of,
                           first_choice=call_form.FIRST_CHOICE, words=call_form, **context)
        return staff_page(body, status)

    def challenge() -> Response:
        return basic_challenge("specialists only")

    @app.get("/specialist/report", include_in_schema=False)
    async def report_form(authorization: Annotated[str | None, Header()] = None) -> Response:
        specialist = specialist_from_basic(authorization)
        if specialist is None:
            return challenge()
        return html(specialist, values={})

    @app.post("/specialist/report", include_in_schema=False)
    async def report_form_post(request: Request,
                               authorization: Annotated[str | None, Header()] = None) -> Response:
        specialist = specialist_from_basic(authorization)
        if specialist is None:
            return challenge()
        form = await request.form(max_files=0, max_fields=40 + 8 * call_form.MAX_ROWS)
        values = {k: v for k, v in form.items() if isinstance(v, str) and k not in ("check", "add_victim")}
        if not _REPORT_CHECK.valid(form_key(specialist), form.get("check"), specialist,
                                   values.get("report_id", "")):
            return html(specialist, 403, values=values, problems=[Problem(
                "form", "Not saved: this form is out of date or came from another page. Check it and "
                        "file it again.")])
        if "add_victim" in form:  # "Add another person or group": the same form, one more row, nothing filed
            return html(specialist, values=values, adding=True, focus_row=call_form.row_count(values))
        data, rows = call_form.report_data(values)
        try:
            report = SpecialistReport.model_validate(data)
        except ValidationError as error:
            return html(specialist, 422, values=values, problems=call_form.form_errors(error, rows))
        signal = report_signal(report, specialist=specialist, received_at=now(), secret=secret)
        if await publish(signal) is not None:
            return html(specialist, 503, values=values, problems=[Problem(
                "form", "Not saved: the system that takes reports is unavailable. Keep this page open "
                        "and file it again in a minute.")])
        return html(specialist, values={}, saved=signal.reference_number,
                    linked=signal.related.reference_number if signal.related else None)

    protect(app, EdgePolicy(trusted_origins=frozenset({origin_of(public_url)}) - {""},
                            cacheable_prefixes=(STATIC_PREFIX,)))
    return app
