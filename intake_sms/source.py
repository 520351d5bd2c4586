"""The SMS intake's HTTP edge: Twilio's messaging webhook (inbound SMS and MMS).

Twilio signs every webhook (``X-Twilio-Signature``: HMAC-SHA1 of the full URL and the sorted POST
parameters under the account's auth token), checked with the official library's
``RequestValidator`` as the phone intake does. The URL that is signed is the one Twilio called,
so the intake validates against ``HOTLINE_TWILIO_PUBLIC_URL`` + the path, never the Host header.
An unsigned or tampered webhook gets 403 and publishes nothing.

The answer is empty TwiML: nothing is said to the texter here. Automatic texts (the carriers'
keyword answers) go out through the intake's sender, after the text is durable.
"""

from __future__ import annotations

import logging
from typing import Final

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from twilio.request_validator import RequestValidator

from intake_sms.handler import TextIntake
from intake_sms.translate import BadCallback
from services.runtime.spool import SpoolFull
from services.runtime.web_edge import EdgePolicy, protect

log = logging.getLogger(__name__)
EMPTY_TWIML: Final = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Twilio's messaging webhook: a few dozen short parameters, ten media URLs at most.
MAX_REQUEST_BYTES: Final = 64 * 1024


def build_app(*, intake: TextIntake, twilio_auth_token: str, public_url: str) -> FastAPI:
    app = FastAPI(title="Hotline SMS intake", version="1", docs_url=None, redoc_url=None, openapi_url=None)
    validator = RequestValidator(twilio_auth_token)
    base = public_url.rstrip("/")
    twilio = APIRouter(prefix="/twilio")

    @twilio.post("/messaging")
    async def inbound(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=200)
        params = {k: v for k, v in form.items() if isinstance(v, str)}
        url = base + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        signature = request.headers.get("x-twilio-signature", "")
        if not signature or not validator.validate(url, params, signature):
            intake.metrics.accept("rejected")
            return JSONResponse({"message": "invalid or missing X-Twilio-Signature"}, status_code=403)
        try:
            await intake.take(params)
        except BadCallback as error:
            intake.metrics.accept("rejected")
            return JSONResponse({"message": str(error)}, status_code=400)
        except SpoolFull:
            intake.metrics.accept("unavailable")
            log.error("text not taken: the broker is away and the spool is full",
                      extra={"count": intake.spooled})
            return JSONResponse({"message": "the text cannot be kept now; retry"}, status_code=503)
        return Response(EMPTY_TWIML, media_type="text/xml")

    app.include_router(twilio)
    protect(app, EdgePolicy(max_request_bytes=MAX_REQUEST_BYTES))
    return app
