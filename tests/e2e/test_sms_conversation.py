"""Texts end to end: the SMS intake, triage and review as processes on the real broker.

A texter's three messages become one case with three linked signals, and a forged webhook makes
nothing; the texter opts in, and a supervisor's reply reaches the (recording) sender and comes
back as sent; an urgent text reaches an open queue page through review's live push (``/events``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from twilio.request_validator import RequestValidator

from deploy.localsms import send_sample
from services.review.auth import Role
from services.runtime import RuntimeSettings
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.e2e.review_support import PASSWORD, provision_review

pytestmark = pytest.mark.e2e
TOKEN = "e2e-twilio-auth-token"
TEXTER = "+12145550123"


class Texting:
    """The SMS intake, triage and review under one broker prefix; texts are recorded, not sent."""

    def __init__(self, launch: Callable[..., ServiceProcess], tmp_path: Path) -> None:
        self.sms_port, self.review_port = free_port(), free_port()
        self.outbox = tmp_path / "sms-outbox.jsonl"
        blobs = tmp_path / "sms-blobs"
        review_db = f"sqlite:///{tmp_path / 'review.sqlite3'}"
        self.token = provision_review(review_db, ("alice", Role.SUPERVISOR), ("feed", Role.SERVICE))["feed"]
        launch("services.review", HOTLINE_HTTP_PORT=str(self.review_port),
               HOTLINE_REVIEW_DATABASE_URL=review_db, HOTLINE_COOKIE_SECURE="false",
               HOTLINE_BLOB_DIRS=f'["{blobs}"]')
        launch("triage")
        launch("intake_sms", HOTLINE_HTTP_PORT=str(self.sms_port), HOTLINE_TWILIO_AUTH_TOKEN=TOKEN,
               HOTLINE_TWILIO_PUBLIC_URL=f"http://127.0.0.1:{self.sms_port}",
               HOTLINE_STATE_DIR=str(tmp_path / "sms-state"), HOTLINE_SPOOL_DIR=str(tmp_path / "sms-spool"),
               HOTLINE_BLOB_DIR=str(blobs), HOTLINE_SMS_SENDER="record",
               HOTLINE_SMS_OUTBOX_FILE=str(self.outbox))

    async def text(self, body: str, sender: str = TEXTER) -> None:
        status, _ = await asyncio.to_thread(send_sample, port=self.sms_port, text=body, sender=sender,
                                            token=TOKEN)
        assert status == 200

    def review(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.review_port}",
                                 headers={"Authorization": f"Bearer {self.token}"})

    async def signed_in(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.review_port}")
        response = await client.post("/login", data={"username": "alice", "password": PASSWORD,
                                                     "next": "/queue"})
        assert response.status_code == 303, response.text
        return client

    def sent(self) -> list[dict[str, Any]]:
        if not self.outbox.exists():
            return []
        return [json.loads(line) for line in self.outbox.read_text(encoding="utf-8").splitlines()]


async def sms_cases(review: httpx.AsyncClient) -> list[dict[str, Any]]:
    cases = (await review.get("/api/v1/cases", params={"channel": "sms"})).json()["cases"]
    return [(await review.get(f"/api/v1/cases/{c['case_id']}")).json() for c in cases]


async def test_three_texts_are_one_case_a_forged_one_nothing_and_a_reply_reaches_the_texter(
    launch: Callable[..., ServiceProcess], topics: RuntimeSettings, tmp_path: Path
) -> None:
    hotline = Texting(launch, tmp_path)
    url = f"http://127.0.0.1:{hotline.sms_port}/twilio/messaging"
    forged = {"MessageSid": "SM" + "f" * 32, "From": "+13055550188", "To": "233733",
              "Body": "this one was never sent by Twilio", "NumMedia": "0"}
    async with httpx.AsyncClient() as client:
        unsigned = await client.post(url, data=forged)
        wrong_key = await client.post(url, data=forged, headers={
            "X-Twilio-Signature": RequestValidator("not-the-token").compute_signature(url, forged)})
    assert unsigned.status_code == wrong_key.status_code == 403

    conversation = ("i need help. the owner took my passport", "START", "the van comes back at 10 tonight")
    for body in conversation:
        await hotline.text(body)
    async with hotline.review() as review:
        async def one_case_of_three() -> list[dict[str, Any]] | None:
            cases = await sms_cases(review)
            return cases if cases and len(cases[0]["signals"]) == 3 else None

        [case] = await wait_for(one_case_of_three, timeout=90, interval=0.5, what="one case with three texts")
    first, second, third = case["signals"]
    assert [s["narrative"] for s in case["signals"]] == list(conversation)
    assert [s["channel"] for s in case["signals"]] == ["sms"] * 3
    assert [s["text"]["sequence"] for s in case["signals"]] == [1, 2, 3]
    assert case["case"]["reference_number"] == first["reference_number"] and first["related"] is None
    for follow_up in (second, third):  # linked to the first text, the way follow-ups are
        assert follow_up["related"] == {"relation": "follow_up", "signal_id": first["signal_id"],
                                        "reference_number": first["reference_number"]}
    assert len({s["signal_id"] for s in case["signals"]}) == 3
    assert second["text"]["keyword"] == "start" and case["texting"]["may_reply"] is True
    assert "never sent by Twilio" not in json.dumps(case)
    assert TEXTER not in json.dumps(case) and "5550123" not in json.dumps(case)

    # The texter opted in: the carriers' START confirmation went out, and nothing else did.
    [confirmation] = await wait_for(hotline.sent, timeout=20, what="the START confirmation")
    assert confirmation["to"] == TEXTER and "STOP" in confirmation["body"]

    case_id = case["case"]["case_id"]
    staff = await hotline.signed_in()
    try:
        page = (await staff.get(f"/cases/{case_id}")).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf
        claimed = await staff.post(f"/cases/{case_id}/actions/claim", data={"csrf_token": csrf[1]},
                                   follow_redirects=False)
        assert claimed.status_code == 303, claimed.text
        reply = "We got your messages. Can you talk safely at 9?"
        sent = await staff.post(f"/cases/{case_id}/actions/reply",
                                data={"csrf_token": csrf[1], "body": reply}, follow_redirects=False)
        assert sent.status_code == 303, sent.text
    finally:
        await staff.aclose()
    texts = await wait_for(lambda: len(hotline.sent()) == 2 and hotline.sent(), timeout=60,
                           what="the reply at the sender")
    assert texts[1]["to"] == TEXTER and texts[1]["body"] == reply
    async with hotline.review() as review:
        async def shown_sent() -> bool:
            detail = (await review.get(f"/api/v1/cases/{case_id}")).json()
            return [r["status"] for r in detail["texting"]["replies"]] == ["sent"]

        await wait_for(shown_sent, timeout=60, interval=0.5, what="the reply shown as sent")
        assert len(await sms_cases(review)) == 1  # the forged webhook made no case


async def test_an_urgent_text_reaches_an_open_queue_page(
    launch: Callable[..., ServiceProcess], topics: RuntimeSettings, tmp_path: Path
) -> None:
    hotline = Texting(launch, tmp_path)
    staff = await hotline.signed_in()
    events: list[dict[str, Any]] = []
    listening = asyncio.Event()

    async def listen() -> None:
        async with staff.stream("GET", "/events", headers={"Accept": "text/event-stream"},
                                timeout=httpx.Timeout(None, connect=10)) as stream:
            assert stream.status_code == 200
            listening.set()
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))

    listener = asyncio.create_task(listen())
    try:
        # The page listens before the text arrives, as an open queue page does.
        await wait_for(listening.is_set, timeout=20, what="the open event stream")
        await hotline.text("please help im 15 and he locked me in the back room right now he has a gun",
                           sender="+17135550177")
        urgent = await wait_for(lambda: [e for e in events if e.get("urgent")], timeout=120, interval=0.2,
                                what="the urgent case pushed to the open page")
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await listener
        await staff.aclose()
    assert urgent[0]["urgency"] in ("p1_act_now", "p2_same_day")
    async with hotline.review() as review:
        detail = (await review.get(f"/api/v1/cases/{urgent[0]['case_id']}")).json()
    assert [s["channel"] for s in detail["signals"]] == ["sms"]
    assert detail["case"]["imminent_danger"] or detail["case"]["minor"]
