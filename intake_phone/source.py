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
state-changing requests a browser sent from another site.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from prometheus_client import CollectorRegistry
from pydantic import BaseModel, ValidationError
from twilio.request_validator import RequestValidator

from contracts import Topic
from contracts.events import CallType, ReporterRole, SignalReceived, Urgency
from intake_phone.report import SpecialistReport, report_signal
from intake_phone.translate import twilio_signal
from services.runtime import Publisher, PublishError
from services.runtime.metrics import intake_signals_counter
from services.runtime.tracing import accepting, annotate
from services.runtime.web_edge import (
    STRICT_CSP,
    EdgePolicy,
    FormCheck,
    basic_credentials,
    origin_of,
    protect,
)

# The form page has a <style> block and no script.
_CSP: Final = STRICT_CSP + "; style-src 'unsafe-inline'"
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
) -> FastAPI:
    intake = intake_signals_counter(registry or CollectorRegistry())
    app = FastAPI(title="Hotline phone intake", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    validator = RequestValidator(twilio_auth_token)
    base = public_url.rstrip("/")

    async def publish(signal: SignalReceived) -> Response | None:
        with accepting(signal.channel.value) as accepted:
            annotate(accepted, {"hotline.signal_id": str(signal.signal_id)})
            try:
                await publisher.publish(Topic.SIGNALS_RECEIVED, signal)
            except PublishError:
                intake.labels(channel="phone", outcome="unavailable").inc()
                annotate(accepted, {"hotline.outcome": "unavailable"})
                # Twilio and the specialists' clients retry on 5xx; the signal id makes the retry the same.
                return JSONResponse({"message": "the broker did not take the signal; retry"}, status_code=503)
            intake.labels(channel="phone", outcome="published").inc()
            annotate(accepted, {"hotline.outcome": "published"})
        return None

    # ------------------------------------------------------------ Twilio

    twilio = APIRouter(prefix="/twilio/voice", include_in_schema=False)

    async def callback(kind: str, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=200)
        params = {k: v for k, v in form.items() if isinstance(v, str)}
        url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        signature = request.headers.get("x-twilio-signature", "")
        if not signature or not validator.validate(url, params, signature):
            intake.labels(channel="phone", outcome="rejected").inc()
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
        credentials = basic_credentials(authorization)
        if credentials is None:
            return None
        name, token = credentials
        expected = specialist_tokens.get(name)
        return name if expected and hmac.compare_digest(token.encode(), expected.encode()) else None

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

    environment = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
                              autoescape=select_autoescape(["html"]))
    page = environment.get_template("report.html")

    def html(specialist: str, status: int = 200, *, values: dict[str, str], **context: Any) -> HTMLResponse:
        report_id = values.get("report_id") or str(uuid.uuid4())
        check = _REPORT_CHECK.value(form_key(specialist), specialist, report_id)
        return HTMLResponse(page.render(call_types=list(CallType), roles=list(ReporterRole),
                                        urgencies=list(Urgency), report_id=report_id, check=check,
                                        values=values, **context),
                            status_code=status, headers={"content-security-policy": _CSP})

    def challenge() -> Response:
        return Response("specialists only", status_code=401,
                        headers={"www-authenticate": 'Basic realm="hotline specialists", charset="UTF-8"'})

    @app.get("/specialist/report", include_in_schema=False)
    async def report_form(authorization: Annotated[str | None, Header()] = None) -> Response:
        specialist = specialist_from_basic(authorization)
        if specialist is None:
            return challenge()
        return html(specialist, values={}, errors={})

    @app.post("/specialist/report", include_in_schema=False)
    async def report_form_post(request: Request,
                               authorization: Annotated[str | None, Header()] = None) -> Response:
        specialist = specialist_from_basic(authorization)
        if specialist is None:
            return challenge()
        form = await request.form(max_files=0, max_fields=100)
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "check"}
        if not _REPORT_CHECK.valid(form_key(specialist), form.get("check"), specialist,
                                   values.get("report_id", "")):
            return html(specialist, 403, values=values, errors={
                "form": "not saved: this form is out of date or came from another page; check it and "
                        "file it again"})
        data: dict[str, Any] = {k: v for k, v in values.items()
                                if v.strip() and k in SpecialistReport.model_fields}
        data["consent_to_share"] = values.get("consent_to_share") == "yes"
        victim = {k.removeprefix("victim_"): v for k, v in values.items()
                  if k.startswith("victim_") and v.strip()}
        if victim:
            data["victims"] = [victim]
        try:
            report = SpecialistReport.model_validate(data)
        except ValidationError as error:
            errors = {".".join(str(part) for part in e["loc"]): e["msg"]
                      for e in error.errors(include_input=False)}
            return html(specialist, 422, values=values, errors=errors)
        signal = report_signal(report, specialist=specialist, received_at=now(), secret=secret)
        if await publish(signal) is not None:
            return html(specialist, 503, values=values,
                        errors={"form": "not saved: the broker is unavailable, try again"})
        return html(specialist, values={}, errors={}, saved=signal.reference_number,
                    linked=signal.related.reference_number if signal.related else None)

    protect(app, EdgePolicy(trusted_origins=frozenset({origin_of(public_url)}) - {""}))
    return app
