"""Delivery through the courier, and the ledger's HTTP face: phone tasks, late acknowledgements, retries.

The ledger is a migrated SQLite file and its clock is the test's, so windows, leases and retry
delays pass without sleeping. The recipients are real servers on loopback: aiosmtpd for email and
a small HTTP server for webhooks, each answering from a script (a temporary failure, a refusal).
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import create_engine, inspect, select

from contracts.events import ContactDetails, Reporter, SafeContact
from deploy.ports import free_port
from services.reporting.chains import full_chain
from services.reporting.channels import SmtpSecurity, SmtpSender, WebhookSender, delivery_key
from services.reporting.courier import Courier
from services.reporting.db import Database, alembic_config, migrate
from services.reporting.ledger import AckResult, Ledger
from services.reporting.models import CallLog, Lookup, OutboxRecord, Step
from services.reporting.protocols.loader import load_protocols
from services.reporting.protocols.regions import ProtocolSet
from services.reporting.resolution import resolve_request
from services.reporting.signing import verify
from services.reporting.store import Store
from services.reporting.tokens import AckTokens
from services.reporting.web import build_app
from tests.builders import received
from tests.reporting_support import Clock, report_request

NARRATIVE = "The cooks sleep above the restaurant and the owner keeps their passports."
SPECIALIST_TOKEN = "specialist-token-0123456789"
WEBHOOK_SECRET = "unit-webhook-secret"
RETRY_AFTER = timedelta(seconds=15)
LEASE = timedelta(seconds=30)
SENDER = "reports@hotline.example.org"
ACK_SECRET = b"unit-test-ack-secret"
# The scripted relay is plain aiosmtpd on loopback, as in dev (TLS: test_reporting_smtp_tls.py).
PLAIN_TEXT = SmtpSecurity(starttls=False)



# ---------------------------------------------------------------- a ledger with one report


def email_to(address: str) -> str:
    return f'{{type: email, address: "{address}"}}'


def webhook_to(url: str) -> str:
    return f'{{type: webhook, url: "{url}"}}'


PHONE = "{type: phone, number: '+1 713 555 0101'}"


def write_chain(directory: Path, *links: tuple[str, str, str]) -> Path:
    """US.yaml whose tip-reporting chain is ``links`` in order: (contact id, channel, wait).
    Every contact is always available."""
    today = datetime.now(UTC).date().isoformat()
    contacts = "".join(
        f"  - {{id: {contact}, name: Contact {contact}, organisation: Example Police Department,"
        f" kind: law_enforcement, channels: [{channel}], availability: always, last_verified: {today}}}\n"
        for contact, channel, _ in links)
    chain = "".join(f"        - {{contact: {contact}, wait: {wait}}}\n" for contact, _, wait in links)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "US.yaml").write_text(
        f"version: 1\nregion: {{country: US}}\ncontacts:\n{contacts}"
        f"matrix:\n  tip_reporting:\n    - chain:\n{chain}")
    return directory


@dataclass
class World:
    db: Database
    store: Store
    ledger: Ledger
    clock: Clock
    protocols: ProtocolSet
    report_id: uuid.UUID

    def steps(self) -> list[Step]:
        with self.db.read() as session:
            return list(session.scalars(select(Step).order_by(Step.step_index)))

    def lookup(self) -> Lookup:
        with self.db.read() as session:
            return session.scalars(select(Lookup)).one()

    def calls(self) -> list[tuple[int, str, str, str | None]]:
        with self.db.read() as session:
            return [(c.step_id, c.outcome, c.specialist, c.note)
                    for c in session.scalars(select(CallLog).order_by(CallLog.id))]

    def outcomes(self) -> list[tuple[int | None, str, str | None]]:
        with self.db.read() as session:
            rows = list(session.scalars(select(OutboxRecord).order_by(OutboxRecord.id)))
        events = [json.loads(r.value) for r in rows if r.topic == "reports.outcomes"]
        return [(e["step"], e["kind"], e.get("reason")) for e in events]


WorldFactory = Callable[..., World]


@pytest.fixture
def make_world(tmp_path: Path) -> Iterator[WorldFactory]:
    made: list[Database] = []

    def make(*links: tuple[str, str, str], max_attempts: int = 5, reporter: Reporter | None = None) -> World:
        url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
        migrate(url)
        db = Database(url)
        made.append(db)
        clock = Clock()
        store = Store(db, now=clock, facts_grace=timedelta(seconds=10))
        ledger = Ledger(db, now=clock, tokens=AckTokens(ACK_SECRET), lease=LEASE,
                        max_attempts=max_attempts)
        protocols = load_protocols(write_chain(tmp_path / "protocols", *links))
        signal = received(narrative=NARRATIVE,
                          reporter=reporter or Reporter(anonymous=False, consent_to_share=False))
        store.record_signal(signal)
        request = report_request(signal.signal_id, signal.reference_number)
        store.record_request(request)
        [pending] = store.ready_to_resolve()
        resolution = resolve_request(protocols, pending.request, pending.victims)
        store.store_resolution(request.report_id, resolution,
                               [full_chain(protocols, lookup) for lookup in resolution.lookups])
        return World(db=db, store=store, ledger=ledger, clock=clock, protocols=protocols,
                     report_id=request.report_id)

    yield make
    for db in made:
        db.dispose()


# ---------------------------------------------------------------- the HTTP app


@dataclass
class Changes:
    count: int = 0

    def __call__(self) -> None:
        self.count += 1


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reporting.test")


def bearer(token: str = SPECIALIST_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def phone_world(make_world: WorldFactory) -> World:
    """A phone call first, then an email: the call task is open (its window of 10 minutes runs)."""
    world = make_world(("duty-phone", PHONE, "10m"), ("desk", email_to("desk@pd.example.gov"), "1h"))
    assert world.ledger.claim() == []  # a call is not sent: it opens as a task for a specialist
    return world


async def test_phone_tasks_need_the_specialist_token(phone_world: World) -> None:
    app = build_app(phone_world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN))
    async with client_for(app) as client:
        for headers in ({}, bearer("not-the-token"), {"Authorization": "Basic " + SPECIALIST_TOKEN},
                        {"Authorization": "Bearer "}):
            response = await client.get("/api/v1/phone-tasks", headers=headers)
            assert response.status_code == 401, headers
            assert response.json() == {"detail": "a specialist token is needed"}
            assert SPECIALIST_TOKEN not in response.text
        logged = await client.post("/api/v1/phone-tasks/1/outcomes", headers=bearer("not-the-token"),
                                   json={"outcome": "reached", "specialist": "sam"})
        assert logged.status_code == 401
        assert (await client.get("/api/v1/phone-tasks", headers=bearer())).status_code == 200
    assert phone_world.calls() == [] and phone_world.lookup().state == "open"


async def test_without_a_configured_token_nobody_gets_the_phone_tasks(phone_world: World) -> None:
    app = build_app(phone_world.ledger, specialist_token=None)
    async with client_for(app) as client:
        for headers in ({}, bearer(""), bearer()):
            assert (await client.get("/api/v1/phone-tasks", headers=headers)).status_code == 401


async def test_phone_tasks_list_the_contact_and_window_but_never_the_narrative(phone_world: World) -> None:
    app = build_app(phone_world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN))
    async with client_for(app) as client:
        response = await client.get("/api/v1/phone-tasks", headers=bearer())
    assert response.status_code == 200
    [task] = response.json()["tasks"]
    [phone, desk] = phone_world.steps()
    assert task["task_id"] == phone.id and task["report_id"] == str(phone_world.report_id)
    assert (task["victim"], task["step"], task["contact_id"]) == (0, 0, "duty-phone")
    assert task["contact"]["channels"] == [{"type": "phone", "number": "+1 713 555 0101", "label": None}]
    assert datetime.fromisoformat(task["due_at"]) == phone_world.clock.at + timedelta(minutes=10)
    assert NARRATIVE not in response.text and "passports" not in response.text
    assert "narrative" not in response.text and "reporter" not in response.text
    assert desk.state == "pending" and desk.activate_at is None  # the email waits for the call


async def test_unanswered_calls_keep_the_task_open_and_are_each_logged(phone_world: World) -> None:
    changes = Changes()
    app = build_app(phone_world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN), on_change=changes)
    [phone, _] = phone_world.steps()
    logged = [("no_answer", "sam", None), ("voicemail_left", "sam", "left the reference number"),
              ("callback_promised", "lee.k", "calls back before 17:00")]
    async with client_for(app) as client:
        for outcome, specialist, note in logged:
            phone_world.clock.advance(60)
            response = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                         json={"outcome": outcome, "specialist": specialist, "note": note})
            assert response.status_code == 201, response.text
            assert response.json() == {"status": "logged"}
            [task] = (await client.get("/api/v1/phone-tasks", headers=bearer())).json()["tasks"]
            assert task["task_id"] == phone.id  # still open
    assert phone_world.calls() == [(phone.id, outcome, who, note) for outcome, who, note in logged]
    assert changes.count == 3
    assert [s.state for s in phone_world.steps()] == ["delivered", "pending"]
    assert phone_world.lookup().state == "open"
    assert phone_world.outcomes() == [(0, "delivered", None), (0, "no_answer", None),
                                      (0, "voicemail_left", None), (0, "callback_promised", None)]
    assert phone_world.ledger.claim() == []  # nothing else is due while the window runs


async def test_a_reached_call_completes_the_lookup_and_later_steps_are_never_sent(phone_world: World) -> None:
    changes = Changes()
    app = build_app(phone_world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN), on_change=changes)
    [phone, _] = phone_world.steps()
    async with client_for(app) as client:
        first = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                  json={"outcome": "no_answer", "specialist": "sam"})
        reached = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                    json={"outcome": "reached", "specialist": "sam", "note": "Sgt. on duty"})
        assert (first.status_code, reached.status_code) == (201, 201)
        assert (await client.get("/api/v1/phone-tasks", headers=bearer())).json() == {"tasks": []}
    assert changes.count == 2
    assert [c[1] for c in phone_world.calls()] == ["no_answer", "reached"]
    lookup = phone_world.lookup()
    assert lookup.state == "completed" and lookup.closed_at == phone_world.clock.at
    phone_world.clock.advance(3 * 3600)  # far past the call's window and the email's
    assert phone_world.ledger.expire() == 0
    assert phone_world.ledger.claim() == []
    [phone_after, desk] = phone_world.steps()
    assert phone_after.state == "acknowledged"
    assert (desk.state, desk.activate_at, desk.attempts) == ("pending", None, 0)
    assert phone_world.outcomes() == [(0, "delivered", None), (0, "no_answer", None), (0, "reached", None),
                                      (None, "completed", None)]


async def test_an_unknown_task_or_a_bad_outcome_gets_a_clear_4xx(phone_world: World) -> None:
    changes = Changes()
    app = build_app(phone_world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN), on_change=changes)
    [phone, desk] = phone_world.steps()
    async with client_for(app) as client:
        unknown = await client.post("/api/v1/phone-tasks/987654/outcomes", headers=bearer(),
                                    json={"outcome": "reached", "specialist": "sam"})
        assert unknown.status_code == 404
        assert unknown.json() == {"detail": "no open phone task with this id"}
        pending = await client.post(f"/api/v1/phone-tasks/{desk.id}/outcomes", headers=bearer(),
                                    json={"outcome": "reached", "specialist": "sam"})
        assert pending.status_code == 404
        bad = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                json={"outcome": "hung_up", "specialist": "sam"})
        assert bad.status_code == 422
        [error] = bad.json()["detail"]
        assert error["loc"] == ["body", "outcome"]
        for allowed in ("reached", "no_answer", "voicemail_left", "callback_promised"):
            assert allowed in error["msg"]
        nobody = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                   json={"outcome": "reached", "specialist": "Sam Smith"})
        assert nobody.status_code == 422 and nobody.json()["detail"][0]["loc"] == ["body", "specialist"]
        long_note = await client.post(f"/api/v1/phone-tasks/{phone.id}/outcomes", headers=bearer(),
                                      json={"outcome": "no_answer", "specialist": "sam", "note": "x" * 501})
        assert long_note.status_code == 422
        not_a_number = await client.post("/api/v1/phone-tasks/first/outcomes", headers=bearer(),
                                          json={"outcome": "reached", "specialist": "sam"})
        assert not_a_number.status_code == 422
    assert phone_world.calls() == [] and changes.count == 0
    assert phone_world.lookup().state == "open"
    assert [s.state for s in phone_world.steps()] == ["delivered", "pending"]


async def test_an_outcome_for_a_written_step_is_refused(make_world: WorldFactory) -> None:
    world = make_world(("desk", email_to("desk@pd.example.gov"), "1h"), ("duty-phone", PHONE, "10m"))
    [claim] = world.ledger.claim()
    assert claim.channel == "email" and world.ledger.delivered(claim)
    app = build_app(world.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN))
    async with client_for(app) as client:
        response = await client.post(f"/api/v1/phone-tasks/{claim.step_id}/outcomes", headers=bearer(),
                                     json={"outcome": "reached", "specialist": "sam"})
        assert response.status_code == 404
        assert response.json() == {"detail": "no open phone task with this id"}
        assert (await client.get("/api/v1/phone-tasks", headers=bearer())).json() == {"tasks": []}
    assert world.calls() == []
    assert world.lookup().state == "open"
    assert [s.state for s in world.steps()] == ["delivered", "pending"]


# ---------------------------------------------------------------- acknowledgements


@pytest.fixture
def two_emails(make_world: WorldFactory) -> World:
    return make_world(("first", email_to("first@pd.example.gov"), "3s"),
                      ("second", email_to("second@so.example.gov"), "1m"))


def test_a_late_acknowledgement_completes_the_lookup_and_the_next_step_is_never_sent(
    two_emails: World,
) -> None:
    ledger, clock = two_emails.ledger, two_emails.clock
    [first] = ledger.claim()
    assert ledger.delivered(first)
    clock.advance(4)
    assert ledger.expire() == 1  # timed out: the second step is due now, not yet claimed
    [_, second] = two_emails.steps()
    assert (second.state, second.activate_at) == ("pending", clock.at)
    clock.advance(1)
    assert ledger.acknowledge(first.token) is AckResult.ACKNOWLEDGED
    assert ledger.claim() == []
    clock.advance(3600)
    assert ledger.expire() == 0 and ledger.claim() == []
    [first_after, second_after] = two_emails.steps()
    acknowledged_at = clock.at - timedelta(seconds=3600)
    assert (first_after.state, first_after.finished_at) == ("acknowledged", acknowledged_at)
    assert (second_after.state, second_after.attempts, second_after.sent_at) == ("pending", 0, None)
    assert two_emails.lookup().state == "completed"
    assert two_emails.outcomes() == [(0, "delivered", None), (0, "timed_out", None),
                                     (0, "acknowledged", None), (None, "completed", None)]
    assert ledger.acknowledge(first.token) is AckResult.ALREADY


def test_a_late_acknowledgement_after_the_next_step_went_out_completes_once(two_emails: World) -> None:
    ledger, clock = two_emails.ledger, two_emails.clock
    [first] = ledger.claim()
    ledger.delivered(first)
    clock.advance(4)
    ledger.expire()
    [second] = ledger.claim()
    assert second.step_index == 1 and ledger.delivered(second)
    assert ledger.acknowledge(first.token) is AckResult.ACKNOWLEDGED
    clock.advance(120)  # past the second step's window: the chain is done, it does not time out
    assert ledger.expire() == 0 and ledger.claim() == []
    assert ledger.acknowledge(second.token) is AckResult.ACKNOWLEDGED
    assert ledger.acknowledge(second.token) is AckResult.ALREADY
    assert ledger.acknowledge(first.token) is AckResult.ALREADY
    assert two_emails.outcomes() == [(0, "delivered", None), (0, "timed_out", None), (1, "delivered", None),
                                     (0, "acknowledged", None), (None, "completed", None),
                                     (1, "acknowledged", None)]


def test_an_unknown_or_unsent_token_acknowledges_nothing(two_emails: World) -> None:
    ledger = two_emails.ledger
    assert ledger.acknowledge("") is AckResult.UNKNOWN
    assert ledger.acknowledge("not-a-token") is AckResult.UNKNOWN
    # The second step's link, computed but never sent: no step holds its hash yet.
    unsent = AckTokens(ACK_SECRET).token(two_emails.report_id, 0, 1)
    assert ledger.acknowledge(unsent) is AckResult.UNKNOWN
    # Another secret's token for the very same step is not this ledger's.
    [first] = ledger.claim()
    forged = AckTokens(b"some-other-ack-secret").token(two_emails.report_id, 0, 0)
    assert forged != first.token and ledger.acknowledge(forged) is AckResult.UNKNOWN
    assert two_emails.lookup().state == "open" and two_emails.outcomes() == []


async def test_the_ack_link_shows_a_button_on_get_and_acknowledges_on_post(two_emails: World) -> None:
    changes = Changes()
    app = build_app(two_emails.ledger, specialist_token=SecretStr(SPECIALIST_TOKEN), on_change=changes)
    [claim] = two_emails.ledger.claim()
    two_emails.ledger.delivered(claim)
    async with client_for(app) as client:
        page = await client.get(f"/ack/{claim.token}")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert f'<form method="post" action="/ack/{claim.token}">' in page.text
        assert "I have received this report</button>" in page.text
        assert claim.reference_number in page.text and "Human Trafficking Hotline" in page.text
        assert "Not meant for you?" in page.text and "1-888-373-7888" in page.text
        assert (await client.get(f"/ack/{claim.token}")).status_code == 200  # a scanner following it twice
        assert [s.state for s in two_emails.steps()] == ["delivered", "pending"]
        assert changes.count == 0 and two_emails.outcomes() == [(0, "delivered", None)]

        done = await client.post(f"/ack/{claim.token}")
        assert done.status_code == 200 and "Thank you: the report is acknowledged." in done.text
        assert changes.count == 1
        again = await client.post(f"/ack/{claim.token}")
        assert again.status_code == 200 and "This report was already acknowledged" in again.text
        revisited = await client.get(f"/ack/{claim.token}")
        assert "This report was already acknowledged" in revisited.text and "<form" not in revisited.text
        unknown = await client.post("/ack/not-a-token")
        assert unknown.status_code == 404 and "This link is not valid" in unknown.text
        assert changes.count == 2  # the second POST told the others; the unknown link did not
    assert [s.state for s in two_emails.steps()] == ["acknowledged", "pending"]
    assert two_emails.outcomes() == [(0, "delivered", None), (0, "acknowledged", None),
                                     (None, "completed", None)]


# ---------------------------------------------------------------- retries, through real servers


@dataclass
class ScriptedMailbox:
    """An aiosmtpd handler answering DATA from ``replies`` in turn, then ``then``; keeps every message."""

    replies: list[str] = field(default_factory=list)
    then: str = "250 OK"
    quit_reply: str = "221 Bye"
    messages: list[tuple[list[str], email.message.EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, _class=email.message.EmailMessage,
                                           policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return self.replies.pop(0) if self.replies else self.then

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        return self.quit_reply


@pytest.fixture
def smtp() -> Iterator[tuple[ScriptedMailbox, int]]:
    mailbox, port = ScriptedMailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@dataclass
class ScriptedHook:
    """A webhook receiver answering with ``statuses`` in turn, then ``then``; keeps every request."""

    statuses: list[int] = field(default_factory=list)
    then: int = 204
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def hook() -> Iterator[tuple[ScriptedHook, str]]:
    receiver = ScriptedHook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.requests.append((dict(self.headers.items()), body))
            self.send_response(receiver.statuses.pop(0) if receiver.statuses else receiver.then)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield receiver, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0)) as client:
        yield client


def courier_for(world: World, client: httpx.AsyncClient, smtp_port: int = 9) -> Courier:
    return Courier(store=world.store, ledger=world.ledger, protocols=world.protocols,
                   email=SmtpSender("127.0.0.1", smtp_port, SENDER, timeout_s=5.0, security=PLAIN_TEXT),
                   webhooks=WebhookSender(client),
                   webhook_secrets={"unit": SecretStr(WEBHOOK_SECRET), "unit-two": SecretStr(WEBHOOK_SECRET)},
                   public_base_url="https://hotline.example.org/", retry_after=RETRY_AFTER)


async def test_a_4xx_smtp_reply_is_retried_after_the_delay_with_the_same_message_id(
    make_world: WorldFactory, smtp: tuple[ScriptedMailbox, int], http_client: httpx.AsyncClient,
) -> None:
    mailbox, port = smtp
    mailbox.replies = ["451 4.3.0 Try again later", "452 4.3.1 Insufficient system storage"]
    world = make_world(("first", email_to("first@pd.example.gov"), "1h"),
                       ("second", email_to("second@so.example.gov"), "1h"))
    courier = courier_for(world, http_client, port)

    await courier.tick()
    assert len(mailbox.messages) == 1
    [step, _] = world.steps()
    assert (step.state, step.attempts, step.reason) == ("sending", 1, None)
    assert step.lease_until == world.clock.at + RETRY_AFTER  # the retry delay, not the send lease

    await courier.tick()  # the delay has not passed: nothing is sent
    world.clock.advance(RETRY_AFTER.total_seconds() - 1)
    await courier.tick()
    assert len(mailbox.messages) == 1

    world.clock.advance(1)
    await courier.tick()  # the second attempt: 452, again temporary
    assert len(mailbox.messages) == 2
    world.clock.advance(RETRY_AFTER.total_seconds())
    await courier.tick()  # the third: accepted
    assert len(mailbox.messages) == 3
    [step, second] = world.steps()
    assert (step.state, step.attempts, step.lease_until) == ("delivered", 3, None)
    assert step.due_at == world.clock.at + timedelta(hours=1)
    assert (second.state, second.activate_at) == ("pending", None)

    expected_id = f"<{delivery_key(str(world.report_id), 0, 0)}@hotline.example.org>"
    assert [str(m["Message-ID"]).strip() for _, m in mailbox.messages] == [expected_id] * 3
    assert [to for to, _ in mailbox.messages] == [["first@pd.example.gov"]] * 3
    ack_link = f"https://hotline.example.org/ack/{AckTokens(ACK_SECRET).token(world.report_id, 0, 0)}"
    assert all(ack_link in m.get_content() for _, m in mailbox.messages)
    assert world.outcomes() == [(0, "delivered", None)]  # temporary failures are not outcomes

    world.clock.advance(600)
    await courier.tick()
    assert len(mailbox.messages) == 3  # delivered: never sent again


async def test_a_5xx_smtp_reply_fails_the_step_and_the_chain_moves_on(
    make_world: WorldFactory, smtp: tuple[ScriptedMailbox, int], http_client: httpx.AsyncClient,
) -> None:
    mailbox, port = smtp
    mailbox.replies = ["550 5.1.1 No such mailbox"]
    world = make_world(("first", email_to("gone@pd.example.gov"), "1h"),
                       ("second", email_to("second@so.example.gov"), "1h"))
    courier = courier_for(world, http_client, port)

    await courier.tick()
    [first, second] = world.steps()
    assert (first.state, first.reason, first.attempts, first.lease_until) == ("failed", "smtp_550", 1, None)
    assert (second.state, second.activate_at) == ("pending", world.clock.at)
    await courier.tick()
    world.clock.advance(3600 - 1)
    await courier.tick()
    assert [to for to, _ in mailbox.messages] == [["gone@pd.example.gov"], ["second@so.example.gov"]]
    assert [s.state for s in world.steps()] == ["failed", "delivered"]
    assert world.outcomes() == [(0, "failed", "smtp_550"), (1, "delivered", None)]
    assert world.lookup().state == "open"


@pytest.mark.parametrize("quit_reply", ["554 5.3.0 Closing", "421 4.3.0 Shutting down"])
async def test_a_message_accepted_before_a_bad_quit_reply_is_delivered_once(
    quit_reply: str, make_world: WorldFactory, smtp: tuple[ScriptedMailbox, int],
    http_client: httpx.AsyncClient,
) -> None:
    mailbox, port = smtp
    mailbox.quit_reply = quit_reply  # DATA is answered 250: the contact's server took the message
    world = make_world(("first", email_to("first@pd.example.gov"), "1h"),
                       ("second", email_to("second@so.example.gov"), "1h"))
    courier = courier_for(world, http_client, port)
    await courier.tick()
    world.clock.advance(RETRY_AFTER.total_seconds())
    await courier.tick()
    assert [to for to, _ in mailbox.messages] == [["first@pd.example.gov"]]
    assert [s.state for s in world.steps()] == ["delivered", "pending"]
    assert world.outcomes() == [(0, "delivered", None)]


async def test_transient_failures_end_in_attempts_exhausted_and_the_chain_moves_on(
    make_world: WorldFactory, smtp: tuple[ScriptedMailbox, int], http_client: httpx.AsyncClient,
) -> None:
    mailbox, port = smtp
    mailbox.then = "421 4.7.0 Try again later"
    world = make_world(("first", email_to("first@pd.example.gov"), "1h"),
                       ("second", email_to("second@so.example.gov"), "1h"), max_attempts=3)
    courier = courier_for(world, http_client, port)

    for _ in range(3):
        await courier.tick()
        world.clock.advance(RETRY_AFTER.total_seconds())
    [first, second] = world.steps()
    assert (first.state, first.attempts, second.state) == ("sending", 3, "pending")
    await courier.tick()  # a fourth claim: no fourth send, the step fails; the second goes out
    [first, second] = world.steps()
    assert (first.state, first.reason, first.attempts) == ("failed", "attempts_exhausted", 3)
    assert (second.state, second.attempts) == ("sending", 1)
    assert [to for to, _ in mailbox.messages] == [["first@pd.example.gov"]] * 3 + [["second@so.example.gov"]]
    assert world.outcomes() == [(0, "failed", "attempts_exhausted")]


async def test_a_last_step_exhausting_its_attempts_exhausts_the_lookup_and_escalates(
    make_world: WorldFactory, smtp: tuple[ScriptedMailbox, int], http_client: httpx.AsyncClient,
) -> None:
    mailbox, port = smtp
    mailbox.then = "451 4.3.0 Try again later"
    world = make_world(("only", email_to("only@pd.example.gov"), "1h"), max_attempts=2)
    courier = courier_for(world, http_client, port)
    for _ in range(3):
        await courier.tick()
        world.clock.advance(RETRY_AFTER.total_seconds())
    assert len(mailbox.messages) == 2
    assert world.lookup().state == "exhausted"
    assert world.outcomes() == [(0, "failed", "attempts_exhausted"), (None, "exhausted", "chain_exhausted")]
    with world.db.read() as session:
        topics = [r.topic for r in session.scalars(select(OutboxRecord).order_by(OutboxRecord.id))]
    assert topics[-1] == "ops.events"
    # A message that did get through (the 4xx came after the data, say) can still be acknowledged.
    body = mailbox.messages[0][1].get_body(("plain",))
    assert body is not None
    token = re.search(r"/ack/([A-Za-z0-9_-]+)", body.get_content())
    assert token is not None and world.ledger.acknowledge(token.group(1)) is AckResult.ACKNOWLEDGED


@pytest.mark.parametrize("temporary", [503, 429])
async def test_a_temporary_webhook_failure_is_retried_with_the_same_idempotency_key(
    temporary: int, make_world: WorldFactory, hook: tuple[ScriptedHook, str], http_client: httpx.AsyncClient,
) -> None:
    receiver, url = hook
    receiver.statuses = [temporary]
    world = make_world(("unit", webhook_to(url), "1h"), ("second", email_to("second@so.example.gov"), "1h"))
    courier = courier_for(world, http_client)

    await courier.tick()
    [step, _] = world.steps()
    assert (step.state, step.attempts, step.lease_until) == ("sending", 1, world.clock.at + RETRY_AFTER)
    world.clock.advance(RETRY_AFTER.total_seconds() - 1)
    await courier.tick()
    assert len(receiver.requests) == 1
    world.clock.advance(1)
    await courier.tick()
    assert len(receiver.requests) == 2
    [step, second] = world.steps()
    assert (step.state, step.attempts, second.state) == ("delivered", 2, "pending")

    key = delivery_key(str(world.report_id), 0, 0)
    assert [headers["Idempotency-Key"] for headers, _ in receiver.requests] == [key, key]
    [(_, first_body), (_, second_body)] = receiver.requests
    assert first_body == second_body  # the same document, the same acknowledgement link
    for headers, body in receiver.requests:
        assert verify(WEBHOOK_SECRET.encode(), headers, body, now=time.time())
    assert world.outcomes() == [(0, "delivered", None)]


# ---------------------------------------------------------------- contact details go with their safety


SHARING = Reporter(anonymous=False, consent_to_contact=True, consent_to_share=True,
                   contact=ContactDetails(name="Rosa Example", phone="+1 555 0100"),
                   safe_contact=SafeContact(safe_times="weekdays after 6pm", voicemail_ok=False, text_ok=True,
                                            instructions="Hang up if a man answers.",
                                            time_zone="America/Chicago"))


async def test_shared_contact_details_reach_law_enforcement_with_the_safe_contact_instructions(
    make_world: WorldFactory, smtp: tuple[ScriptedMailbox, int], hook: tuple[ScriptedHook, str],
    http_client: httpx.AsyncClient,
) -> None:
    mailbox, port = smtp
    receiver, url = hook
    world = make_world(("first", email_to("first@pd.example.gov"), "1s"), ("unit", webhook_to(url), "1h"),
                       reporter=SHARING)
    courier = courier_for(world, http_client, port)
    await courier.tick()
    world.clock.advance(2)  # the email is not acknowledged: the chain moves on to the webhook
    await courier.tick()

    [(_, message)] = mailbox.messages
    body = message.get_content()
    for line in ("Phone: +1 555 0100",
                 "Safe times: weekdays after 6pm (in the reporter's words; their time zone: America/Chicago)",
                 "Voicemail: NOT safe - do not leave one", "Text messages: safe",
                 "Instructions: Hang up if a man answers."):
        assert line in body, line
    assert body.index("Phone: +1 555 0100") < body.index("Safe times:")

    [(_, sent)] = receiver.requests
    reporter = json.loads(sent)["reporter"]
    assert reporter["contact"]["phone"] == "+1 555 0100"
    assert reporter["safe_contact"] == {"safe_times": "weekdays after 6pm", "voicemail_ok": False,
                                        "text_ok": True, "instructions": "Hang up if a man answers.",
                                        "time_zone": "America/Chicago"}


async def test_contact_details_shared_without_preferences_say_voicemail_and_texts_are_not_safe(
    make_world: WorldFactory, smtp: tuple[ScriptedMailbox, int], http_client: httpx.AsyncClient,
) -> None:
    mailbox, port = smtp
    reporter = SHARING.model_copy(update={"safe_contact": None})
    world = make_world(("first", email_to("first@pd.example.gov"), "1h"), reporter=reporter)
    await courier_for(world, http_client, port).tick()
    [(_, message)] = mailbox.messages
    body = message.get_content()
    assert "Safe times: none given (in the reporter's words)" in body
    assert "Voicemail: NOT safe" in body and "Text messages: NOT safe" in body


@pytest.mark.parametrize("refusal", [404, 410])
async def test_a_webhook_4xx_is_refused_and_the_chain_moves_on(
    refusal: int, make_world: WorldFactory, hook: tuple[ScriptedHook, str], http_client: httpx.AsyncClient,
) -> None:
    receiver, url = hook
    receiver.statuses = [refusal]
    world = make_world(("unit", webhook_to(url + "/old"), "1h"), ("unit-two", webhook_to(url), "1h"))
    courier = courier_for(world, http_client)

    await courier.tick()
    [first, second] = world.steps()
    assert (first.state, first.reason) == ("failed", f"webhook_{refusal}")
    assert (second.state, second.activate_at) == ("pending", world.clock.at)
    await courier.tick()
    world.clock.advance(RETRY_AFTER.total_seconds() * 10)
    await courier.tick()
    assert [headers["Idempotency-Key"] for headers, _ in receiver.requests] == [
        delivery_key(str(world.report_id), 0, 0), delivery_key(str(world.report_id), 0, 1)]
    assert [s.state for s in world.steps()] == ["failed", "delivered"]
    assert world.outcomes() == [(0, "failed", f"webhook_{refusal}"), (1, "delivered", None)]


async def test_a_refused_channel_falls_back_to_the_contacts_next_channel_in_the_same_step(
    make_world: WorldFactory, hook: tuple[ScriptedHook, str], smtp: tuple[ScriptedMailbox, int],
    http_client: httpx.AsyncClient,
) -> None:
    receiver, url = hook
    mailbox, port = smtp
    receiver.statuses = [404]
    world = make_world(("unit", f"{webhook_to(url)}, {email_to('unit@tf.example.gov')}", "1h"),
                       ("unit-two", webhook_to(url), "1h"))
    courier = courier_for(world, http_client, port)
    await courier.tick()  # the webhook refuses for good; the same step is due again, by email
    [first, second] = world.steps()
    assert (first.channel, first.state, first.attempts, second.state) == ("email", "pending", 0, "pending")
    await courier.tick()
    [first, second] = world.steps()
    assert (first.channel, first.state, second.activate_at) == ("email", "delivered", None)
    assert [to for to, _ in mailbox.messages] == [["unit@tf.example.gov"]]
    assert world.outcomes() == [(0, "failed", "webhook_404"), (0, "delivered", None)]


async def test_a_webhook_contact_without_a_secret_is_refused_without_a_request(
    make_world: WorldFactory, hook: tuple[ScriptedHook, str], http_client: httpx.AsyncClient,
) -> None:
    receiver, url = hook
    world = make_world(("unsigned", webhook_to(url), "1h"))
    await courier_for(world, http_client).tick()
    assert receiver.requests == []
    [step] = world.steps()
    assert (step.state, step.reason) == ("failed", "no_webhook_secret")
    assert world.lookup().state == "exhausted"


# ---------------------------------------------------------------- the schema


def test_the_ledger_migrations_build_exactly_the_models_and_go_down_again(tmp_path: Path) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from services.reporting.models import Base

    url = f"sqlite:///{tmp_path / 'schema.sqlite3'}"
    migrate(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            assert set(inspect(connection).get_table_names()) == {*Base.metadata.tables, "alembic_version"}
        command.downgrade(alembic_config(url), "base")
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == ["alembic_version"]
        migrate(url)
        migrate(url)  # idempotent
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()
