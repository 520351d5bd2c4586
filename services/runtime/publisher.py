"""Publishing events: the ``Publisher`` port, and the one idempotent Kafka producer of a process."""

from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, Self, cast

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    NotEnoughReplicasError,
    OutOfOrderSequenceNumber,
    RequestTimedOutError,
    UnknownTopicOrPartitionError,
)
from aiokafka.structs import RecordMetadata
from prometheus_client import Counter

from contracts import CODEC, Codec, Event, Header, KafkaRecord, Topic, physical_name
from services.runtime.broker_link import broker_link
from services.runtime.errors import BrokerUnavailable, PublisherClosed, PublishError
from services.runtime.kafka_options import client_options
from services.runtime.metrics import RuntimeMetrics
from services.runtime.settings import RuntimeSettings
from services.runtime.tracing import publishing, with_trace

log = logging.getLogger(__name__)

_RETRIABLE = (KafkaConnectionError, KafkaTimeoutError, RequestTimedOutError, NotEnoughReplicasError)


@dataclass(frozen=True)
class Delivery:
    """Where the broker put a record: returned only once it is durable (acks=all)."""

    topic: Topic
    partition: int
    offset: int
    event_id: str | None


class Publisher(Protocol):
    """What services publish through. Real: ``KafkaPublisher``; unit tests: ``InMemoryPublisher``."""

    async def publish(
        self, topic: Topic, event: Event, *, extra_headers: Sequence[Header] = ()
    ) -> Delivery: ...

    async def publish_record(self, topic: Topic, record: KafkaRecord) -> Delivery: ...


class BatchPublisher(Protocol):
    """A publisher that encodes with its own source and takes a batch of records in one call (an
    importer's). Real: ``KafkaPublisher``; unit tests: ``InMemoryPublisher``."""

    def record_of(self, event: Event, *, extra_headers: Sequence[Header] = ()) -> KafkaRecord: ...

    async def publish(
        self, topic: Topic, event: Event, *, extra_headers: Sequence[Header] = ()
    ) -> Delivery: ...

    async def publish_records(self, topic: Topic, records: Sequence[KafkaRecord]) -> list[Delivery]: ...


class EncodingPublisher(abc.ABC):
    """Encodes events with the codec; subclasses only say how a record reaches its topic."""

    def __init__(self, *, source: str, codec: Codec = CODEC) -> None:
        self._source = source
        self._codec = codec

    async def publish(
        self, topic: Topic, event: Event, *, extra_headers: Sequence[Header] = ()
    ) -> Delivery:
        with publishing(topic) as publication:
            record = self.record_of(event, extra_headers=with_trace(extra_headers, publication))
            publication.describe(record)
            return await self.publish_record(topic, record)

    def record_of(self, event: Event, *, extra_headers: Sequence[Header] = ()) -> KafkaRecord:
        """``event`` encoded as this publisher sends it (its source in the envelope)."""
        return self._codec.encode(event, source=self._source, extra_headers=extra_headers)

    @abc.abstractmethod
    async def publish_record(self, topic: Topic, record: KafkaRecord) -> Delivery: ...

    async def publish_records(self, topic: Topic, records: Sequence[KafkaRecord]) -> list[Delivery]:
        """Every record acknowledged, in order (``KafkaPublisher`` sends them without waiting in between)."""
        return [await self.publish_record(topic, record) for record in records]


class KafkaPublisher(EncodingPublisher):
    """The one producer of a process: idempotent, acks=all, awaiting each delivery.

    aiokafka's defaults are not durable (acks=1, no idempotence); ``enable_idempotence`` forces
    acks=all and lets the broker drop the duplicates a retried batch would otherwise create.
    """

    def __init__(
        self,
        settings: RuntimeSettings,
        *,
        source: str,
        metrics: RuntimeMetrics,
        codec: Codec = CODEC,
        # 0: an urgent signal is not held back to fill a batch, and a handler that awaits each
        # publish is not capped at 1/linger per second; records still batch while a request
        # is in flight (measured in bench/runtime_overhead: 6.6x the sequential rate of 5 ms).
        linger_ms: int = 0,
        # Bytes a partition's batch may hold; aiokafka's default, 16 KiB, suits records that come
        # one at a time. A caller that hands over hundreds at once (the call-detail import) gives more.
        max_batch_size: int = 16_384,
    ) -> None:
        super().__init__(source=source, codec=codec)
        self._settings = settings
        self._metrics = metrics
        self._client_id = f"{source.strip('/').replace('/', '.')}.producer"
        self._linger_ms = linger_ms
        self._max_batch_size = max_batch_size
        self._producer = self._new_producer()
        self._started = False
        self._renewing = asyncio.Lock()
        self._renewed: AIOKafkaProducer | None = None  # a new producer not yet started
        # Per topic, made once: the broker-side name (checked against Kafka's rules) and the
        # published counter's child (a label look-up under a lock), not again for every record.
        self._names: dict[Topic, str] = {}
        self._published: dict[Topic, Counter] = {}

    def _name(self, topic: Topic) -> str:
        name = self._names.get(topic)
        if name is None:
            name = self._names[topic] = physical_name(topic, self._settings.topic_prefix)
        return name

    def _count(self, topic: Topic, records: int = 1) -> None:
        counter = self._published.get(topic)
        if counter is None:
            counter = self._published[topic] = self._metrics.published.labels(topic=topic.value)
        counter.inc(records)

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(**client_options(self._settings, client_id=self._client_id),
                                enable_idempotence=True, acks="all", linger_ms=self._linger_ms,
                                max_batch_size=self._max_batch_size, compression_type=None)

    async def start(self) -> None:
        try:
            await self._producer.start()
        except KafkaError as error:
            broker_link().failed("publisher", type(error).__name__)
            # start() leaves background tasks behind when it fails; close them before raising.
            await self._producer.stop()
            raise BrokerUnavailable(f"cannot reach Kafka at {self._settings.kafka_bootstrap}: "
                                    f"{type(error).__name__}") from error
        self._started = True
        broker_link().succeeded("publisher")

    async def stop(self) -> None:
        if self._started:
            self._started = False
            self._renewed = None
            await self._producer.stop()

    async def _renew(self, failed: AIOKafkaProducer) -> None:
        """Replace the producer that lost its sequence, once however many sends saw it fail."""
        async with self._renewing:
            if self._producer is not failed or not self._started:
                return
            log.warning("producer sequence lost; starting a new producer",
                        extra={"error_class": "OutOfOrderSequenceNumber"})
            self._producer = self._new_producer()
            self._renewed = self._producer
            await failed.stop()
        await self._start_renewed()

    async def _start_renewed(self) -> None:
        async with self._renewing:
            renewed = self._renewed
            if renewed is None:
                return
            try:
                await renewed.start()
            except KafkaError as error:
                broker_link().failed("publisher", type(error).__name__)
                await renewed.stop()
                self._producer = self._renewed = self._new_producer()  # tried again on the next send
                raise BrokerUnavailable(f"cannot reach Kafka: {type(error).__name__}") from error
            self._renewed = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def publish_record(self, topic: Topic, record: KafkaRecord) -> Delivery:
        if not self._started:
            raise PublisherClosed("publisher is not started")
        name = self._name(topic)
        if self._renewed is not None:
            await self._start_renewed()
        producer = self._producer
        try:
            metadata = await producer.send_and_wait(
                name, value=record.value, key=record.key, headers=list(record.headers)
            )
        except KafkaError as error:
            raise await self._refusal(error, topic, name, producer) from error
        broker_link().succeeded("publisher")
        self._count(topic)
        return Delivery(topic=topic, partition=metadata.partition, offset=metadata.offset,
                        event_id=record.event_id)

    async def publish_records(self, topic: Topic, records: Sequence[KafkaRecord]) -> list[Delivery]:
        """Publish ``records`` together, each appended to the producer without awaiting the one
        before's acknowledgement; returns once every one is acknowledged (acks=all), in order.

        For a batch whose records are all durable or none is (an import's rows before its position
        moves on): one task and one await for the batch instead of one per record. If any record
        is refused, the first refusal is raised, after every send has settled, as
        ``publish_record`` would raise it; records acknowledged meanwhile stay published (the
        same event ids again on a retry, which consumers ignore).
        """
        if not self._started:
            raise PublisherClosed("publisher is not started")
        if not records:
            return []
        name = self._name(topic)
        if self._renewed is not None:
            await self._start_renewed()
        producer = self._producer
        pending: list[asyncio.Future[RecordMetadata]] = []
        try:
            for record in records:
                # ``send`` only appends to the accumulator (waiting while a partition's batch is full).
                pending.append(await producer.send(name, value=record.value, key=record.key,
                                                   headers=list(record.headers)))
            settled = await asyncio.gather(*pending, return_exceptions=True)
        except KafkaError as error:
            await asyncio.gather(*pending, return_exceptions=True)  # let the appended ones settle
            raise await self._refusal(error, topic, name, producer) from error
        for outcome in settled:
            if isinstance(outcome, KafkaError):
                raise await self._refusal(outcome, topic, name, producer) from outcome
            if isinstance(outcome, BaseException):
                raise outcome
        broker_link().succeeded("publisher")
        self._count(topic, len(records))
        return [Delivery(topic=topic, partition=metadata.partition, offset=metadata.offset,
                         event_id=record.event_id)
                for record, metadata in zip(records, cast("list[RecordMetadata]", settled), strict=True)]

    async def _refusal(self, error: KafkaError, topic: Topic, name: str,
                       producer: AIOKafkaProducer) -> PublishError:
        """The runtime's error for a send the broker did not acknowledge, counted and classified."""
        self._metrics.publish_failures.labels(topic=topic.value, error=type(error).__name__).inc()
        if isinstance(error, OutOfOrderSequenceNumber):
            # The partition leader died with batches in flight: the broker's idea of this
            # producer's sequence and aiokafka's no longer agree, and aiokafka keeps its producer
            # id, so every later record to that partition would be refused the same way, for good
            # (the fault drill's web intake kept its spool through a broker kill and a restart).
            # A new producer (a new id, sequences from zero) publishes again; a record that did
            # reach the log before is the same event id, which consumers ignore.
            await self._renew(producer)
            return BrokerUnavailable(f"{topic.value}: producer sequence lost, producer renewed")
        if isinstance(error, _RETRIABLE):
            broker_link().failed("publisher", type(error).__name__)
            return BrokerUnavailable(f"{topic.value}: broker did not acknowledge ({type(error).__name__})")
        if isinstance(error, UnknownTopicOrPartitionError):
            return PublishError(f"{name} does not exist: run hotline-topics ensure")
        if getattr(error, "retriable", False):
            # A leader moving or not yet elected (a broker killed, a cluster coming back):
            # Kafka's own word that a retry will do. Refusing it for good ended review's and
            # reporting's outbox relays in the fault drill.
            broker_link().failed("publisher", type(error).__name__)
            return BrokerUnavailable(f"{topic.value}: no leader yet ({type(error).__name__})")
        return PublishError(f"{topic.value}: {type(error).__name__}")
