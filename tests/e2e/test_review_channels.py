"""One case across the channels, with the real intakes and review as processes on the real broker.

A web tip, an email that quotes its reference number the way people write it, and a call whose
specialist noted the number the caller read out end in one case, which the queue's search box finds
however the number is typed. Attachments taken in by the web form and by the email intake (each
keeps its own blob folder) are downloaded from the case, and each download is in the audit trail.
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
import json
import re
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import httpx
import pytest
from imapclient import IMAPClient

from deploy.localimap import PASSWORD, USER, Dovecot
from services.review.auth import Role
from services.runtime import RuntimeSettings
from tests.conftest import wait_for
from tests.e2e.processes import ServiceProcess, free_port
from tests.e2e.review_support import PASSWORD as STAFF_PASSWORD
from tests.e2e.review_support import provision_review

pytestmark = pytest.mark.e2e
SPECIALIST = ("maria", "e2e-specialist-token")


class Hotline:
    """The web, email and phone intakes and review, sharing one broker prefix."""

    def __init__(self, launch: Callable[..., ServiceProcess], dovecot: Dovecot, tmp_path: Path) -> None:
        web_blobs, email_blobs = tmp_path / "webform-blobs", tmp_path / "email-blobs"
        self.blob_dirs = (web_blobs, email_blobs)
        # Encrypted at rest, as production requires: the intakes seal, review opens.
        keys = {"HOTLINE_BLOB_KEYS": json.dumps({"e2e": base64.b64encode(b"k" * 32).decode()})}
        self.review_port, self.web_port, self.phone_port = free_port(), free_port(), free_port()
        review_db = f"sqlite:///{tmp_path / 'review.sqlite3'}"
        self.token = provision_review(review_db, ("ana", Role.ANALYST), ("feed", Role.SERVICE))["feed"]
        launch("services.review", HOTLINE_HTTP_PORT=str(self.review_port),
               HOTLINE_REVIEW_DATABASE_URL=review_db, HOTLINE_COOKIE_SECURE="false",
               HOTLINE_BLOB_DIR=str(web_blobs), HOTLINE_BLOB_DIRS=f'["{web_blobs}", "{email_blobs}"]',
               **keys)
        launch("intake_webform", HOTLINE_HTTP_PORT=str(self.web_port), HOTLINE_BLOB_DIR=str(web_blobs),
               **keys)
        launch("intake_email", HOTLINE_IMAP_HOST="127.0.0.1", HOTLINE_IMAP_PORT=str(dovecot.port),
               HOTLINE_IMAP_TLS="false", HOTLINE_IMAP_USERNAME=USER, HOTLINE_IMAP_PASSWORD=PASSWORD,
               HOTLINE_STATE_DIR=str(tmp_path / "email-state"), HOTLINE_BLOB_DIR=str(email_blobs),
               HOTLINE_POLL_INTERVAL_S="1", **keys)
        launch("intake_phone", HOTLINE_HTTP_PORT=str(self.phone_port),
               HOTLINE_SPECIALIST_TOKENS=f'{{"{SPECIALIST[0]}": "{SPECIALIST[1]}"}}')
        self.dovecot = dovecot

    async def tip(self, **fields: Any) -> str:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.web_port}") as client:
            response = await client.post("/api/v1/tips", json=fields)
        assert response.status_code == 202, response.text
        return str(response.json()["reference_number"])

    def mail(self, message: EmailMessage) -> None:
        client = IMAPClient("127.0.0.1", port=self.dovecot.port, ssl=False, timeout=30)
        try:
            client.login(USER, PASSWORD)
            client.append("INBOX", message.as_bytes(policy=email.policy.SMTP))
        finally:
            client.logout()

    def review(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.review_port}",
                                 headers={"Authorization": f"Bearer {self.token}"})

    def staff(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.review_port}")


async def sign_in(client: httpx.AsyncClient) -> None:
    response = await client.post("/login", data={"username": "ana", "password": STAFF_PASSWORD,
                                                 "next": "/queue"})
    assert response.status_code == 303, response.text


def message(subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"] = "Ana Tipster <ana.tipster@example.org>", "tips@hotline.example.org"
    mail["Subject"], mail["Message-ID"] = subject, make_msgid(domain="example.org")
    mail.set_content(body)
    return mail


async def test_a_web_tip_and_the_email_and_call_that_quote_its_number_are_one_case(
    launch: Callable[..., ServiceProcess], dovecot: Dovecot, topics: RuntimeSettings, tmp_path: Path
) -> None:
    hotline = Hotline(launch, dovecot, tmp_path)
    number = await hotline.tip(narrative="The cooks at the noodle place sleep in the storeroom.",
                               location_state="TX")
    body = number[3:7] + number[8:]
    spoken = f"HT {body[:4]} {body[4:]}"  # as it was read out, and written down
    hotline.mail(message("One more thing", f"About my report {spoken}: the van is white, plate 555.\n"))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{hotline.phone_port}") as client:
        call = await client.post(
            "/api/v1/calls/reports", headers={"Authorization": f"Bearer {SPECIALIST[1]}"},
            json={"report_id": "call-1", "call_type": "tip", "related_reference": f"ht{body.lower()}",
                  "narrative": "Caller adds that the owner keeps their passports."})
    assert call.status_code == 202, call.text

    async with hotline.review() as review:
        async def gathered() -> dict[str, Any] | None:
            found = await review.get("/api/v1/find", params={"reference": spoken.lower()})
            if found.status_code != 200:
                return None
            case = (await review.get(f"/api/v1/cases/{found.json()['case']['case_id']}")).json()
            return case if len(case["signals"]) == 3 else None

        case = await wait_for(gathered, timeout=90, interval=0.5, what="the call and the email in the case")
    assert {s["channel"] for s in case["signals"]} == {"webform", "email", "phone"}
    assert case["case"]["reference_number"] == number
    async with hotline.staff() as client:
        await sign_in(client)
        queue = await client.get("/queue")
        assert re.search(r'<form[^>]+action="/find"', queue.text)
        found = await client.get("/find", params={"reference": f" {spoken.lower()} "})
        assert found.status_code == 303 and found.headers["location"] == f"/cases/{case['case']['case_id']}"


async def test_staff_download_an_attachment_taken_in_by_the_web_form_and_one_by_email(
    launch: Callable[..., ServiceProcess], dovecot: Dovecot, topics: RuntimeSettings, tmp_path: Path
) -> None:
    hotline = Hotline(launch, dovecot, tmp_path)
    notes = b"Witness notes: the van leaves at 6 every morning.\n"
    await hotline.tip(
        narrative="Workers are driven to the farm before dawn.",
        attachments=[{"filename": "notes.txt", "media_type": "text/plain",
                      "content_base64": base64.b64encode(notes).decode()}])
    photo_list = b"Plates seen: 555-ABC, 555-XYZ\n"
    mail = message("Tip with a list", "The list of plates is attached.\n")
    mail.add_attachment(photo_list, maintype="text", subtype="plain", filename="plates.txt")
    hotline.mail(mail)

    async with hotline.review() as review:
        async def attachments() -> dict[str, tuple[str, str]] | None:
            cases = (await review.get("/api/v1/cases")).json()["cases"]
            found: dict[str, tuple[str, str]] = {}
            for item in cases:
                detail = (await review.get(f"/api/v1/cases/{item['case_id']}")).json()
                for signal in detail["signals"]:
                    for attachment in signal["attachments"]:
                        found[signal["channel"]] = (item["case_id"], attachment["sha256"])
            return found if {"webform", "email"} <= found.keys() else None

        stored = await wait_for(attachments, timeout=90, interval=0.5, what="both cases with attachments")
    async with hotline.staff() as client:
        await sign_in(client)
        for channel, expected in (("webform", b"the van leaves at 6"), ("email", b"555-XYZ")):
            case_id, sha256 = stored[channel]
            page = await client.get(f"/cases/{case_id}")
            assert f"/attachments/{sha256}" in page.text
            download = await client.get(f"/attachments/{sha256}")
            assert download.status_code == 200, (channel, download.text)
            assert hashlib.sha256(download.content).hexdigest() == sha256 and expected in download.content
            on_disk = [p.read_bytes() for root in hotline.blob_dirs for p in root.glob(f"??/??/{sha256}")]
            assert on_disk and all(expected not in raw for raw in on_disk), "stored in the clear"
            assert download.headers["content-disposition"].startswith("attachment;")
            history = (await client.get(f"/cases/{case_id}")).text
            assert "ana: view attachment" in history, channel
