"""Triage's correlation window lives on ``entities.sighted``: a worker started later reads it back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from contracts import Topic
from contracts.events import EntitiesSighted, EntityKind, SightedEntity
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from tests.conftest import wait_for
from triage.config import TriageSettings
from triage.correlation import CorrelationStore
from triage.sightings import Sightings

pytestmark = pytest.mark.kafka

PHONE_KEY = "3f9a1c2b4d5e6f708192a3b4c5d6e7f8"


def _sighted(key: str, at: datetime) -> EntitiesSighted:
    return EntitiesSighted(signal_id=uuid.uuid4(), received_at=at,
                           entities=[SightedEntity(key=key, kind=EntityKind.PHONE)])


async def test_a_new_worker_links_to_what_others_saw_before_and_after_it_started(
    topics: RuntimeSettings,
) -> None:
    settings = TriageSettings(kafka_bootstrap=topics.kafka_bootstrap, topic_prefix=topics.topic_prefix,
                              environment="test", kafka_request_timeout_ms=15_000,
                              entity_key_secret=SecretStr("integration-test-entity-key-secret"))
    now = datetime.now(UTC)
    earlier = _sighted(PHONE_KEY, now - timedelta(hours=1))
    async with KafkaPublisher(topics, source="/hotline/triage", metrics=RuntimeMetrics("t")) as publisher:
        await publisher.publish(Topic.ENTITIES_SIGHTED, earlier)
        await publisher.publish(Topic.ENTITIES_SIGHTED, earlier)  # a redelivered signal: held once

        store = CorrelationStore(window=timedelta(days=30))
        sightings = Sightings(settings, store, RuntimeMetrics("t"), client_id="t.sightings",
                              now=lambda: datetime.now(UTC))
        stop = asyncio.Event()
        assert await sightings.load(timeout_s=60)
        assert sightings.applied == 2
        following = asyncio.create_task(sightings.follow(stop))
        try:
            later = _sighted(PHONE_KEY, now)  # published by another worker while this one runs
            await publisher.publish(Topic.ENTITIES_SIGHTED, later)
            await wait_for(lambda: sightings.applied == 3, timeout=30, what="the later sighting followed")
            links = store.link(uuid.uuid4(), now + timedelta(minutes=1), [(PHONE_KEY, EntityKind.PHONE)])
            assert {link.signal_id for link in links} == {earlier.signal_id, later.signal_id}
        finally:
            stop.set()
            await sightings.close()
    await asyncio.wait_for(following, 10)
