"""Reading a whole topic once, from the beginning to its current end, without a consumer group.

For offline tools (replaying past signals through new rules): no offsets are committed and no
group membership is taken, so reading never disturbs the services' own consumers.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from contracts import Header, Topic, physical_name
from services.runtime.errors import BrokerUnavailable
from services.runtime.kafka_options import client_options
from services.runtime.settings import RuntimeSettings


@dataclass(frozen=True)
class StoredRecord:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[Header, ...]


async def read_whole_topic(
    settings: RuntimeSettings, topic: Topic, *, timeout_s: float = 30.0, max_records: int | None = None
) -> list[StoredRecord]:
    """Every record of ``topic`` up to the end offsets seen at the start (or ``max_records``)."""
    name = physical_name(topic, settings.topic_prefix)
    # Without a group id the consumer assigns itself every partition of the topic.
    consumer = AIOKafkaConsumer(name, **client_options(settings, client_id="hotline.topic-reader"),
                                group_id=None, enable_auto_commit=False, auto_offset_reset="earliest")
    try:
        await consumer.start()
    except KafkaError as error:
        await consumer.stop()
        raise BrokerUnavailable(f"cannot reach Kafka ({type(error).__name__})") from error
    found: list[StoredRecord] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not consumer.assignment():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no partitions of {topic.value} assigned in {timeout_s}s")
            await asyncio.sleep(0.05)
        assigned = sorted(consumer.assignment(), key=lambda tp: tp.partition)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        remaining = {tp for tp in assigned if ends[tp] > 0}
        while remaining and (max_records is None or len(found) < max_records):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"read {len(found)} records of {topic.value} in {timeout_s}s")
            batches = await consumer.getmany(*remaining, timeout_ms=200)
            for tp, records in batches.items():
                for r in records:
                    if r.offset < ends[tp]:
                        found.append(StoredRecord(r.partition, r.offset, r.key, r.value, tuple(r.headers)))
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return found[:max_records] if max_records is not None else found
