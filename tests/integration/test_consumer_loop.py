"""The one consumer loop against the real broker: commits, dead letters, retries, halts, rebalances."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from contracts import CODEC, KafkaRecord, Topic, physical_name
from contracts.events import SignalTriaged
from services.runtime import (
    ConsumerHalted,
    ConsumerLoop,
    ConsumerPolicy,
    ConsumerSpec,
    Health,
    InvalidMessage,
    KafkaPublisher,
    Message,
    RetriableError,
    RuntimeMetrics,
    RuntimeSettings,
)
from tests.builders import received, triaged
from tests.conftest import wait_for
from tests.kafka_reader import read_topic, record_counter

FAST = ConsumerPolicy(max_retries=2, backoff_initial_s=0.01, backoff_max_s=0.05,
                      max_consecutive_dead_letters=5, poll_timeout_ms=100)


class Running:
    """A consumer loop running in the background of a test."""

    def __init__(self, loop: ConsumerLoop) -> None:
        self.loop = loop
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(loop.run(self.stop))

    async def finish(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 30)


@pytest.fixture
async def start_loop(
    topics: RuntimeSettings, publisher: KafkaPublisher
) -> AsyncIterator[Callable[..., Running]]:
    running: list[Running] = []

    def start(handler: Callable[[Message], Awaitable[None]], *, group: str = "g",
              policy: ConsumerPolicy = FAST, metrics: RuntimeMetrics | None = None) -> Running:
        spec = ConsumerSpec(name=f"test.{group}", topic=Topic.SIGNALS_TRIAGED, group=group,
                            handler=handler, event_type=SignalTriaged, policy=policy)
        loop = ConsumerLoop(spec, settings=topics, dlq_publisher=publisher,
                            metrics=metrics or RuntimeMetrics("test"), health=Health())
        running.append(Running(loop))
        return running[-1]

    yield start
    for r in running:
        r.stop.set()
        with contextlib.suppress(ConsumerHalted, TimeoutError):
            await asyncio.wait_for(r.task, 30)


async def committed_total(settings: RuntimeSettings, group: str) -> int:
    """The sum of committed offsets of ``group`` over the partitions of signals.triaged."""
    name = physical_name(Topic.SIGNALS_TRIAGED, settings.topic_prefix)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(settings.group_id(group))
    finally:
        await admin.close()
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == name and meta.offset > 0)


async def test_applies_every_record_and_commits_after(
    topics: RuntimeSettings, publisher: KafkaPublisher, start_loop: Callable[..., Running]
) -> None:
    events = [triaged() for _ in range(30)]
    for e in events:
        await publisher.publish(Topic.SIGNALS_TRIAGED, e)
    seen: list[str] = []

    async def handler(message: Message) -> None:
        seen.append(message.envelope.id)

    running = start_loop(handler)
    await wait_for(lambda: len(seen) >= 30, what="30 records applied")
    await running.finish()
    assert sorted(seen) == sorted(e.event_id() for e in events)
    assert await committed_total(topics, "g") == 30


async def test_undecodable_record_goes_to_dlq_with_bytes_and_reason_and_the_loop_carries_on(
    topics: RuntimeSettings, publisher: KafkaPublisher, start_loop: Callable[..., Running]
) -> None:
    good = triaged()
    await publisher.publish_record(Topic.SIGNALS_TRIAGED, KafkaRecord(
        key=str(good.signal_id).encode(), value=b"\x00\xffnot json",
        headers=CODEC.encode(good, source="/hotline/test").headers))
    # Same key, same partition: the three arrive in this order.
    await publisher.publish_record(Topic.SIGNALS_TRIAGED, KafkaRecord(
        key=str(good.signal_id).encode(), value=b"{}", headers=()))
    await publisher.publish(Topic.SIGNALS_TRIAGED, good)
    seen: list[str] = []

    async def handler(message: Message) -> None:
        seen.append(message.envelope.id)

    metrics = RuntimeMetrics("test")
    start_loop(handler, metrics=metrics)
    await wait_for(lambda: seen == [good.event_id()], what="the good record after two bad ones")
    dead = await read_topic(topics, Topic.SIGNALS_TRIAGED_DLQ, 2)
    first = dict(dead[0].headers)
    assert dead[0].value == b"\x00\xffnot json"
    assert first["dlq_error_class"] == b"MalformedPayload"
    assert first["dlq_original_topic"] == b"signals.triaged"
    assert first["dlq_original_offset"] == b"0"
    assert first["ce_id"] == good.event_id().encode()
    assert dict(dead[1].headers)["dlq_error_class"] == b"MissingHeader"
    assert b"hotline_dead_letters_total" in metrics.exposition()


async def test_wrong_event_type_and_invalid_messages_are_dead_lettered(
    topics: RuntimeSettings, publisher: KafkaPublisher, start_loop: Callable[..., Running]
) -> None:
    wrong = received()
    await publisher.publish_record(Topic.SIGNALS_TRIAGED, CODEC.encode(wrong, source="/hotline/test"))
    refused = triaged()
    await publisher.publish(Topic.SIGNALS_TRIAGED, refused)

    async def handler(message: Message) -> None:
        raise InvalidMessage("refused by the handler")

    start_loop(handler)
    dead = await read_topic(topics, Topic.SIGNALS_TRIAGED_DLQ, 2)
    reasons = sorted(dict(d.headers)["dlq_error_reason"] for d in dead)
    assert reasons[0] == b"InvalidMessage: refused by the handler"
    assert b"reads org.hotline.signal.triaged.v1, got org.hotline.signal.received.v1" in reasons[1]


async def test_retriable_failures_are_retried_then_applied(
    publisher: KafkaPublisher, start_loop: Callable[..., Running]
) -> None:
    event = triaged()
    await publisher.publish(Topic.SIGNALS_TRIAGED, event)
    attempts: list[int] = []

    async def flaky(message: Message) -> None:
        attempts.append(1)
        if len(attempts) < 3:
            raise RetriableError("database restarting")

    start_loop(flaky)
    await wait_for(lambda: len(attempts) == 3, what="third attempt")


async def test_exhausted_retries_halt_without_committing_so_nothing_is_lost(
    topics: RuntimeSettings, publisher: KafkaPublisher, start_loop: Callable[..., Running]
) -> None:
    event = triaged()
    await publisher.publish(Topic.SIGNALS_TRIAGED, event)

    async def down(message: Message) -> None:
        raise RetriableError("database down")

    halted = start_loop(down)
    with pytest.raises(ConsumerHalted, match="retries exhausted"):
        await asyncio.wait_for(halted.task, 30)
    assert await committed_total(topics, "g") == 0
    assert await topic_is_empty(topics, Topic.SIGNALS_TRIAGED_DLQ)

    applied: list[str] = []

    async def back(message: Message) -> None:
        applied.append(message.envelope.id)

    start_loop(back)
    await wait_for(lambda: applied == [event.event_id()], what="redelivery after the halt")


async def topic_is_empty(settings: RuntimeSettings, topic: Topic) -> bool:
    # Called once the loop has halted: whatever it wrote is already on the topic, so its end
    # offsets answer at once, with no waiting for records that might still come.
    async with record_counter(settings, topic) as records:
        return await records() == 0


async def test_a_run_of_dead_letters_halts_instead_of_draining_the_topic(
    topics: RuntimeSettings, publisher: KafkaPublisher, start_loop: Callable[..., Running]
) -> None:
    for i in range(8):
        await publisher.publish_record(Topic.SIGNALS_TRIAGED, KafkaRecord(
            key=b"same-key", value=f"garbage {i}".encode(), headers=()))

    async def never_called(message: Message) -> None:
        raise AssertionError("no record is decodable")

    policy = ConsumerPolicy(max_consecutive_dead_letters=3, poll_timeout_ms=100)
    halted = start_loop(never_called, policy=policy)
    with pytest.raises(ConsumerHalted, match="4 records in a row"):
        await asyncio.wait_for(halted.task, 30)
    assert len(await read_topic(topics, Topic.SIGNALS_TRIAGED_DLQ, 3)) == 3
    assert await committed_total(topics, "g") == 3

    # After the operator looked (here: raised the limit), the rest are dead-lettered, none lost.
    start_loop(never_called, policy=ConsumerPolicy(max_consecutive_dead_letters=100, poll_timeout_ms=100))
    dead = await read_topic(topics, Topic.SIGNALS_TRIAGED_DLQ, 8)
    assert sorted(d.value for d in dead) == sorted(f"garbage {i}".encode() for i in range(8))


async def test_two_workers_in_one_group_share_the_partitions_through_a_rebalance(
    publisher: KafkaPublisher, start_loop: Callable[..., Running]
) -> None:
    applied: dict[str, int] = {}
    workers: dict[str, set[int]] = {"a": set(), "b": set()}

    def handler_for(worker: str) -> Callable[[Message], Awaitable[None]]:
        async def handle(message: Message) -> None:
            applied[message.envelope.id] = applied.get(message.envelope.id, 0) + 1
            workers[worker].add(message.partition)
            await asyncio.sleep(0.005)
        return handle

    events = [triaged() for _ in range(120)]
    a = start_loop(handler_for("a"))
    for e in events[:60]:
        await publisher.publish(Topic.SIGNALS_TRIAGED, e)
    await wait_for(lambda: len(applied) >= 10, what="the first worker to start")
    b = start_loop(handler_for("b"))
    await wait_for(lambda: a.loop.assigned_partitions and b.loop.assigned_partitions,
                   what="both workers to hold partitions")
    assert not a.loop.assigned_partitions & b.loop.assigned_partitions
    for e in events[60:]:
        await publisher.publish(Topic.SIGNALS_TRIAGED, e)
    await wait_for(lambda: set(applied) == {e.event_id() for e in events}, timeout=60,
                   what="every record applied across the rebalance")
    await wait_for(lambda: workers["b"], what="the second worker to get partitions")
    # At-least-once: a rebalance may redeliver, never skip.
    assert all(count >= 1 for count in applied.values())


async def test_stop_finishes_cleanly_and_a_restart_resumes_after_the_last_commit(
    topics: RuntimeSettings, publisher: KafkaPublisher, start_loop: Callable[..., Running]
) -> None:
    first, second = [triaged() for _ in range(5)], [triaged() for _ in range(5)]
    for e in first:
        await publisher.publish(Topic.SIGNALS_TRIAGED, e)
    seen: list[str] = []

    async def handler(message: Message) -> None:
        seen.append(message.envelope.id)

    running = start_loop(handler)
    await wait_for(lambda: len(seen) == 5, what="first five")
    await running.finish()
    for e in second:
        await publisher.publish(Topic.SIGNALS_TRIAGED, e)
    start_loop(handler)
    await wait_for(lambda: len(seen) == 10, what="the next five after a restart")
    # Nothing from before the stop is applied again: the stop committed it.
    assert sorted(seen[5:]) == sorted(e.event_id() for e in second)
