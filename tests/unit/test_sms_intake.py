"""The SMS intake in-process: signed webhooks, conversations, carrier keywords, MMS media, durability."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from contracts import Topic
from contracts.events import SignalReceived
from intake_sms.wording import hotline_names_in, keyword_of
from services.runtime import BrokerUnavailable, InMemoryPublisher
from tests.sms_support import (
    PUBLIC,
    Sms,
    build_sms,
    media_url,
    message_sid,
    params,
    signature,
)

pytestmark = pytest.mark.unit
PATH = "/twilio/messaging"
NUMBER = "+12145550123"


@pytest.fixture
async def client(sms: Sms) -> AsyncIterator[httpx.AsyncClient]:
    # The app sees a private address, as behind a proxy: validation must use the public URL.
    transport = httpx.ASGITransport(app=sms.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://10.0.0.9:8086") as c:
        yield c


async def text(client: httpx.AsyncClient, form: dict[str, str]) -> httpx.Response:
    return await client.post(PATH, data=form, headers=signature(PATH, form))


def signals(publisher: InMemoryPublisher) -> list[SignalReceived]:
    """In the order they were taken in (the topic keeps order per signal only)."""
    found = [d.event for d in publisher.decoded(Topic.SIGNALS_RECEIVED)]
    assert all(isinstance(e, SignalReceived) and e.source.kind == "sms" for e in found)
    return sorted(found, key=lambda s: (s.received_at, s.source.sequence))  # type: ignore[union-attr]


# ---------------------------------------------------------------- the webhook


async def test_a_signed_text_is_published_with_a_keyed_sender_and_no_number(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, sms: Sms
) -> None:
    response = await text(client, params("they took my passport, im at the farm on route 9"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml") and "<Message>" not in response.text
    [signal] = signals(publisher)
    assert signal.channel.value == "sms" and signal.source.kind == "sms"
    assert signal.source.sender_key and signal.source.sender_region_hint == "US-TX"
    assert signal.source.sequence == 1 and signal.source.conversation_id == signal.signal_id
    assert signal.related is None and signal.narrative.startswith("they took my passport")
    assert signal.reporter.anonymous and signal.reporter.contact is None
    assert signal.reporter.safe_contact is not None and not signal.reporter.safe_contact.text_ok
    raw = b"".join(r.record.value + b"".join(v for _, v in r.record.headers)
                   for r in publisher.records(Topic.SIGNALS_RECEIVED))
    assert b"5550123" not in raw
    assert sms.texts.sent == []  # nobody is answered who did not ask to be


async def test_an_unsigned_or_tampered_webhook_is_refused_and_publishes_nothing(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    form = params("hello")
    assert (await client.post(PATH, data=form)).status_code == 403
    tampered = {**form, "Body": "something else"}
    assert (await client.post(PATH, data=tampered, headers=signature(PATH, form))).status_code == 403
    other_token = signature(PATH, form, token="not-the-account-token")
    assert (await client.post(PATH, data=form, headers=other_token)).status_code == 403
    # Signed for another URL (the Host header this process sees): refused too.
    local = {"X-Twilio-Signature": signature(PATH, form)["X-Twilio-Signature"]}
    assert (await client.post(PATH + "?x=1", data=form, headers=local)).status_code == 403
    assert signals(publisher) == []


async def test_a_signed_webhook_without_a_message_sid_is_a_bad_request(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    form = {k: v for k, v in params("hi").items() if k not in ("MessageSid", "SmsMessageSid")}
    response = await text(client, form)
    assert response.status_code == 400 and "MessageSid" in response.json()["message"]
    assert signals(publisher) == []


# ---------------------------------------------------------------- conversations


async def test_three_texts_in_the_window_are_one_conversation_and_a_later_one_opens_another(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, sms: Sms
) -> None:
    for body in ("help me please", "they lock the door at night", "im 16"):
        assert (await text(client, params(body))).status_code == 200
        sms.clock.advance(hours=3)
    assert (await text(client, params("who is this", sender="+13055550144"))).status_code == 200
    sms.clock.advance(hours=25)
    assert (await text(client, params("its me again, im out now"))).status_code == 200
    first, second, third, stranger, later = signals(publisher)
    assert [s.source.sequence for s in (first, second, third)] == [1, 2, 3]  # type: ignore[union-attr]
    for follow_up in (second, third):
        assert follow_up.related is not None and follow_up.related.relation == "follow_up"
        assert follow_up.related.signal_id == first.signal_id
        assert follow_up.related.reference_number == first.reference_number
        assert follow_up.source.conversation_id == first.signal_id  # type: ignore[union-attr]
    assert stranger.related is None and stranger.source.sender_key != first.source.sender_key  # type: ignore[union-attr]
    assert later.related is None and later.source.conversation_id == later.signal_id  # type: ignore[union-attr]
    assert later.source.sender_key == first.source.sender_key  # type: ignore[union-attr]


async def test_a_webhook_sent_again_is_the_same_signal_in_the_same_place(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, sms: Sms
) -> None:
    await text(client, params("first"))
    again = params("HELP", sid=message_sid())
    await text(client, again)
    sms.clock.advance(minutes=5)
    await text(client, again)
    await sms.intake.wait_answers()
    _first, two, three = signals(publisher)
    assert two.signal_id == three.signal_id and two.related == three.related
    assert two.source.sequence == three.source.sequence == 2  # type: ignore[union-attr]
    assert len(sms.texts.sent) == 1  # the HELP answer, once


async def test_the_conversation_survives_a_restart(tmp_path: Path, publisher: InMemoryPublisher) -> None:
    before = build_sms(tmp_path / "a", publisher, store_path=tmp_path / "state.sqlite3")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=before.app), base_url=PUBLIC) as c:
        await text(c, params("first text"))
    before.close()
    after = build_sms(tmp_path / "b", publisher, store_path=tmp_path / "state.sqlite3", clock=before.clock)
    after.clock.advance(minutes=10)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=after.app), base_url=PUBLIC) as c:
        await text(c, params("second text, after a restart"))
    after.close()
    first, second = signals(publisher)
    assert second.related is not None and second.related.signal_id == first.signal_id


# ---------------------------------------------------------------- keywords and opting in


def test_keywords_are_whole_messages_and_names_whole_words() -> None:
    assert [keyword_of(b) for b in ("STOP", " stop. ", "Unsubscribe", "help!", "Yes", "info")] == [
        "stop", "stop", "stop", "help", "start", "help"]
    assert [keyword_of(b) for b in ("stop it", "help me", "yes please", "")] == [None, None, None, None]
    names = ("National Human Trafficking Hotline", "Trafficking Hotline")
    assert hotline_names_in("is this the national human-trafficking\nhotline?", names) == set(names)
    assert hotline_names_in("Trafficking hotlines are everywhere", names) == set()


async def test_carrier_keywords_are_answered_and_nothing_else_is(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, sms: Sms
) -> None:
    for body in ("I need help", "HELP", " stop. ", "are you there?"):
        await text(client, params(body))
    await sms.intake.wait_answers()
    help_text, stop_text = (body for _, body in sms.texts.sent)
    assert [to for to, _ in sms.texts.sent] == [NUMBER, NUMBER]
    assert "STOP" in help_text and "911" in help_text and "STOP" not in stop_text.split(".")[0]
    keywords = [s.source.keyword for s in signals(publisher)]  # type: ignore[union-attr]
    assert keywords == [None, "help", "stop", None]  # every text is a signal, keywords too


async def test_a_texter_who_opted_in_is_acknowledged_once_per_conversation(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, sms: Sms
) -> None:
    await text(client, params("START"))
    sms.clock.advance(hours=30)
    await text(client, params("the boss is back"))
    await text(client, params("he has a gun"))
    await sms.intake.wait_answers()
    start, acknowledge = (body for _, body in sms.texts.sent)
    opened = signals(publisher)[1]
    assert "STOP" in start and opened.reference_number in acknowledge
    assert all(s.reporter.safe_contact and s.reporter.safe_contact.text_ok for s in signals(publisher))
    assert all(s.reporter.consent_to_contact for s in signals(publisher))


async def test_automatic_texts_never_name_the_hotline() -> None:
    from intake_sms.config import SmsSettings

    with pytest.raises(ValueError, match="names the hotline"):
        SmsSettings(reply_help="The National Human Trafficking Hotline reads every message.")
    with pytest.raises(ValueError, match="reference"):
        SmsSettings(reply_acknowledge="Received.")
    assert SmsSettings().sms_sender == "record"
    with pytest.raises(ValueError, match="Twilio"):
        SmsSettings(environment="production", reference_secret="x" * 40, twilio_auth_token="t" * 32,
                    kafka_security_protocol="SSL", replication_factor=3,
                    blob_keys='{"k": "' + "a" * 43 + '="}')


# ---------------------------------------------------------------- media


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "Someone's Name"  # Artist
    exif.get_ifd(0x8825)[2] = (29.0, 45.0, 0.0)  # GPSLatitude
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


async def test_mms_media_are_fetched_with_credentials_scrubbed_and_stored_and_the_rest_explained(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, sms: Sms
) -> None:
    photo = _jpeg_with_gps()
    sms.media[media_url(1)] = (200, photo)
    sms.media[media_url(2)] = (200, b"GIF89a" + b"\x00" * 64)
    form = params("this is the house", media=((media_url(1), "image/jpeg"), (media_url(2), "image/gif"),
                                               (media_url(3), "image/png"),
                                               ("https://evil.example.org/x.jpg", "image/jpeg")))
    assert (await text(client, form)).status_code == 200
    [signal] = signals(publisher)
    assert signal.source.kind == "sms"
    stored, gif, missing, elsewhere = signal.source.media
    assert stored.outcome == "stored" and stored.media_sid == f"ME{1:032x}"
    assert (gif.outcome, gif.reason) == ("refused", "unsupported_type")
    assert (missing.outcome, missing.reason) == ("unavailable", "http_404")
    assert (elsewhere.outcome, elsewhere.reason) == ("unavailable", "host_not_allowed")
    [attachment] = signal.attachments
    assert attachment.sha256 == stored.sha256 and attachment.media_type == "image/jpeg"
    kept = sms.blobs.get(attachment.sha256)
    assert kept != photo and b"Someone's Name" not in kept
    with Image.open(io.BytesIO(kept)) as image:
        assert not image.getexif().get_ifd(0x8825)
    # Twilio's account credentials went to Twilio's host, and only there.
    assert {r.url.host for r in sms.media_requests} == {"api.twilio.com"}
    assert all(r.headers["authorization"].startswith("Basic ") for r in sms.media_requests)


# ---------------------------------------------------------------- durability


async def test_a_text_taken_while_the_broker_is_away_is_spooled_and_answered(
    client: httpx.AsyncClient, publisher: InMemoryPublisher, sms: Sms
) -> None:
    publisher.fail_next(BrokerUnavailable("down"))
    response = await text(client, params("please someone answer"))
    assert response.status_code == 200
    assert len(sms.spool) == 1 and signals(publisher) == []
    spooled = sms.spool.oldest()
    assert spooled is not None and json.loads(spooled.record.value)["channel"] == "sms"
