"""The call specialists' page of phone tasks: HTTP Basic (name, shared token), a checked form, no script."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from contracts.events import Reporter
from services.reporting.chains import full_chain
from services.reporting.db import Database, migrate
from services.reporting.ledger import Ledger
from services.reporting.models import CallLog, Lookup
from services.reporting.protocols.loader import load_protocols
from services.reporting.resolution import resolve_request
from services.reporting.store import Store
from services.reporting.tokens import AckTokens
from services.reporting.web import build_app, task_groups
from tests.builders import received
from tests.reporting_support import Clock, contact, email, report_request

TOKEN = "specialist-page-token-0123456789"
NARRATIVE = "The workers are locked in the packing shed at night."


@dataclass
class Desk:
    db: Database
    ledger: Ledger
    reference_number: str

    def calls(self) -> list[tuple[str, str, str | None]]:
        with self.db.read() as session:
            rows = session.scalars(select(CallLog).order_by(CallLog.id))
            return [(c.outcome, c.specialist, c.note) for c in rows]

    def lookup_state(self) -> str:
        with self.db.read() as session:
            return session.scalars(select(Lookup.state)).one()


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    directory = tmp_path / "protocols"
    directory.mkdir()
    (directory / "US.yaml").write_text(
        "version: 1\nregion: {country: US}\ncontacts:\n"
        + contact("duty", "law_enforcement", '{type: phone, number: "+1 713 555 0101", label: duty line}',
                  email("duty@pd.example.gov"), organisation="Example Police Department")
        + "matrix:\n  tip_reporting:\n    - chain: [{contact: duty, wait: 10m}]\n")
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    migrate(url)
    db = Database(url)
    clock = Clock()
    store = Store(db, now=clock, facts_grace=timedelta(seconds=10))
    ledger = Ledger(db, now=clock, tokens=AckTokens(b"page-test-ack-secret"))
    protocols = load_protocols(directory)
    signal = received(narrative=NARRATIVE, reporter=Reporter(anonymous=False, consent_to_share=False))
    store.record_signal(signal)
    request = report_request(signal.signal_id, "HT-DKX6-23RF5")
    store.record_request(request)
    [pending] = store.ready_to_resolve()
    resolution = resolve_request(protocols, pending.request, pending.victims)
    store.store_resolution(request.report_id, resolution,
                           [full_chain(protocols, lookup) for lookup in resolution.lookups])
    assert ledger.claim() == []  # the call opens as a task
    yield Desk(db=db, ledger=ledger, reference_number=request.reference_number)
    db.dispose()


def basic(name: str, token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{token}".encode()).decode()}


def client(desk: Desk) -> httpx.AsyncClient:
    app = build_app(desk.ledger, specialist_token=SecretStr(TOKEN))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reporting.test")


def form_of(page: str) -> tuple[str, str]:
    found = re.search(
        r'action="(/specialist/tasks/\d+)"[^>]*>\s*<input type="hidden" name="check" value="([0-9a-f]+)"',
        page)
    assert found is not None, page
    return found.group(1), found.group(2)


async def test_the_page_asks_for_basic_credentials_and_refuses_wrong_ones(desk: Desk) -> None:
    async with client(desk) as http:
        for headers in ({}, basic("sam", "wrong"), basic("Sam Smith"), {"Authorization": f"Bearer {TOKEN}"}):
            response = await http.get("/specialist/tasks", headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"].startswith("Basic realm=")
    app = build_app(desk.ledger, specialist_token=None)  # no token configured: nobody
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r.test") as http:
        assert (await http.get("/specialist/tasks", headers=basic("sam"))).status_code == 401


async def test_the_page_lists_whom_to_call_and_never_the_narrative(desk: Desk) -> None:
    async with client(desk) as http:
        response = await http.get("/specialist/tasks", headers=basic("sam"))
    assert response.status_code == 200
    page = response.text
    assert "Signed in as <strong>sam</strong>" in page and desk.reference_number in page
    assert 'href="tel:+1 713 555 0101"' in page and "duty line" in page
    assert "Example Police Department" in page
    assert NARRATIVE not in page and "<script" not in page
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


async def test_the_page_says_what_each_call_is_for_and_how_long_is_left_on_the_hotlines_clock(
    desk: Desk,
) -> None:
    async with client(desk) as http:
        page = (await http.get("/specialist/tasks", headers=basic("sam"))).text
    assert "For: tip report to law enforcement." in page and "tip_reporting" not in page
    assert re.search(r"\b(9|10) min left\b", page), page  # a 10-minute wait, just opened
    local = r"\w{3} \w{3} \d+, \d+:\d\d [AP]M E[SD]T"
    assert re.search(rf"answer needed by <time datetime=\S+>{local}</time>", page), page
    assert "UTC" not in page and "(America/New_York)" in page
    assert '<option value="voicemail_left">Left a voicemail</option>' in page


def test_calls_are_grouped_by_report_with_the_report_due_first_on_top() -> None:
    now = datetime.now(UTC)

    def task(task_id: int, reference: str, minutes: int, victim: int = 0) -> dict[str, Any]:
        return {"task_id": task_id, "reference_number": reference, "due": now + timedelta(minutes=minutes),
                "victim": victim, "purpose": "tip report to law enforcement"}

    groups = task_groups([task(1, "HT-AAAA-AAAAA", 30), task(2, "HT-BBBB-BBBBB", 50, victim=1),
                          task(3, "HT-BBBB-BBBBB", 5), task(4, "HT-AAAA-AAAAA", 10)])
    assert [(g["reference_number"], [t["task_id"] for t in g["tasks"]]) for g in groups] == [
        ("HT-BBBB-BBBBB", [3, 2]), ("HT-AAAA-AAAAA", [4, 1])]
    # Two chains of one report (victims in different situations) say which group each call is for.
    assert [t["purpose"] for t in groups[0]["tasks"]] == [
        "tip report to law enforcement, victim group 1", "tip report to law enforcement, victim group 2"]
    assert groups[1]["tasks"][0]["purpose"] == "tip report to law enforcement"


async def test_a_call_logged_on_the_page_is_recorded_under_the_signed_in_name(desk: Desk) -> None:
    async with client(desk) as http:
        page = (await http.get("/specialist/tasks", headers=basic("sam"))).text
        action, check = form_of(page)
        answered = await http.post(action, headers=basic("sam"), data={
            "check": check, "outcome": "voicemail_left", "note": "left the number"})
        assert answered.status_code == 303
        assert answered.headers["location"].startswith("/specialist/tasks?logged=")
        again = (await http.get(answered.headers["location"], headers=basic("sam"))).text
        assert "Logged: call" in again
        reached = await http.post(action, headers=basic("sam"), data={"check": check, "outcome": "reached"})
        assert reached.status_code == 303
        after = (await http.get("/specialist/tasks", headers=basic("sam"))).text
    assert desk.calls() == [("voicemail_left", "sam", "left the number"), ("reached", "sam", None)]
    assert desk.lookup_state() == "completed" and "No calls are waiting." in after


async def test_a_post_without_the_pages_check_or_with_a_bad_outcome_logs_nothing(desk: Desk) -> None:
    async with client(desk) as http:
        action, check = form_of((await http.get("/specialist/tasks", headers=basic("sam"))).text)
        # A cross-site post rides on the browser's Basic credentials but cannot know the check.
        forged = await http.post(action, headers=basic("sam"), data={"outcome": "reached"})
        assert forged.status_code == 403 and "out of date" in forged.text
        # The check is bound to the name: another specialist's form does not work for sam.
        _, lees = form_of((await http.get("/specialist/tasks", headers=basic("lee"))).text)
        assert (await http.post(action, headers=basic("sam"), data={"check": lees, "outcome": "reached"})
                ).status_code == 403
        bad = await http.post(action, headers=basic("sam"), data={"check": check, "outcome": "hung_up"})
        assert bad.status_code == 422 and "Choose one of the outcomes" in bad.text
        long = await http.post(action, headers=basic("sam"),
                               data={"check": check, "outcome": "no_answer", "note": "x" * 501})
        assert long.status_code == 422
        gone = await http.post("/specialist/tasks/999", headers=basic("sam"),
                               data={"check": check, "outcome": "reached"})
        assert gone.status_code == 403  # a check for one task is not one for another
    assert desk.calls() == [] and desk.lookup_state() == "open"


async def test_the_ack_page_of_an_unknown_link_echoes_nothing_and_offers_no_button(desk: Desk) -> None:
    async with client(desk) as http:
        page = await http.get('/ack/x"><img src=x onerror=alert(1)>')
    assert page.status_code == 404 and "This link is not valid" in page.text
    assert "<img" not in page.text and "onerror" not in page.text and "<form" not in page.text
    assert "1-888-373-7888" in page.text  # whom to call instead
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "script-src" not in page.headers["content-security-policy"]


async def test_every_answer_of_the_reporting_app_carries_the_security_headers(desk: Desk) -> None:
    async with client(desk) as http:
        answers = [
            await http.get("/ack/some-token"),
            await http.post("/ack/not-a-token"),  # 404 page
            await http.get("/api/v1/phone-tasks"),  # 401 JSON
            await http.get("/api/v1/phone-tasks", headers={"Authorization": f"Bearer {TOKEN}"}),  # JSON
            await http.get("/specialist/tasks"),  # 401 challenge
            await http.get("/specialist/tasks", headers=basic("sam")),
            await http.get("/nowhere"),  # the framework's 404
            await http.post("/api/v1/phone-tasks/1/outcomes", json={},
                            headers={"Authorization": f"Bearer {TOKEN}"}),  # 422
        ]
    assert [a.status_code for a in answers] == [404, 404, 401, 200, 401, 200, 404, 422]
    for answer in answers:
        assert answer.headers["content-security-policy"].startswith("default-src 'none'"), answer.url
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["cache-control"] == "no-store"


async def test_a_cross_site_post_of_the_tasks_form_is_refused_before_the_check(desk: Desk) -> None:
    async with client(desk) as http:
        action, check = form_of((await http.get("/specialist/tasks", headers=basic("sam"))).text)
        response = await http.post(action, headers={**basic("sam"), "Sec-Fetch-Site": "cross-site"},
                                   data={"check": check, "outcome": "reached"})
    assert response.status_code == 403
    assert desk.calls() == []
