"""Twilio Voice's callbacks (``/twilio/voice``): a signed call status, recording or transcription
becomes a signal; an unsigned or tampered one gets 403 and publishes nothing."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from twilio.request_validator import RequestValidator

from intake_phone.doors import Doors
from intake_phone.translate import twilio_signal

_REQUIRED: Final = {"status": ("CallSid", "CallStatus"), "recording": ("CallSid", "RecordingSid"),
                    "transcription": ("CallSid", "TranscriptionStatus")}


def twilio_router(doors: Doors, *, twilio_auth_token: str, public_url: str, default_region: str) -> APIRouter:
    twilio = APIRouter(prefix="/twilio/voice", include_in_schema=False)
    validator = RequestValidator(twilio_auth_token)
    base = public_url.rstrip("/")

    async def callback(kind: str, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=200)
        params = {k: v for k, v in form.items() if isinstance(v, str)}
        # The URL Twilio signed is the public one it called, never this request's own Host.
        url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        signature = request.headers.get("x-twilio-signature", "")
        if not signature or not validator.validate(url, params, signature):
            doors.hand_off.rejected()
            return JSONResponse({"message": "invalid or missing X-Twilio-Signature"}, status_code=403)
        missing = [name for name in _REQUIRED[kind] if not params.get(name)]
        if missing:
            return JSONResponse({"message": f"missing {', '.join(missing)}"}, status_code=400)
        signal = twilio_signal(kind, params, received_at=doors.now(), secret=doors.secret,
                               default_region=default_region)
        return await doors.publish(signal) or Response(status_code=204)

    @twilio.post("/status")
    async def status(request: Request) -> Response:
        return await callback("status", request)

    @twilio.post("/recording")
    async def recording(request: Request) -> Response:
        return await callback("recording", request)

    @twilio.post("/transcription")
    async def transcription(request: Request) -> Response:
        return await callback("transcription", request)

    return twilio
