"""Reading a topic back in tests with a plain aiokafka consumer (independent of the runtime's loop)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from contracts import Topic, physical_name, spec_for
from services.runtime import RuntimeSettings


@dataclass(frozen=True)
class ReadRecord:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


async def read_topic(
    settings: RuntimeSettings, topic: Topic, count: int, *, timeout: float = 20.0
) -> list[ReadRecord]:
    """Read at least ``count`` records from the start of ``topic`` (fails after ``timeout``)."""
    consumer = AIOKafkaConsumer(
        physical_name(topic, settings.topic_prefix),
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=f"test-reader-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[ReadRecord] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(found) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"read {len(found)} of {count} records from {topic.value}")
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                found.extend(ReadRecord(r.partition, r.offset, r.key, r.value, tuple(r.headers))
                             for r in records)
    finally:
        await consumer.stop()
    return sorted(found, key=lambda r: (r.partition, r.offset))



@contextlib.asynccontextmanager
async def record_counter(
    settings: RuntimeSettings, topic: Topic
) -> AsyncIterator[Callable[[], Awaitable[int]]]:
    """A progress counter: how many records ``topic`` holds now (the sum of its end offsets).

    One connection for all the counts, so that polling it is quick enough to catch work in flight.
    """
    name = physical_name(topic, settings.topic_prefix)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(name, p) for p in range(spec_for(topic).partitions)]

        async def count() -> int:
            return sum((await consumer.end_offsets(partitions)).values())

        yield count
    finally:
        await consumer.stop()


async def group_caught_up(settings: RuntimeSettings, topic: Topic, group: str) -> bool:
    """Whether ``group`` has committed every record ``topic`` holds now: its effects are durable.

    The project's consumers commit only after their outputs are acknowledged, so once this is true
    every output the records will ever cause is on its topic; no waiting "long enough" is needed.
    """
    name = physical_name(topic, settings.topic_prefix)
    partitions = [TopicPartition(name, p) for p in range(spec_for(topic).partitions)]
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
        ends = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
        await admin.close()
    return all(ends[tp] == 0 or (tp in committed and committed[tp].offset >= ends[tp]) for tp in partitions)
