"""The in-memory publisher passes the same behaviour suite as the Kafka one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from contracts import Topic
from services.runtime import BrokerUnavailable, InMemoryPublisher
from tests.behaviour.publisher_suite import PublisherBehaviour, ReadBack
from tests.builders import received
from tests.kafka_reader import ReadRecord


@pytest.fixture
async def publisher() -> AsyncIterator[InMemoryPublisher]:
    memory = InMemoryPublisher()
    await memory.start()
    yield memory
    await memory.stop()


@pytest.fixture
def read_back(publisher: InMemoryPublisher) -> ReadBack:
    async def read(topic: Topic, count: int) -> list[ReadRecord]:
        stored = publisher.records(topic)
        assert len(stored) >= count
        return [ReadRecord(s.partition, s.offset, s.record.key, s.record.value, s.record.headers)
                for s in stored]
    return read


class TestInMemoryPublisher(PublisherBehaviour):
    async def test_injected_failure_is_raised_once(self, publisher: InMemoryPublisher) -> None:
        publisher.fail_next(BrokerUnavailable("down"))
        with pytest.raises(BrokerUnavailable):
            await publisher.publish(Topic.SIGNALS_RECEIVED, received())
        await publisher.publish(Topic.SIGNALS_RECEIVED, received())
        assert len(publisher.decoded(Topic.SIGNALS_RECEIVED)) == 1
