"""The one consumer loop: decode, apply, commit after the effect is durable, dead-letter what cannot apply.

Delivery is at-least-once. A handler's effect must be idempotent by event id: a crash between
the effect and the commit, a rebalance, or a commit that fails all redeliver records.

A consumer may also declare a batch handler: the records of one poll are then applied in one call
(one transaction, for a database), and a batch it refuses is applied again record by record
through the per-record handler, so that one bad record is dead-lettered alone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import (
    CommitFailedError,
    IllegalStateError,
    KafkaError,
    RebalanceInProgressError,
)

from contracts import CODEC, Codec, DecodeError, physical_name
from services.runtime.broker_link import broker_link
from services.runtime.consumer_spec import BatchHandler, ConsumerPolicy, ConsumerSpec, Handler, Message
from services.runtime.dead_letters import DeadLetterer
from services.runtime.errors import ConsumerHalted, InvalidMessage, RetriableError, describe
from services.runtime.health import Health
from services.runtime.kafka_options import client_options
from services.runtime.metrics import RuntimeMetrics
from services.runtime.ops_reporter import OpsReporter
from services.runtime.publisher import Publisher
from services.runtime.records import BrokerRecord
from services.runtime.settings import RuntimeSettings
from services.runtime.tracing import OpenSpan, consuming, ingestion_age_s, start_consuming

log = logging.getLogger(__name__)

__all__ = ["BatchHandler", "ConsumerLoop", "ConsumerPolicy", "ConsumerSpec", "Handler", "Message"]

# A record of a batch in offset order, with its message, or None once dead-lettered as undecodable.
_Decoded = tuple[Any, tuple[Message, BrokerRecord] | None]


class _StopRequested(Exception):
    """Shutdown began while a record was waiting to be retried; it stays uncommitted."""


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """Holds a rebalance until the batch in hand is applied and committed (aiokafka's documented pattern)."""

    def __init__(self, loop: ConsumerLoop) -> None:
        self._loop = loop

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        async with self._loop.batch_lock:
            await self._loop.commit_pending()

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        log.info("partitions assigned", extra={"group": self._loop.group, "count": len(assigned)})


class ConsumerLoop:
    """Runs one ``ConsumerSpec`` until ``stop`` is set, or halts with ``ConsumerHalted``."""

    def __init__(
        self,
        spec: ConsumerSpec,
        *,
        settings: RuntimeSettings,
        dlq_publisher: Publisher,
        metrics: RuntimeMetrics,
        health: Health,
        codec: Codec = CODEC,
        ops: OpsReporter | None = None,
    ) -> None:
        self.spec = spec
        self.group = settings.group_id(spec.group)
        self._settings = settings
        self._topic_name = physical_name(spec.topic, settings.topic_prefix)
        self._dead_letters = DeadLetterer(
            topic=spec.topic, group=self.group, publisher=dlq_publisher, metrics=metrics,
            max_consecutive=spec.policy.max_consecutive_dead_letters, ops=ops,
        )
        self._metrics = metrics
        self._health = health
        self._codec = codec
        self._pending: dict[TopicPartition, int] = {}
        self.batch_lock = asyncio.Lock()
        self._consumer: AIOKafkaConsumer | None = None
        self._stop = asyncio.Event()
        self._last_fetch_ms: int | None = None
        health.register(spec.name)

    @property
    def assigned_partitions(self) -> set[int]:
        """Partitions this worker holds now (empty while joining or after stopping)."""
        if self._consumer is None:
            return set()
        return {tp.partition for tp in self._consumer.assignment()}

    # ------------------------------------------------------------ lifecycle

    async def run(self, stop: asyncio.Event) -> None:
        self._stop = stop
        consumer = await self._connect(stop)
        if consumer is None:
            return
        self._consumer = consumer
        try:
            while not stop.is_set():
                batches = await consumer.getmany(
                    timeout_ms=self.spec.policy.poll_timeout_ms,
                    max_records=self.spec.policy.max_batch,
                )
                self._health.set(self.spec.name, ready=True, detail="consuming")
                self._note_fetches(consumer)
                async with self.batch_lock:
                    try:
                        if self.spec.batch_handler is None:
                            await self._process_records(consumer, batches)
                        else:
                            await self._process_batch(consumer, batches, self.spec.batch_handler)
                    finally:
                        await self.commit_pending()
        except _StopRequested:
            log.info("stopping before a retry; the record stays uncommitted", extra={"group": self.group})
        except ConsumerHalted:
            self._health.set(self.spec.name, ready=False, alive=False, detail="halted")
            raise
        finally:
            await self._close(consumer)

    async def _connect(self, stop: asyncio.Event) -> AIOKafkaConsumer | None:
        delay = self.spec.policy.backoff_initial_s
        timeouts = self._settings.group_timeouts()
        while not stop.is_set():
            consumer = AIOKafkaConsumer(
                **client_options(self._settings, client_id=f"{self.group}.{self._settings.instance}"),
                group_id=self.group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_records=self.spec.policy.max_batch,
                session_timeout_ms=timeouts.session_ms,
                heartbeat_interval_ms=timeouts.heartbeat_ms,
                rebalance_timeout_ms=timeouts.rebalance_ms,
            )
            consumer.subscribe([self._topic_name], listener=_CommitOnRevoke(self))
            try:
                await consumer.start()
            except KafkaError as error:
                await consumer.stop()
                self._health.set(self.spec.name, ready=False, detail="waiting for broker")
                broker_link().failed(f"consumer {self.group}", type(error).__name__)
                await _sleep_unless(stop, delay)
                delay = min(delay * 2, self.spec.policy.backoff_max_s)
                continue
            broker_link().succeeded(f"consumer {self.group}")
            self._health.set(self.spec.name, ready=False, detail="joining group")
            return consumer
        return None

    async def _close(self, consumer: AIOKafkaConsumer) -> None:
        try:
            async with self.batch_lock:
                await self.commit_pending()
        finally:
            await consumer.stop()
            self._consumer = None
            if self._health.live:
                self._health.set(self.spec.name, ready=False, detail="stopped")

    def _note_fetches(self, consumer: AIOKafkaConsumer) -> None:
        """Tell the broker link when a fetch was answered since the last poll: during an outage
        ``getmany`` returns empty batches without an error, so only this says the broker is back."""
        stamps = [consumer.last_poll_timestamp(tp) for tp in consumer.assignment()]
        latest = max((s for s in stamps if s is not None), default=None)
        if latest is not None and latest != self._last_fetch_ms:
            self._last_fetch_ms = latest
            broker_link().succeeded(f"consumer {self.group}")

    # ------------------------------------------------------------ commits

    async def commit_pending(self) -> None:
        """Commit offsets of records whose effects are durable. Failures only mean redelivery."""
        if not self._pending or self._consumer is None:
            return
        offsets, self._pending = self._pending, {}
        try:
            await self._consumer.commit(offsets)
        except (CommitFailedError, RebalanceInProgressError, IllegalStateError, KafkaError) as error:
            # The partitions moved (or the broker blinked) after we applied the records. The
            # next owner re-reads them and the idempotent handler absorbs the duplicates.
            self._metrics.commit_failures.labels(group=self.group).inc()
            log.warning("offset commit failed; records will be redelivered",
                        extra={"group": self.group, "error_class": type(error).__name__,
                               "count": len(offsets)})

    # ------------------------------------------------------------ record by record

    async def _process_records(self, consumer: AIOKafkaConsumer,
                               batches: dict[TopicPartition, list[Any]]) -> None:
        for tp, records in batches.items():
            for record in records:
                if self._stop.is_set() or tp not in consumer.assignment():
                    break
                with consuming(self.spec.topic, tuple(record.headers or ()), group=self.group,
                               partition=record.partition, offset=record.offset, topic_name=self._topic_name):
                    await self._process(record)
                self._pending[tp] = record.offset + 1

    async def _process(self, record: Any) -> None:
        decoded = await self._decode(record)
        if decoded is not None:
            await self._apply(*decoded)

    async def _decode(self, record: Any) -> tuple[Message, BrokerRecord] | None:
        """The record as a message, or None once it is dead-lettered as undecodable."""
        failed = BrokerRecord(
            topic=self.spec.topic, partition=record.partition, offset=record.offset,
            key=record.key, value=record.value, headers=tuple(record.headers or ()),
        )
        try:
            decoded = self._codec.decode(record.value, failed.headers)
            if self.spec.event_type is not None and not isinstance(decoded.event, self.spec.event_type):
                raise InvalidMessage(f"{self.spec.name} reads {self.spec.event_type.ce_type()}, "
                                     f"got {decoded.envelope.type}")
        except (DecodeError, InvalidMessage) as error:
            await self._dead_letters.send(failed, error, attempts=0)
            return None
        message = Message(topic=self.spec.topic, partition=record.partition, offset=record.offset,
                          envelope=decoded.envelope, event=decoded.event, headers=failed.headers)
        return message, failed

    # ------------------------------------------------------------ a batch

    async def _process_batch(self, consumer: AIOKafkaConsumer, batches: dict[TopicPartition, list[Any]],
                             apply: BatchHandler) -> None:
        """Apply one poll's records in one call; offsets move only once it returned (durable)."""
        held = {tp: records for tp, records in batches.items() if records and tp in consumer.assignment()}
        if self._stop.is_set() or not held:
            return
        decoded: dict[TopicPartition, list[_Decoded]] = {}
        for tp, records in held.items():
            decoded[tp] = [(record, await self._decode(record)) for record in records]
        good = [item for items in decoded.values() for _, item in items if item is not None]
        if not good:
            for tp, items in decoded.items():
                self._pending[tp] = items[-1][0].offset + 1
            return
        spans = [start_consuming(self.spec.topic, message.headers, group=self.group,
                                 partition=message.partition, offset=message.offset,
                                 topic_name=self._topic_name) for message, _ in good]
        messages = [_with_trace(message, opened) for (message, _), opened in zip(good, spans, strict=True)]
        started = time.perf_counter()
        try:
            await apply(messages)
        except Exception as error:  # noqa: BLE001 - refused as a whole: each record gets its own verdict below
            for opened in spans:
                opened.end(error)
            labels = {"topic": self.spec.topic.value, "group": self.group}
            self._metrics.batch_fallbacks.labels(**labels).inc()
            log.warning("batch refused; applying its records one by one",
                        extra={"group": self.group, "topic": self.spec.topic.value, "count": len(messages),
                               "error_class": type(error).__name__})
            await self._one_by_one(consumer, decoded)
            return
        for opened in spans:
            opened.end()
        self._applied(messages, time.perf_counter() - started)
        for tp, items in decoded.items():
            self._pending[tp] = items[-1][0].offset + 1

    async def _one_by_one(self, consumer: AIOKafkaConsumer,
                          decoded: dict[TopicPartition, list[_Decoded]]) -> None:
        """The per-record path over a refused batch: retries, dead letters and halts as ever."""
        for tp, items in decoded.items():
            for record, item in items:
                if self._stop.is_set() or tp not in consumer.assignment():
                    break  # the rest stays uncommitted, for this worker's restart or the next owner
                if item is not None:
                    with consuming(self.spec.topic, item[0].headers, group=self.group,
                                   partition=record.partition, offset=record.offset,
                                   topic_name=self._topic_name):
                        await self._apply(*item)
                self._pending[tp] = record.offset + 1

    def _applied(self, messages: Sequence[Message], seconds: float) -> None:
        labels = {"topic": self.spec.topic.value, "group": self.group}
        share = seconds / len(messages)  # the histogram stays per record: each its share of the batch
        for message in messages:
            self._metrics.handler_seconds.labels(**labels).observe(share)
            age = ingestion_age_s(message.headers)
            if age is not None:
                self._metrics.end_to_end_seconds.labels(**labels).observe(age)
        self._metrics.consumed.labels(**labels, outcome="applied").inc(len(messages))
        self._dead_letters.succeeded()

    # ------------------------------------------------------------ applying one record

    async def _apply(self, message: Message, failed: BrokerRecord) -> None:
        policy = self.spec.policy
        labels = {"topic": self.spec.topic.value, "group": self.group}
        delay = policy.backoff_initial_s
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                await self.spec.handler(message)
            except RetriableError as error:
                if attempt > policy.max_retries:
                    # The message is fine; something it needs is not. Halting keeps it (and
                    # every record after it) on the topic for when the dependency is back.
                    raise ConsumerHalted(
                        f"{self.spec.name}: retries exhausted at {failed.topic.value}/"
                        f"{failed.partition}@{failed.offset}: {describe(error)}") from error
                self._metrics.retries.labels(**labels).inc()
                log.warning("retriable failure, backing off",
                            extra={**self._where(failed), "attempt": attempt,
                                   "error_class": type(error).__name__, "backoff_s": delay})
                await _sleep_unless(self._stop, delay)
                if self._stop.is_set():
                    raise _StopRequested from error
                delay = min(delay * 2, policy.backoff_max_s)
                continue
            except InvalidMessage as error:
                await self._dead_letters.send(failed, error, attempts=attempt)
                return
            except Exception as error:  # noqa: BLE001 - a handler bug: dead-lettered, halts when repeated
                await self._dead_letters.send(failed, error, attempts=attempt)
                return
            self._metrics.handler_seconds.labels(**labels).observe(time.perf_counter() - started)
            age = ingestion_age_s(message.headers)
            if age is not None:
                self._metrics.end_to_end_seconds.labels(**labels).observe(age)
            self._metrics.consumed.labels(**labels, outcome="applied").inc()
            self._dead_letters.succeeded()
            return

    def _where(self, failed: BrokerRecord) -> dict[str, object]:
        return {"topic": failed.topic.value, "partition": failed.partition,
                "offset": failed.offset, "group": self.group}


def _with_trace(message: Message, opened: OpenSpan) -> Message:
    return Message(topic=message.topic, partition=message.partition, offset=message.offset,
                   envelope=message.envelope, event=message.event, headers=message.headers, trace=opened)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return
