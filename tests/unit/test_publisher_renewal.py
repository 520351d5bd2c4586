"""The publisher replaces a producer whose sequence the broker no longer accepts, so a partition
leader's death does not stop a process from publishing for good."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from aiokafka.errors import LeaderNotAvailableError, NotLeaderForPartitionError, OutOfOrderSequenceNumber

from contracts import KafkaRecord, Topic
from services.runtime import BrokerUnavailable, KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime import publisher as publisher_module

pytestmark = pytest.mark.unit


@dataclass
class _Metadata:
    partition: int
    offset: int


class _Producer:
    """aiokafka's producer as the drill met it: the first one refuses every record once its
    sequence is lost; a new one (a new producer id) is accepted."""

    made: ClassVar[list[_Producer]] = []

    def __init__(self, **_options: Any) -> None:
        self.started = self.stopped = False
        self.sent: list[bytes] = []
        _Producer.made.append(self)

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send_and_wait(self, topic: str, *, value: bytes, key: bytes | None,
                            headers: list[Any]) -> _Metadata:
        if self is _Producer.made[0]:
            raise OutOfOrderSequenceNumber()
        self.sent.append(value)
        return _Metadata(0, len(self.sent) - 1)


async def test_a_lost_sequence_renews_the_producer_and_the_retry_is_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _Producer.made = []
    monkeypatch.setattr(publisher_module, "AIOKafkaProducer", _Producer)
    publisher = KafkaPublisher(RuntimeSettings(), source="/hotline/test", metrics=RuntimeMetrics("test"))
    await publisher.start()
    record = KafkaRecord(key=b"k", value=b"{}", headers=(("ce_id", b"1"),))
    with pytest.raises(BrokerUnavailable):  # retriable: the spool and the consumer loop try again
        await publisher.publish_record(Topic.SIGNALS_RECEIVED, record)
    delivery = await publisher.publish_record(Topic.SIGNALS_RECEIVED, record)
    assert delivery.offset == 0
    first, second = _Producer.made
    assert first.stopped and second.started and second.sent == [b"{}"]
    await publisher.stop()
    assert second.stopped


@pytest.mark.parametrize("error", [LeaderNotAvailableError, NotLeaderForPartitionError])
async def test_a_leader_not_yet_there_is_a_retry_not_a_refusal(
    monkeypatch: pytest.MonkeyPatch, error: type[Exception]
) -> None:
    """An outbox relay or a spool drainer retries BrokerUnavailable; a PublishError ended review's
    relay (and review) when a partition had no leader for a moment during the fault drill."""

    class _NoLeader(_Producer):
        async def send_and_wait(self, topic: str, *, value: bytes, key: bytes | None,
                                headers: list[Any]) -> _Metadata:
            raise error()

    _Producer.made = []
    monkeypatch.setattr(publisher_module, "AIOKafkaProducer", _NoLeader)
    publisher = KafkaPublisher(RuntimeSettings(), source="/hotline/test", metrics=RuntimeMetrics("test"))
    await publisher.start()
    with pytest.raises(BrokerUnavailable):
        await publisher.publish_record(Topic.REVIEW_DECISIONS, KafkaRecord(key=b"k", value=b"{}", headers=()))
    await publisher.stop()
