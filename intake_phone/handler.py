"""The phone intake's hand-off: every call's signal published and acknowledged as the root of its trace.

One path for all three doors: Twilio's callbacks and the specialists' reports (answered 503 when the
broker did not take the signal, so that the caller retries with the same signal id), and the rows of
a call-detail file (all acknowledged before the importer moves its position past them).
"""

from __future__ import annotations

import asyncio
from typing import Final

from prometheus_client import CollectorRegistry

from contracts import Topic
from contracts.events import InputQuarantined, SignalReceived
from services.runtime import Publisher, PublishError
from services.runtime.metrics import intake_signals_counter
from services.runtime.publisher import BatchPublisher
from services.runtime.tracing import accepting, annotate, start_accepting


class CallHandOff:
    """The HTTP edge's hand-off: a signal acknowledged by Kafka, or refused for the caller to retry."""

    def __init__(self, publisher: Publisher, registry: CollectorRegistry) -> None:
        self._publisher = publisher
        self._intake = intake_signals_counter(registry)

    async def accept(self, signal: SignalReceived) -> bool:
        """True once Kafka acknowledged ``signal``; False when it did not take it (counted)."""
        with accepting(signal.channel.value) as accepted:
            annotate(accepted, {"hotline.signal_id": str(signal.signal_id)})
            try:
                await self._publisher.publish(Topic.SIGNALS_RECEIVED, signal)
            except PublishError:
                self._intake.labels(channel="phone", outcome="unavailable").inc()
                annotate(accepted, {"hotline.outcome": "unavailable"})
                return False
            self._intake.labels(channel="phone", outcome="published").inc()
            annotate(accepted, {"hotline.outcome": "published"})
        return True

    def rejected(self) -> None:
        """A callback refused before it became a signal (no valid signature)."""
        self._intake.labels(channel="phone", outcome="rejected").inc()


# The import's producer batches (bytes a partition): a partition's share of a batch of rows (500
# signals of 1.3 KB over six partitions) in one. With aiokafka's 16 KiB a batch held a dozen
# signals: the appends stopped for the sender every dozen rows, and each request carried a dozen
# records a partition. A row's CPU fell by about 8 % (bench.intake_profile cdr, 50,000 rows).
IMPORT_BATCH_BYTES: Final = 128 * 1024


class KafkaSink:
    """Where the call-detail importer sends a batch: every record acknowledged before it returns.
    Its publisher is made with ``max_batch_size=IMPORT_BATCH_BYTES``."""

    def __init__(self, publisher: BatchPublisher) -> None:
        self._publisher = publisher

    async def send(self, signals: list[SignalReceived], quarantined: list[InputQuarantined]) -> None:
        # All acknowledged (acks=all) before the caller moves its position past them.
        await asyncio.gather(self._accept(signals),
                             *(self._publisher.publish(Topic.OPS_EVENTS, q) for q in quarantined))

    async def _accept(self, signals: list[SignalReceived]) -> None:
        # Each imported row is a signal of its own, the root of its trace; the batch is sent to the
        # producer at once, without a task and an awaited acknowledgement per row.
        acceptances, records = [], []
        for signal in signals:
            acceptance = start_accepting(signal.channel.value, Topic.SIGNALS_RECEIVED, str(signal.signal_id))
            record = self._publisher.record_of(signal, extra_headers=acceptance.headers)
            acceptance.describe(record)
            acceptances.append(acceptance)
            records.append(record)
        try:
            await self._publisher.publish_records(Topic.SIGNALS_RECEIVED, records)
        except BaseException as error:
            for acceptance in acceptances:
                acceptance.end(error)
            raise
        for acceptance in acceptances:
            acceptance.end()


class PrintSink:
    """A dry run's sink: each record as a JSON line on standard output, nothing published."""

    async def send(self, signals: list[SignalReceived], quarantined: list[InputQuarantined]) -> None:
        for event in [*signals, *quarantined]:
            print(event.model_dump_json())
