"""Behaviour every ``Publisher`` must have. Runs against the in-memory fake and the real broker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from contracts import CODEC, KafkaRecord, Topic
from services.runtime import PublisherClosed
from tests.builders import received, triaged
from tests.kafka_reader import ReadRecord

TRACEPARENT = b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
ReadBack = Callable[[Topic, int], Awaitable[list[ReadRecord]]]


class PublisherBehaviour:
    """Subclasses provide the fixtures ``publisher`` (started) and ``read_back``."""

    async def test_delivery_points_at_a_readable_record(self, publisher: Any, read_back: ReadBack) -> None:
        event = received()
        delivery = await publisher.publish(Topic.SIGNALS_RECEIVED, event)
        assert delivery.topic is Topic.SIGNALS_RECEIVED
        assert delivery.event_id == str(event.signal_id)
        [record] = await read_back(Topic.SIGNALS_RECEIVED, 1)
        assert (record.partition, record.offset) == (delivery.partition, delivery.offset)
        assert record.key == str(event.signal_id).encode()
        assert CODEC.decode(record.value, record.headers).event == event

    async def test_one_key_keeps_one_partition_in_order(self, publisher: Any, read_back: ReadBack) -> None:
        first = triaged()
        second = triaged(signal_id=first.signal_id, rules_version="test-2")
        third = triaged(signal_id=first.signal_id, rules_version="test-3")
        deliveries = [await publisher.publish(Topic.SIGNALS_TRIAGED, e) for e in (first, second, third)]
        assert len({d.partition for d in deliveries}) == 1
        assert [d.offset for d in deliveries] == sorted(d.offset for d in deliveries)
        records = await read_back(Topic.SIGNALS_TRIAGED, 3)
        versions = [CODEC.decode(r.value, r.headers).event.rules_version for r in records]  # type: ignore[attr-defined]
        assert versions == ["test-1", "test-2", "test-3"]

    async def test_extra_headers_travel_with_the_record(self, publisher: Any, read_back: ReadBack) -> None:
        await publisher.publish(Topic.SIGNALS_RECEIVED, received(),
                                extra_headers=[("traceparent", TRACEPARENT)])
        [record] = await read_back(Topic.SIGNALS_RECEIVED, 1)
        assert dict(record.headers)["traceparent"].startswith(b"00-0af76519")
        assert dict(record.headers)["ce_type"] == b"org.hotline.signal.received.v1"

    async def test_raw_records_keep_their_bytes(self, publisher: Any, read_back: ReadBack) -> None:
        raw = KafkaRecord(key=b"k", value=b"\xff not json \x00", headers=(("dlq_error_class", b"X"),))
        await publisher.publish_record(Topic.SIGNALS_RECEIVED_DLQ, raw)
        [record] = await read_back(Topic.SIGNALS_RECEIVED_DLQ, 1)
        assert (record.key, record.value, record.headers) == (raw.key, raw.value, raw.headers)

    async def test_a_stopped_publisher_refuses_to_publish(self, publisher: Any) -> None:
        await publisher.stop()
        with pytest.raises(PublisherClosed):
            await publisher.publish(Topic.SIGNALS_RECEIVED, received())

    async def test_a_batch_is_acknowledged_in_order_and_reads_back_as_sent(
            self, publisher: Any, read_back: ReadBack) -> None:
        events = [received() for _ in range(40)]
        records = [publisher.record_of(event) for event in events]
        deliveries = await publisher.publish_records(Topic.SIGNALS_RECEIVED, records)
        assert [d.event_id for d in deliveries] == [str(e.signal_id) for e in events]
        read = await read_back(Topic.SIGNALS_RECEIVED, 40)
        where = {(r.partition, r.offset): r for r in read}
        for delivery, record in zip(deliveries, records, strict=True):
            stored = where[(delivery.partition, delivery.offset)]
            assert (stored.key, stored.value, stored.headers) == (record.key, record.value, record.headers)

    async def test_an_empty_batch_sends_nothing(self, publisher: Any) -> None:
        assert await publisher.publish_records(Topic.SIGNALS_RECEIVED, []) == []
