"""Supervisors' replies at the SMS intake: sent only where texts are safe, never naming the hotline
unless the texter did, once at most; and the Twilio sender's requests, on a mock of the API."""

from __future__ import annotations

import uuid

import httpx
import pytest

from contracts import CODEC, Topic
from contracts.events import ReplyOutcome, ReplyRequested
from intake_sms.metrics import SmsMetrics
from intake_sms.outbound import RecordingSender, SendFailed, SentText, TwilioSender
from intake_sms.replies import ReplyDesk
from services.runtime import InMemoryPublisher, Message, RetriableError
from services.runtime.errors import BrokerUnavailable
from services.runtime.phone_numbers import caller_key
from tests.sms_support import NAMES, PUBLIC, SECRET, T0, Sms, params, signature

pytestmark = pytest.mark.unit
NUMBER = "+12145550123"


async def texted(sms: Sms, *bodies: str) -> str:
    """The texter's key, after they sent ``bodies``."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sms.app), base_url=PUBLIC) as client:
        for body in bodies:
            form = params(body, sender=NUMBER)
            response = await client.post("/twilio/messaging", data=form,
                                         headers=signature("/twilio/messaging", form))
            assert response.status_code == 200
            sms.clock.advance(minutes=1)
    await sms.intake.wait_answers()
    return caller_key(NUMBER, SECRET)


def request(recipient: str, body: str = "We got your messages. Are you safe to talk?",
            reply_id: uuid.UUID | None = None) -> Message:
    event = ReplyRequested(reply_id=reply_id or uuid.uuid4(), case_id=uuid.uuid4(), signal_id=uuid.uuid4(),
                           reference_number="HT-ABCD-EFGH1", recipient_key=recipient, body=body,
                           requested_by_role="supervisor", requested_at=T0)
    record = CODEC.encode(event, source="/hotline/review")
    decoded = CODEC.decode(record.value, record.headers)
    return Message(topic=Topic.REPLIES_REQUESTED, partition=0, offset=0, envelope=decoded.envelope,
                   event=decoded.event, headers=record.headers)


def desk(sms: Sms, publisher: InMemoryPublisher, texts: RecordingSender | None = None) -> ReplyDesk:
    return ReplyDesk(store=sms.store, texts=texts or sms.texts, publisher=publisher, hotline_names=NAMES,
                     now=sms.clock, metrics=SmsMetrics())


def outcomes(publisher: InMemoryPublisher) -> list[ReplyOutcome]:
    found = [d.event for d in publisher.decoded(Topic.REPLIES_OUTCOMES)]
    assert all(isinstance(e, ReplyOutcome) for e in found)
    return found  # type: ignore[return-value]


async def test_a_reply_to_a_texter_who_opted_in_is_sent_once(sms: Sms, publisher: InMemoryPublisher) -> None:
    key = await texted(sms, "START", "they took my phone but i have this one")
    sms.texts.sent.clear()
    message = request(key)
    await desk(sms, publisher).handle(message)
    await desk(sms, publisher).handle(message)  # redelivered: the same outcome, nothing sent again
    assert sms.texts.sent == [(NUMBER, "We got your messages. Are you safe to talk?")]
    first, again = outcomes(publisher)
    assert first.kind.value == "sent" and first.event_id() == again.event_id()


async def test_no_reply_unless_texts_are_safe_for_the_texter(sms: Sms, publisher: InMemoryPublisher) -> None:
    key = await texted(sms, "please help")
    await desk(sms, publisher).handle(request(key))
    await desk(sms, publisher).handle(request("f" * 32))
    assert sms.texts.sent == []
    assert sorted((o.kind.value, o.reason or "") for o in outcomes(publisher)) == [
        ("refused", "texts_not_safe"), ("refused", "unknown_recipient")]


async def test_no_reply_after_stop(sms: Sms, publisher: InMemoryPublisher) -> None:
    key = await texted(sms, "START", "STOP")
    sms.texts.sent.clear()
    await desk(sms, publisher).handle(request(key))
    assert sms.texts.sent == []
    assert [(o.kind.value, o.reason) for o in outcomes(publisher)] == [("refused", "opted_out")]


async def test_a_reply_names_the_hotline_only_if_the_texter_did(
    sms: Sms, publisher: InMemoryPublisher
) -> None:
    key = await texted(sms, "START", "is this the hotline? i need help")
    sms.texts.sent.clear()
    naming = "This is the national human trafficking  HOTLINE. Are you safe?"
    await desk(sms, publisher).handle(request(key, naming))
    assert sms.texts.sent == []
    await texted(sms, "i saw the trafficking hotline number on a poster")
    sms.texts.sent.clear()
    await desk(sms, publisher).handle(request(key, "Yes, the Trafficking Hotline got your message."))
    assert [body for _, body in sms.texts.sent] == ["Yes, the Trafficking Hotline got your message."]
    assert sorted((o.kind.value, o.reason or "") for o in outcomes(publisher)) == [
        ("refused", "names_hotline"), ("sent", "")]


async def test_a_reply_interrupted_mid_send_is_reported_and_never_sent_again(
    sms: Sms, publisher: InMemoryPublisher
) -> None:
    key = await texted(sms, "START")
    sms.texts.sent.clear()
    message = request(key)
    assert isinstance(message.event, ReplyRequested)
    sms.store.set_reply_state(message.event.reply_id, "sending", reason=None, at=sms.clock())
    await desk(sms, publisher).handle(message)
    assert sms.texts.sent == []
    assert [(o.kind.value, o.reason) for o in outcomes(publisher)] == [("interrupted", "interrupted")]


async def test_a_provider_failure_is_the_outcome_and_a_lost_outcome_is_retried_without_resending(
    sms: Sms, publisher: InMemoryPublisher
) -> None:
    class Refusing(RecordingSender):
        async def send(self, to: str, body: str) -> SentText:
            raise SendFailed("provider_refused", 400)

    key = await texted(sms, "START")
    await desk(sms, publisher, Refusing()).handle(request(key))
    assert [(o.kind.value, o.reason) for o in outcomes(publisher)] == [("failed", "provider_refused")]
    sms.texts.sent.clear()
    message = request(key)
    publisher.fail_next(BrokerUnavailable("down"))
    with pytest.raises(RetriableError):
        await desk(sms, publisher).handle(message)
    await desk(sms, publisher).handle(message)
    assert len(sms.texts.sent) == 1
    assert sorted(o.kind.value for o in outcomes(publisher)) == ["failed", "sent"]


# ---------------------------------------------------------------- Twilio's Messages API


async def test_the_twilio_sender_posts_to_the_messages_api() -> None:
    seen: list[httpx.Request] = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if b"To=%2B15555550100" in request.content:
            return httpx.Response(400, json={"code": 21211})
        if b"To=%2B15555550101" in request.content:
            return httpx.Response(503)
        return httpx.Response(201, json={"sid": "SM" + "a" * 32})

    async with httpx.AsyncClient(transport=httpx.MockTransport(api)) as client:
        sender = TwilioSender(client, account_sid="AC" + "1" * 32, auth_token="tok", sender="233733")
        sent = await sender.send(NUMBER, "hello")
        with pytest.raises(SendFailed, match="provider_refused"):
            await sender.send("+15555550100", "hello")
        with pytest.raises(SendFailed, match="provider_unavailable"):
            await sender.send("+15555550101", "hello")
    assert sent.provider_id == "SM" + "a" * 32
    first = seen[0]
    assert str(first.url) == f"https://api.twilio.com/2010-04-01/Accounts/AC{'1' * 32}/Messages.json"
    assert first.headers["authorization"].startswith("Basic ")
    form = dict(httpx.QueryParams(first.content.decode()))
    assert form == {"To": NUMBER, "Body": "hello", "From": "233733"}
