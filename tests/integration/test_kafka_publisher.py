"""The Kafka publisher against the real broker: the same behaviour suite as the in-memory fake."""

from __future__ import annotations

import pytest

from contracts import Topic
from services.runtime import KafkaPublisher, PublishError, RuntimeMetrics, RuntimeSettings
from services.runtime.errors import BrokerUnavailable
from tests.behaviour.publisher_suite import PublisherBehaviour, ReadBack
from tests.builders import received
from tests.kafka_reader import ReadRecord, read_topic


@pytest.fixture
def read_back(topics: RuntimeSettings) -> ReadBack:
    async def read(topic: Topic, count: int) -> list[ReadRecord]:
        return await read_topic(topics, topic, count)
    return read


class TestKafkaPublisher(PublisherBehaviour):
    async def test_missing_topic_is_a_clear_publish_error(self, kafka_settings: RuntimeSettings) -> None:
        metrics = RuntimeMetrics("test")
        async with KafkaPublisher(kafka_settings.model_copy(update={"kafka_request_timeout_ms": 3000}),
                                  source="/hotline/test", metrics=metrics) as kafka:
            with pytest.raises(PublishError):
                await kafka.publish(Topic.SIGNALS_RECEIVED, received())
        assert b"hotline_publish_failures_total" in metrics.exposition()

    async def test_a_batch_to_a_missing_topic_is_the_same_clear_publish_error(
            self, kafka_settings: RuntimeSettings) -> None:
        async with KafkaPublisher(kafka_settings.model_copy(update={"kafka_request_timeout_ms": 3000}),
                                  source="/hotline/test", metrics=RuntimeMetrics("test")) as kafka:
            records = [kafka.record_of(received()) for _ in range(3)]
            with pytest.raises(PublishError, match="does not exist"):
                await kafka.publish_records(Topic.SIGNALS_RECEIVED, records)

    async def test_unreachable_broker_is_broker_unavailable(self) -> None:
        settings = RuntimeSettings(kafka_bootstrap="127.0.0.1:1", kafka_request_timeout_ms=2000)
        with pytest.raises(BrokerUnavailable, match="cannot reach Kafka"):
            await KafkaPublisher(settings, source="/hotline/test", metrics=RuntimeMetrics("t")).start()
