"""The phone intake's HTTP service as a process on the real broker: a signed Twilio callback and a
specialist's report for the same call arrive on ``signals.received`` under one call id."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from twilio.request_validator import RequestValidator

from contracts import CODEC, Topic
from contracts.events import SignalReceived
from services.runtime import RuntimeSettings
from tests.e2e.processes import ServiceProcess, free_port
from tests.kafka_reader import read_topic

TOKEN = "e2e-twilio-token"


async def test_callback_and_report_for_one_call(
    launch: Callable[..., ServiceProcess], topics: RuntimeSettings, tmp_path: Path
) -> None:
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    launch(
        "intake_phone",
        HOTLINE_HTTP_PORT=str(port),
        HOTLINE_TWILIO_AUTH_TOKEN=TOKEN,
        HOTLINE_TWILIO_PUBLIC_URL=public,
        HOTLINE_SPECIALIST_TOKENS='{"ana": "e2e-specialist"}',
    )
    call = "CA" + "ab" * 16
    params = {
        "CallSid": call,
        "From": "+15055550199",
        "To": "+18883737888",
        "CallStatus": "completed",
        "Direction": "inbound",
        "CallDuration": "95",
    }
    signature = RequestValidator(TOKEN).compute_signature(public + "/twilio/voice/status", params)
    async with httpx.AsyncClient(base_url=public) as client:
        forged = await client.post("/twilio/voice/status", data=params, headers={"X-Twilio-Signature": "x"})
        assert forged.status_code == 403
        status = await client.post(
            "/twilio/voice/status", data=params, headers={"X-Twilio-Signature": signature}
        )
        assert status.status_code == 204
        report = await client.post(
            "/api/v1/calls/reports",
            headers={"Authorization": "Bearer e2e-specialist"},
            json={
                "report_id": "e2e-1",
                "call_id": call,
                "call_type": "crisis",
                "narrative": "Caller is locked in a trailer on the ranch.",
            },
        )
        assert report.status_code == 202, report.text
    records = await read_topic(topics, Topic.SIGNALS_RECEIVED, 2)
    events = [CODEC.decode(r.value or b"", r.headers).event for r in records]
    assert len(events) == 2 and all(isinstance(e, SignalReceived) for e in events)
    assert {e.source.call_id for e in events if isinstance(e, SignalReceived)} == {call}
    assert {
        e.source.fragment for e in events if isinstance(e, SignalReceived) and e.source.kind == "phone"
    } == {"call_record", "specialist_report"}
