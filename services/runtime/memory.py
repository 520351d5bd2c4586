"""An in-memory ``Publisher`` for unit tests; trusted because the same behaviour suite runs on Kafka."""

from __future__ import annotations

import zlib
from collections import defaultdict

from contracts import CODEC, Codec, Decoded, KafkaRecord, Topic, spec_for
from services.runtime.errors import PublisherClosed
from services.runtime.publisher import Delivery, EncodingPublisher
from services.runtime.records import BrokerRecord


class InMemoryPublisher(EncodingPublisher):
    """Keeps every record per topic and partition, with Kafka's per-partition offsets and key affinity."""

    def __init__(self, *, source: str = "/hotline/test", codec: Codec = CODEC) -> None:
        super().__init__(source=source, codec=codec)
        self._partitions: dict[tuple[Topic, int], list[KafkaRecord]] = defaultdict(list)
        self._failures: list[BaseException] = []
        self.started = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.started = False

    def fail_next(self, error: BaseException) -> None:
        """Make the next publish raise ``error`` (for example ``BrokerUnavailable``)."""
        self._failures.append(error)

    async def publish_record(self, topic: Topic, record: KafkaRecord) -> Delivery:
        if not self.started:
            raise PublisherClosed("publisher is not started")
        if self._failures:
            raise self._failures.pop(0)
        partitions = spec_for(topic).partitions
        # Any stable hash gives Kafka's guarantee that matters here: one key, one partition.
        partition = zlib.crc32(record.key) % partitions if record.key is not None else 0
        log = self._partitions[(topic, partition)]
        log.append(record)
        return Delivery(topic=topic, partition=partition, offset=len(log) - 1,
                        event_id=record.event_id)

    def records(self, topic: Topic) -> list[BrokerRecord]:
        """Every record on ``topic``, partition by partition, in offset order."""
        found: list[BrokerRecord] = []
        for (t, partition), log in sorted(self._partitions.items(), key=lambda item: item[0][1]):
            if t is topic:
                found.extend(BrokerRecord(t, partition, offset, r.key, r.value, r.headers)
                             for offset, r in enumerate(log))
        return found

    def decoded(self, topic: Topic) -> list[Decoded]:
        return [self._codec.decode(s.record.value, s.record.headers) for s in self.records(topic)]
