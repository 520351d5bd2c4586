"""The skeleton web endpoint: answers with a reference number only once the tip is published."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from contracts import Topic
from contracts.events import Answer, SignalReceived
from intake_webform.reference_numbers import ALPHABET, is_valid, reference_for
from intake_webform.source import HOTLINE_NUMBER, build_app
from services.runtime import BrokerUnavailable, InMemoryPublisher

pytestmark = pytest.mark.unit

SECRET = b"test-secret"


@pytest.fixture
async def publisher() -> AsyncIterator[InMemoryPublisher]:
    memory = InMemoryPublisher()
    await memory.start()
    return memory


@pytest.fixture
async def client(publisher: InMemoryPublisher) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(publisher=publisher, now=lambda: datetime(2026, 3, 16, 14, 0, tzinfo=UTC),
                    reference_secret=SECRET)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://form") as c:
        yield c


async def test_a_tip_is_published_and_answered_with_its_reference(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    response = await client.post("/api/v1/tips", json={
        "narrative": "Workers sleep in the shed behind the nail salon.", "state": "TX",
        "city": "Dallas", "danger_now": "no", "victims": [{"age": 17}]})
    assert response.status_code == 202
    reference = response.json()["reference_number"]
    assert is_valid(reference)
    [decoded] = publisher.decoded(Topic.SIGNALS_RECEIVED)
    event = decoded.event
    assert isinstance(event, SignalReceived)
    assert event.reference_number == reference
    assert event.facts.danger_now is Answer.NO
    assert event.facts.victims[0].age == 17


async def test_idempotency_key_gives_the_same_signal_and_reference(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    body = {"narrative": "Same tip, sent twice by a flaky connection."}
    first = await client.post("/api/v1/tips", json=body, headers={"Idempotency-Key": "abc-123"})
    second = await client.post("/api/v1/tips", json=body, headers={"Idempotency-Key": "abc-123"})
    assert first.json()["reference_number"] == second.json()["reference_number"]
    ids = {d.envelope.id for d in publisher.decoded(Topic.SIGNALS_RECEIVED)}
    assert len(ids) == 1


async def test_invalid_input_is_a_4xx_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/tips", json={"narrative": "", "state": "Texas"})
    assert response.status_code == 422
    fields = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert ("body", "narrative") in fields and ("body", "state") in fields
    unknown = await client.post("/api/v1/tips", json={"narrative": "x", "ip": "192.0.2.1"})
    assert unknown.status_code == 422


async def test_broker_down_is_503_with_the_hotline_number(
    client: httpx.AsyncClient, publisher: InMemoryPublisher
) -> None:
    publisher.fail_next(BrokerUnavailable("down"))
    response = await client.post("/api/v1/tips", json={"narrative": "Please help."})
    assert response.status_code == 503
    assert HOTLINE_NUMBER in response.json()["detail"]
    assert publisher.records(Topic.SIGNALS_RECEIVED) == []


def test_reference_numbers_are_speakable_and_checked() -> None:
    reference = reference_for("some-signal-id", SECRET)
    assert reference == reference_for("some-signal-id", SECRET)
    assert reference != reference_for("some-signal-id", b"another secret")
    assert all(c in ALPHABET for c in reference.replace("HT-", "").replace("-", ""))
    assert is_valid(reference.lower())
    # Every single-character substitution is caught by the check character.
    body_positions = [i for i, c in enumerate(reference) if i >= 3 and c != "-"]
    for i in body_positions:
        for c in ALPHABET:
            if c != reference[i]:
                assert not is_valid(reference[:i] + c + reference[i + 1:])
