"""Reading a whole topic without a group on the real broker: everything once, each partition in order."""

from __future__ import annotations

from contracts import CODEC, Topic
from contracts.events import SignalTriaged
from services.runtime import KafkaPublisher, RuntimeMetrics, RuntimeSettings
from services.runtime.topic_reader import read_whole_topic
from tests.builders import triaged


async def test_every_record_is_read_once_in_offset_order_per_partition(topics: RuntimeSettings) -> None:
    published = [triaged() for _ in range(24)]
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("test")) as publisher:
        for signal in published:
            await publisher.publish(Topic.SIGNALS_TRIAGED, signal)

    records = await read_whole_topic(topics, Topic.SIGNALS_TRIAGED)

    read = [CODEC.decode_as(SignalTriaged, r.value, r.headers).signal_id for r in records]
    assert sorted(read) == sorted(s.signal_id for s in published)
    assert len({r.partition for r in records}) > 1, "keys spread over several partitions"
    for partition in {r.partition for r in records}:
        offsets = [r.offset for r in records if r.partition == partition]
        assert offsets == sorted(offsets) == list(range(len(offsets)))
    first = await read_whole_topic(topics, Topic.SIGNALS_TRIAGED, max_records=5)
    assert len(first) == 5 and set(first) <= set(records)
    assert await read_whole_topic(topics, Topic.ALERTS_URGENT) == []
