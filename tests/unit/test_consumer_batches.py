"""The consumer loop's batch path over a fake consumer: one call per poll, commits after it, and a
refused batch applied again record by record so that only the bad record is dead-lettered."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import TopicPartition

from contracts import CODEC, Topic
from contracts.events import SignalTriaged
from services.runtime import (
    ConsumerHalted,
    ConsumerLoop,
    ConsumerPolicy,
    ConsumerSpec,
    Health,
    InMemoryPublisher,
    InvalidMessage,
    Message,
    RetriableError,
    RuntimeMetrics,
    RuntimeSettings,
)
from tests.builders import triaged

pytestmark = pytest.mark.unit

TP0 = TopicPartition("signals.triaged", 0)
TP1 = TopicPartition("signals.triaged", 1)
FAST = ConsumerPolicy(max_retries=1, backoff_initial_s=0.001, backoff_max_s=0.001, poll_timeout_ms=1)


@dataclass(frozen=True)
class Record:
    """The fields of aiokafka's ConsumerRecord that the loop reads."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


def record(partition: int, offset: int, event: SignalTriaged) -> Record:
    encoded = CODEC.encode(event, source="/hotline/test")
    return Record(partition, offset, encoded.key, encoded.value, tuple(encoded.headers))


@dataclass
class FakeConsumer:
    """Hands out the given polls, then asks the loop to stop; notes every commit and what was
    applied by then."""

    polls: list[dict[TopicPartition, list[Record]]]
    stop_loop: asyncio.Event
    store: Store
    commits: list[tuple[dict[TopicPartition, int], list[str]]] = field(default_factory=list)

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[Record]]:
        if not self.polls:
            self.stop_loop.set()
            return {}
        return self.polls.pop(0)

    def assignment(self) -> set[TopicPartition]:
        return {TP0, TP1}

    def last_poll_timestamp(self, tp: TopicPartition) -> int | None:
        return None

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        self.commits.append((dict(offsets), list(self.store.applied)))

    async def stop(self) -> None:
        return None


@dataclass
class Store:
    """A store that is idempotent by event id and applies a batch all or nothing, like review's."""

    applied: list[str] = field(default_factory=list)
    poison: set[str] = field(default_factory=set)
    down: bool = False
    batch_calls: list[list[str]] = field(default_factory=list)
    one_calls: list[str] = field(default_factory=list)

    async def one(self, message: Message) -> None:
        self.one_calls.append(message.envelope.id)
        if self.down:
            raise RetriableError("database down")
        if message.envelope.id in self.poison:
            raise InvalidMessage("refused by the store")
        if message.envelope.id not in self.applied:
            self.applied.append(message.envelope.id)

    async def batch(self, messages: Sequence[Message]) -> None:
        self.batch_calls.append([m.envelope.id for m in messages])
        if self.down:
            raise RetriableError("database down")
        if any(m.envelope.id in self.poison for m in messages):
            raise InvalidMessage("one record refused: the transaction rolled back")
        for message in messages:
            if message.envelope.id not in self.applied:
                self.applied.append(message.envelope.id)


async def run_loop(store: Store, polls: list[dict[TopicPartition, list[Record]]],
                   metrics: RuntimeMetrics | None = None) -> tuple[FakeConsumer, InMemoryPublisher]:
    stop = asyncio.Event()
    consumer = FakeConsumer(polls, stop, store)
    dlq = InMemoryPublisher()
    await dlq.start()
    spec = ConsumerSpec(name="test.batch", topic=Topic.SIGNALS_TRIAGED, group="batch", handler=store.one,
                        event_type=SignalTriaged, policy=FAST, batch_handler=store.batch)
    loop = ConsumerLoop(spec, settings=RuntimeSettings(), dlq_publisher=dlq,
                        metrics=metrics or RuntimeMetrics("test"), health=Health())

    async def connect(_: asyncio.Event) -> Any:
        return consumer

    loop._connect = connect  # type: ignore[method-assign]
    await asyncio.wait_for(loop.run(stop), 10)
    return consumer, dlq


async def test_a_poll_is_one_call_with_every_record_and_the_commit_follows_it() -> None:
    events = [triaged() for _ in range(5)]
    store = Store()
    poll = {TP0: [record(0, i, e) for i, e in enumerate(events[:3])],
            TP1: [record(1, 7, events[3]), record(1, 8, events[4]), record(1, 9, events[0])]}
    consumer, dlq = await run_loop(store, [poll])
    assert len(store.batch_calls) == 1 and len(store.batch_calls[0]) == 6
    assert store.one_calls == []
    assert store.applied == [e.event_id() for e in events[:3]] + [e.event_id() for e in events[3:]]
    # One commit, after the batch, past the last record of each partition.
    [(offsets, applied_then)] = consumer.commits
    assert offsets == {TP0: 3, TP1: 10}
    assert sorted(applied_then) == sorted(e.event_id() for e in events)
    assert dlq.records(Topic.SIGNALS_TRIAGED_DLQ) == []


async def test_a_refused_batch_is_applied_one_by_one_and_only_the_bad_record_is_dead_lettered() -> None:
    events = [triaged() for _ in range(6)]
    bad = events[2]
    store = Store(poison={bad.event_id()})
    poll = {TP0: [record(0, i, e) for i, e in enumerate(events[:4])],
            TP1: [record(1, 0, events[4]), record(1, 1, events[5]), record(1, 2, events[0])]}
    metrics = RuntimeMetrics("test")
    consumer, dlq = await run_loop(store, [poll], metrics)
    good = [e.event_id() for e in events if e is not bad]
    assert len(store.batch_calls) == 1
    assert sorted(store.applied) == sorted(good)
    assert len(store.applied) == len(set(store.applied))  # the redelivered events[0] once
    dead = dlq.records(Topic.SIGNALS_TRIAGED_DLQ)
    assert [dict(d.record.headers)["ce_id"] for d in dead] == [bad.event_id().encode()]
    assert dict(dead[0].record.headers)["dlq_original_offset"] == b"2"
    [(offsets, applied_then)] = consumer.commits
    assert offsets == {TP0: 4, TP1: 3}
    assert sorted(applied_then) == sorted(good)
    assert b'hotline_batch_fallbacks_total{group="batch",topic="signals.triaged"} 1.0' in metrics.exposition()


async def test_an_undecodable_record_is_dead_lettered_and_the_rest_still_go_as_one_batch() -> None:
    events = [triaged() for _ in range(3)]
    garbage = Record(0, 1, b"k", b"\x00not json", tuple(CODEC.encode(events[0], source="/t").headers))
    store = Store()
    poll = {TP0: [record(0, 0, events[0]), garbage, record(0, 2, events[1]), record(0, 3, events[2])]}
    consumer, dlq = await run_loop(store, [poll])
    assert store.batch_calls == [[e.event_id() for e in events]]
    assert store.one_calls == []
    dead = dlq.records(Topic.SIGNALS_TRIAGED_DLQ)
    assert [d.record.value for d in dead] == [b"\x00not json"]
    assert consumer.commits[0][0] == {TP0: 4}


async def test_nothing_is_committed_when_the_store_is_down_and_the_loop_halts() -> None:
    events = [triaged() for _ in range(3)]
    store = Store(down=True)
    poll = {TP0: [record(0, i, e) for i, e in enumerate(events)]}
    with pytest.raises(ConsumerHalted, match="retries exhausted"):
        await run_loop(store, [poll])
    assert store.applied == []
    assert len(store.batch_calls) == 1
    assert store.one_calls == [events[0].event_id()] * 2  # the first record, retried, then the halt


async def test_polls_after_a_fallback_are_batched_again() -> None:
    first, second = [triaged() for _ in range(2)], [triaged() for _ in range(2)]
    store = Store(poison={first[0].event_id()})
    polls = [{TP0: [record(0, 0, first[0]), record(0, 1, first[1])]},
             {TP0: [record(0, 2, second[0]), record(0, 3, second[1])]}]
    consumer, _ = await run_loop(store, polls)
    assert store.batch_calls[1] == [e.event_id() for e in second]
    assert store.applied == [first[1].event_id()] + [e.event_id() for e in second]
    assert [offsets for offsets, _ in consumer.commits] == [{TP0: 2}, {TP0: 4}]
