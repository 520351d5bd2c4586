"""Reading a topic back in tests with a plain aiokafka consumer (independent of the runtime's loop)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer

from contracts import Topic, physical_name
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
