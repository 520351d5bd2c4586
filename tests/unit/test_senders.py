"""The drill's and the system benchmark's senders (``deploy.senders``): signed as Twilio signs, retried
as Twilio and a reporter's browser retry, call-detail rows as Asterisk writes them, and the region
protocol they report through (no sockets: HTTPX's mock transport stands in for the intakes)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest
from twilio.request_validator import RequestValidator

from deploy.localreceivers import break_glass_protocol
from deploy.senders import (
    CALL_STATUS_PATH,
    TEXT_PATH,
    TIP_PATH,
    answered_call,
    call_status_params,
    new_message_sid,
    post_signed,
    post_tip,
    text_params,
    tip_body,
    tip_email,
)
from services.reporting.protocols.loader import load_protocols

pytestmark = pytest.mark.unit

TOKEN = "senders-test-token"
BASE = "http://intake.example.org"


def _answers(*statuses: int) -> tuple[httpx.AsyncClient, list[httpx.Request]]:
    """A client whose server answers ``statuses`` in turn (the last one from then on)."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status = statuses[min(len(seen), len(statuses)) - 1]
        return httpx.Response(status, json={"reference_number": "HT-TEST-0001X"} if status == 202 else {})

    return httpx.AsyncClient(transport=httpx.MockTransport(handle), base_url=BASE), seen


async def test_a_text_is_signed_as_twilio_signs_it_and_sent_again_until_answered() -> None:
    client, seen = _answers(503, 503, 200)
    params = text_params(new_message_sid(), "+12145550123", "hello")
    misses: list[None] = []
    assert await post_signed(client, BASE + TEXT_PATH, params, token=TOKEN, ok=200, pause_s=0,
                             retried=lambda: misses.append(None))
    assert len(seen) == 3 and len(misses) == 2
    for request in seen:  # the same signed webhook each time, valid for the intake's check
        form = dict(parse_qsl(request.content.decode()))
        assert form == params
        assert RequestValidator(TOKEN).validate(str(request.url), form, request.headers["x-twilio-signature"])
    assert not RequestValidator("another-token").validate(
        str(seen[0].url), params, seen[0].headers["x-twilio-signature"])


async def test_a_callback_never_answered_is_given_up_after_its_attempts() -> None:
    client, seen = _answers(500)
    assert not await post_signed(client, BASE + CALL_STATUS_PATH, call_status_params("CA" + "1" * 32),
                                 token=TOKEN, ok=204, pause_s=0, attempts=3)
    assert len(seen) == 3


async def test_a_tip_is_sent_again_with_the_same_key_and_body_until_taken() -> None:
    client, seen = _answers(503, 202)
    body = tip_body("They took her passport.", urgent=True)
    reference = await post_tip(client, TIP_PATH, body, key="drill-key-1", pause_s=0)
    assert reference == "HT-TEST-0001X"
    assert [r.headers["idempotency-key"] for r in seen] == ["drill-key-1", "drill-key-1"]
    assert [json.loads(r.content) for r in seen] == [body, body]
    assert body["danger_now"] == "yes" and "danger_now" not in tip_body("x", urgent=False)


def test_an_answered_call_is_the_row_asterisk_writes() -> None:
    start = datetime(2026, 3, 16, 14, 0) + timedelta(seconds=7)
    row = answered_call("+12145560007", 7, start, answered_after=0, duration=60, uniqueid="bench.abc")
    assert row == ('"","+12145560007","18883737888","from-pstn","""Caller 7"" <+12145560007>",'
                   '"SIP/trunk-00001","SIP/agent-00002","Dial","SIP/agent,30","2026-03-16 14:00:07",'
                   '"2026-03-16 14:00:07","2026-03-16 14:01:07",60,60,"ANSWERED","DOCUMENTATION",'
                   '"bench.abc"\n')


def test_an_emailed_tip_carries_its_message_id() -> None:
    message = tip_email(4, "<drill-4-abc@example.org>")
    assert message["Message-ID"] == "<drill-4-abc@example.org>"
    assert message["From"] == "tipster4@example.org"
    assert "County Road 4" in message.get_content()


def test_the_break_glass_protocol_sends_to_the_receivers_webhook(tmp_path: Path) -> None:
    """The region protocol the drill and the benchmark report through loads, and names the webhook."""
    protocols = load_protocols(break_glass_protocol(tmp_path, "http://127.0.0.1:9/hooks/unit"))
    us = protocols.get("US")
    assert us is not None
    [unit] = us.protocol.contacts
    assert (unit.id, [str(c.url) for c in unit.channels]) == ("unit", ["http://127.0.0.1:9/hooks/unit"])
