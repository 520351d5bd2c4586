"""Delivery through the courier to real relays on loopback: retries, refusals, shared contact details.

aiosmtpd takes email and a small HTTP server takes webhooks, each answering from a script (a
temporary failure, a refusal). The ledger's clock is the test's, so retry delays pass without sleeping.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from sqlalchemy import select

from contracts.events import ContactDetails, Reporter, SafeContact
from deploy.ports import free_port
from services.reporting.channels import SmtpSecurity, SmtpSender, WebhookSender, delivery_key
from services.reporting.courier import Courier
from services.reporting.ledger import AckResult
from services.reporting.models import OutboxRecord
from services.reporting.signing import verify
from services.reporting.tokens import AckTokens
from tests.reporting_world import ACK_SECRET, World, WorldFactory, email_to, webhook_to

WEBHOOK_SECRET = "unit-webhook-secret"
RETRY_AFTER = timedelta(seconds=15)
SENDER = "reports@hotline.example.org"
# The scripted relay is plain aiosmtpd on loopback, as in dev (TLS: test_reporting_smtp_tls.py).
PLAIN_TEXT = SmtpSecurity(starttls=False)


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
