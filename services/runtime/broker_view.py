"""What ops tools ask the broker: consumer lag per group and partition, records held per topic,
and topics followed from a point in time without joining a consumer group.

Nothing here commits offsets or joins a group: looking at the system never changes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from contracts import Topic, physical_name
from services.runtime.broker_link import broker_link
from services.runtime.errors import BrokerUnavailable
from services.runtime.kafka_options import client_options
from services.runtime.progress import GroupView
from services.runtime.records import BrokerRecord
from services.runtime.settings import RuntimeSettings


class MissingTopics(BrokerUnavailable):
    """The broker answers but lacks topics the registry names: not provisioned, or a wrong prefix."""


@dataclass(frozen=True)
class PartitionLag:
    group: str
    topic: Topic
    partition: int
    committed: int | None  # None: the group has not committed on this partition yet
    end: int
    start: int = 0  # the partition's earliest offset kept

    @property
    def lag(self) -> int:
        return self.end - (self.committed if self.committed is not None else self.start)


@dataclass(frozen=True)
class TopicDepth:
    topic: Topic
    records: int  # end offsets minus earliest offsets, over every partition


def _logical(settings: RuntimeSettings) -> dict[str, Topic]:
    return {physical_name(t, settings.topic_prefix): t for t in Topic}


async def _started(client: AIOKafkaConsumer | AIOKafkaAdminClient, what: str) -> None:
    try:
        await client.start()
    except KafkaError as error:
        if isinstance(client, AIOKafkaConsumer):
            await client.stop()
        else:
            await client.close()
        raise BrokerUnavailable(f"{what}: cannot reach Kafka ({type(error).__name__})") from error


async def _assigned(settings: RuntimeSettings, names: Iterable[str], *, client_id: str,
                    timeout_s: float = 15.0) -> AIOKafkaConsumer:
    """A consumer without a group holding every partition of ``names`` (without a group id the
    consumer assigns itself every partition of the topics it subscribes to)."""
    wanted = set(names)
    consumer = AIOKafkaConsumer(**client_options(settings, client_id=client_id),
                                group_id=None, enable_auto_commit=False, auto_offset_reset="earliest")
    await _started(consumer, client_id)
    try:
        missing = sorted(wanted - await consumer.topics())
    except KafkaError as error:
        await consumer.stop()
        raise BrokerUnavailable(f"{client_id}: {type(error).__name__}") from error
    if missing:
        await consumer.stop()
        raise MissingTopics(f"topics missing on the broker: {', '.join(missing)} "
                            f"(run hotline-topics ensure, and check HOTLINE_TOPIC_PREFIX)")
    consumer.subscribe(sorted(wanted))
    deadline = asyncio.get_running_loop().time() + timeout_s
    while {tp.topic for tp in consumer.assignment()} != wanted:
        if asyncio.get_running_loop().time() > deadline:
            await consumer.stop()
            raise BrokerUnavailable(f"{client_id}: partitions not assigned in {timeout_s:.0f}s")
        await asyncio.sleep(0.05)
    return consumer


async def consumer_lag(settings: RuntimeSettings, groups: Iterable[str] | None = None) -> list[PartitionLag]:
    """Lag of every hotline consumer group (those under the settings' prefix) on hotline topics.

    A group is taken to read every partition of each topic it has committed on; a partition it
    has not committed on yet lags by everything the partition holds (consumers start earliest).
    """
    topics = _logical(settings)
    admin = AIOKafkaAdminClient(**client_options(settings, client_id="hotline.ops.admin"))
    await _started(admin, "lag")
    committed: dict[str, dict[TopicPartition, int]] = {}
    try:
        if groups is None:
            listed = await admin.list_consumer_groups()
            groups = sorted(g[0] for g in listed if g[0].startswith(settings.topic_prefix))
        for group in groups:
            offsets = await admin.list_consumer_group_offsets(group)
            committed[group] = {tp: meta.offset for tp, meta in offsets.items()
                                if tp.topic in topics and meta.offset >= 0}
    except KafkaError as error:
        raise BrokerUnavailable(f"lag: {type(error).__name__}") from error
    finally:
        await admin.close()
    read = {tp.topic for offsets in committed.values() for tp in offsets}
    if not read:
        return []
    consumer = await _assigned(settings, read, client_id="hotline.ops.offsets")
    try:
        tps = sorted(consumer.assignment(), key=lambda tp: (tp.topic, tp.partition))
        every = {name: [tp for tp in tps if tp.topic == name] for name in read}
        ends = dict(await consumer.end_offsets(tps)) if tps else {}
        starts = dict(await consumer.beginning_offsets(tps)) if tps else {}
    except KafkaError as error:
        raise BrokerUnavailable(f"end offsets: {type(error).__name__}") from error
    finally:
        await consumer.stop()
    lags = []
    for group, offsets in committed.items():
        for name in sorted({tp.topic for tp in offsets}):
            for tp in every[name]:
                at = offsets.get(tp)
                lags.append(PartitionLag(group=group, topic=topics[name], partition=tp.partition,
                                         committed=at if at is not None else None,
                                         end=ends.get(tp, 0), start=starts.get(tp, 0)))
    return sorted(lags, key=lambda p: (p.group, p.topic.value, p.partition))


async def topic_depths(settings: RuntimeSettings, topics: Iterable[Topic]) -> list[TopicDepth]:
    """Records currently held by each topic (for a DLQ: dead letters not yet expired)."""
    wanted = {physical_name(t, settings.topic_prefix): t for t in topics}
    consumer = await _assigned(settings, wanted, client_id="hotline.ops.depth")
    try:
        tps = list(consumer.assignment())
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
    except KafkaError as error:
        raise BrokerUnavailable(f"topic depth: {type(error).__name__}") from error
    finally:
        await consumer.stop()
    held = dict.fromkeys(wanted.values(), 0)
    for tp in tps:
        held[wanted[tp.topic]] += ends[tp] - starts[tp]
    return [TopicDepth(topic, records) for topic, records in held.items()]


class TopicFollower:
    """Reads topics from a point in time (or the beginning) and keeps following them."""

    def __init__(self, settings: RuntimeSettings, topics: Iterable[Topic], *, client_id: str) -> None:
        self._settings = settings
        self._topics = {physical_name(t, settings.topic_prefix): t for t in topics}
        self._client_id = client_id
        self._consumer: AIOKafkaConsumer | None = None
        self._ends: dict[TopicPartition, int] = {}

    async def start(self, since: datetime | None = None) -> None:
        """Position at the first record at or after ``since`` (None: the oldest record kept)."""
        consumer = await _assigned(self._settings, self._topics, client_id=self._client_id)
        self._consumer = consumer
        try:
            tps = list(consumer.assignment())
            self._ends = dict(await consumer.end_offsets(tps))
            if since is None:
                await consumer.seek_to_beginning(*tps)
                return
            found = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in tps})
            for tp in tps:
                at = found.get(tp)
                consumer.seek(tp, at.offset if at is not None else self._ends[tp])
        except KafkaError as error:
            await self.stop()
            raise BrokerUnavailable(f"follow: {type(error).__name__}") from error

    async def stop(self) -> None:
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            await consumer.stop()

    def _started(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("TopicFollower.start() first")
        return self._consumer

    def was_there_at_start(self, record: BrokerRecord) -> bool:
        """Whether ``record`` was on its partition when following began (it is before that end)."""
        name = physical_name(record.topic, self._settings.topic_prefix)
        return record.offset < self._ends.get(TopicPartition(name, record.partition), 0)

    async def caught_up(self) -> bool:
        """True once every partition was read up to where it ended when following began."""
        consumer = self._started()
        for tp, end in self._ends.items():
            if await consumer.position(tp) < end:
                return False
        return True

    async def batches(self, *, timeout_ms: int = 500) -> AsyncIterator[list[BrokerRecord]]:
        """Batches as they arrive; an empty batch every ``timeout_ms`` when nothing does."""
        consumer = self._started()
        while True:
            try:
                got = await consumer.getmany(timeout_ms=timeout_ms, max_records=500)
            except KafkaError as error:
                raise BrokerUnavailable(f"follow: {type(error).__name__}") from error
            batch = [
                BrokerRecord(self._topics[tp.topic], r.partition, r.offset, r.key, r.value,
                             tuple(r.headers or ()), timestamp_ms=r.timestamp)
                for tp, records in got.items() for r in records
            ]
            batch.sort(key=lambda r: r.timestamp_ms)
            yield batch


class GroupProbe:
    """How far a consumer group is through one topic, and who is in it (``progress.GroupView``).

    Kept open between calls (a readiness check asks every few seconds); after a failure the
    clients are closed and the next call starts them again.
    """

    def __init__(self, settings: RuntimeSettings, topic: Topic, group: str, *, client_id: str) -> None:
        self._settings = settings
        self._name = physical_name(topic, settings.topic_prefix)
        self._group = group
        self._client_id = client_id
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def view(self) -> GroupView:
        try:
            admin, consumer = await self._clients()
            topics = await admin.describe_topics([self._name])
            partitions = sorted(p["partition"] for t in topics if t["topic"] == self._name
                                for p in t["partitions"])
            if not partitions:
                raise MissingTopics(f"{self._name} has no partitions on the broker")
            tps = [TopicPartition(self._name, p) for p in partitions]
            ends = await consumer.end_offsets(tps)
            starts = await consumer.beginning_offsets(tps)
            offsets = await admin.list_consumer_group_offsets(self._group, partitions=tps)
            described = await admin.describe_consumer_groups([self._group])
        except KafkaError as error:
            await self.close()
            raise BrokerUnavailable(f"group view: {type(error).__name__}") from error
        broker_link().succeeded("group probe")
        return GroupView(
            starts={tp.partition: offset for tp, offset in starts.items()},
            ends={tp.partition: offset for tp, offset in ends.items()},
            committed={tp.partition: meta.offset for tp, meta in offsets.items() if meta.offset >= 0},
            members=_stable_members(described, self._group),
        )

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._consumer is None:
            await self.close()
            name = self._client_id
            admin = AIOKafkaAdminClient(**client_options(self._settings, client_id=f"{name}.admin"))
            await _started(admin, "group view")
            consumer = AIOKafkaConsumer(**client_options(self._settings, client_id=f"{name}.offsets"),
                                        group_id=None, enable_auto_commit=False)
            try:
                await _started(consumer, "group view")
            except BrokerUnavailable:
                await admin.close()
                raise
            self._admin, self._consumer = admin, consumer
        return self._admin, self._consumer

    async def close(self) -> None:
        admin, consumer, self._admin, self._consumer = self._admin, self._consumer, None, None
        if consumer is not None:
            await consumer.stop()
        if admin is not None:
            await admin.close()


def _stable_members(responses: list[Any], group: str) -> tuple[str, ...] | None:
    """The client ids of ``group``'s members, or None unless the group is Stable (during a
    rebalance the member list says nothing about who will hold what)."""
    for response in responses:
        for described in response.to_object()["groups"]:
            if described["group"] != group or described["error_code"] != 0:
                continue
            if described["state"] != "Stable":
                return None
            return tuple(sorted(m["client_id"] for m in described["members"]))
    return None
