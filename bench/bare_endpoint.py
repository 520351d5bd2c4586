"""The baseline for the web intake benchmark: a bare FastAPI endpoint that validates the same body
and answers 202, with no reference number, no encoding and no Kafka."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from intake_webform.submission import TipSubmission

app = FastAPI()


@app.get("/")
async def alive() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/v1/tips", status_code=202)
async def submit(tip: TipSubmission) -> dict[str, str]:
    return {"reference_number": "HT-0000-00000", "receipt": "none", "message": "ok"}


@app.post("/twilio/voice/status", status_code=204)
async def twilio_status(request: Request) -> Response:
    """The webhook baseline: read the form, answer 204 (no signature, no Kafka)."""
    form = await request.form()
    if "CallSid" not in form:
        return Response(status_code=400)
    return Response(status_code=204)
