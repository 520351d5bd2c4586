"""Reading a whole topic once, from the beginning to its current end, without a consumer group.

For offline tools (statistics, replaying past signals through new rules) and the tests: no offsets
are committed and no group membership is taken, so reading never disturbs the services' own
consumers. It is the ops service's way of reading (``broker_view.TopicFollower``), stopped where
the topic ended when reading began.
"""

from __future__ import annotations

import asyncio

from contracts import Topic
from services.runtime.broker_view import TopicFollower
from services.runtime.records import BrokerRecord
from services.runtime.settings import RuntimeSettings

__all__ = ["read_whole_topic"]


async def read_whole_topic(
    settings: RuntimeSettings, topic: Topic, *, timeout_s: float = 30.0, max_records: int | None = None
) -> list[BrokerRecord]:
    """Every record of ``topic`` up to the end offsets seen at the start (or the first ``max_records``),
    each partition's records in offset order."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    follower = TopicFollower(settings, (topic,), client_id="hotline.topic-reader")
    await follower.start(since=None)
    found: list[BrokerRecord] = []
    try:
        async for batch in follower.batches(timeout_ms=200):
            found.extend(record for record in batch if follower.was_there_at_start(record))
            if await follower.caught_up() or (max_records is not None and len(found) >= max_records):
                break
            if loop.time() > deadline:
                raise TimeoutError(f"read {len(found)} records of {topic.value} in {timeout_s}s")
    finally:
        await follower.stop()
    # A batch is in time order across partitions; readers rely on offset order within one (the
    # latest record of a signal, whose records share a partition, is the one that stands).
    found.sort(key=lambda record: (record.partition, record.offset))
    return found[:max_records] if max_records is not None else found
