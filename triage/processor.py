"""Records through triage: decode, assess, correlate, fan out; what cannot be triaged is dead-lettered.

Independent of faust so that it is unit-tested with the in-memory publisher; the agent in ``app``
only feeds it batches. A batch returns only once every output of every record in it is durable
(or the record is dead-lettered), because faust acks the batch as soon as this returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from contracts import CODEC, DecodeError, Event, Topic
from contracts.events import EntitiesSighted, SightedEntity, SignalReceived, SignalTriaged
from contracts.events.entities_sighted import MAX_SIGHTED
from services.runtime import (
    BrokerRecord,
    BrokerUnavailable,
    ConsumerHalted,
    DeadLetterer,
    Publisher,
    PublishError,
    RetriableError,
    RuntimeMetrics,
)
from services.runtime.tracing import OpenSpan, annotate, fail, ingestion_age_s, span, start_consuming
from triage.correlation import CorrelationStore, EntityKeyer
from triage.entities import extract
from triage.fanout import break_glass_report, urgent_alert
from triage.rules import assess

log = logging.getLogger(__name__)

GROUP = "triage"


@dataclass(frozen=True)
class Outputs:
    record: BrokerRecord
    triaged: SignalTriaged
    dedup_hash: str
    events: tuple[tuple[Topic, Event], ...]
    # The record's consumer span, ended once its outputs are acknowledged, and the context its
    # outputs are published in (so they continue the intake's trace).
    trace: OpenSpan = field(compare=False)


class TriageProcessor:
    def __init__(
        self, *, publisher: Publisher, dead_letters: DeadLetterer, metrics: RuntimeMetrics,
        now: Callable[[], datetime], group: str, on_halt: Callable[[ConsumerHalted], None],
        keyer: EntityKeyer, store: CorrelationStore, backoff_max_s: float = 10.0,
    ) -> None:
        self._on_halt = on_halt
        self._publisher = publisher
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._now = now
        self._group = group
        self._keyer = keyer
        self._store = store
        self._backoff_max_s = backoff_max_s

    async def process(self, record: BrokerRecord) -> None:
        await self.process_batch([record])

    async def process_batch(self, records: Sequence[BrokerRecord]) -> None:
        """Triage ``records``. Returns only once each outcome is durable (published or dead-lettered)."""
        try:
            await self._process(records)
        except ConsumerHalted as error:
            self._on_halt(error)
            # Never return: faust would ack (and later commit) the records we could not handle.
            # The service stops the app, and the records are read again after the restart.
            await asyncio.Future()

    async def _process(self, records: Sequence[BrokerRecord]) -> None:
        ready: list[Outputs] = []
        pending: set[str] = set()
        for record in records:
            outputs = await self._triage(record)
            if outputs is None:
                continue
            if outputs.dedup_hash in pending or self._store.already_fanned_out(outputs.dedup_hash):
                # The same signal again (an intake retry, a redelivery): its outputs are already
                # durable with the same ids; fanning out twice would page a supervisor twice.
                self._count(record, "duplicate")
                outputs.trace.annotate({"hotline.duplicate": True})
                outputs.trace.end()
                log.info("repeated signal not fanned out again", extra={
                    "signal_id": str(outputs.triaged.signal_id), "topic": record.topic.value,
                    "partition": record.partition, "offset": record.offset})
                continue
            pending.add(outputs.dedup_hash)
            ready.append(outputs)
        # Every output of the batch in flight at once: the producer pipelines them per partition
        # and the batch costs about one broker round trip instead of one per record.
        try:
            await asyncio.gather(*(self._publish_until_acked(topic, event, o)
                                   for o in ready for topic, event in o.events))
        except BaseException as error:
            for outputs in ready:
                outputs.trace.end(error)
            raise
        for outputs in ready:
            self._store.fanned_out(outputs.dedup_hash)
            self._count(outputs.record, "applied")
            self._observe(outputs)
            with outputs.trace.current():
                log.info("signal triaged", extra={
                    "signal_id": str(outputs.triaged.signal_id), "urgency": outputs.triaged.urgency.value,
                    "rules_version": outputs.triaged.rules_version,
                    "count": len(outputs.triaged.linked_signals)})
            outputs.trace.annotate({"hotline.outputs": len(outputs.events)})
            outputs.trace.end()

    async def _triage(self, record: BrokerRecord) -> Outputs | None:
        # One consumer span per record, child of the intake's; ended once its outputs are durable.
        trace = start_consuming(record.topic, record.headers, group=self._group,
                                partition=record.partition, offset=record.offset)
        try:
            with trace.current():
                outputs = await self._assess(record, trace)
        except BaseException as error:
            trace.end(error)
            raise
        if outputs is None:
            trace.end()
        return outputs

    async def _assess(self, record: BrokerRecord, trace: OpenSpan) -> Outputs | None:
        try:
            signal = CODEC.decode_as(SignalReceived, record.value, record.headers)
            with span("triage assess", {"hotline.signal_id": str(signal.signal_id),
                                        "hotline.channel": signal.channel.value}) as assessment:
                triaged = assess(signal, now=self._now())
                keyed = [(self._keyer.key(e), e.kind) for e in extract(signal)][:MAX_SIGHTED]
                links = self._store.link(signal.signal_id, signal.received_at, keyed)
                if links:
                    triaged = triaged.model_copy(update={"linked_signals": links})
                annotate(assessment, _assessment_attributes(triaged))
            events: list[tuple[Topic, Event]] = [(Topic.SIGNALS_TRIAGED, triaged)]
            if keyed:
                # For every other worker's window, and this one's after a restart (triage.sightings).
                events.append((Topic.ENTITIES_SIGHTED, EntitiesSighted(
                    signal_id=signal.signal_id, received_at=signal.received_at,
                    entities=[SightedEntity(key=key, kind=kind) for key, kind in keyed])))
            alert = urgent_alert(triaged)
            if alert is not None:
                events.append((Topic.ALERTS_URGENT, alert))
            report = break_glass_report(triaged)
            if report is not None:
                events.append((Topic.REPORTS_REQUESTED, report))
            dedup_hash = self._keyer.dedup_key(signal.channel.value, signal.dedup_key)
        except DecodeError as error:
            fail(trace.span, error)
            await self._dead_letters.send(record, error, attempts=0)
            return None
        except Exception as error:  # noqa: BLE001 - a rules bug must not stop every other signal
            fail(trace.span, error)
            await self._dead_letters.send(record, error, attempts=1)
            return None
        self._dead_letters.succeeded()
        trace.annotate({"hotline.signal_id": str(triaged.signal_id)})
        return Outputs(record=record, triaged=triaged, dedup_hash=dedup_hash, events=tuple(events),
                       trace=trace)

    def _observe(self, outputs: Outputs) -> None:
        triaged = outputs.triaged
        self._metrics.triage_signals.labels(urgency=triaged.urgency.value,
                                            call_type=triaged.call_type.value).inc()
        for flag in triaged.flags:
            if flag.raised:
                self._metrics.triage_flags.labels(flag=flag.name.value).inc()
        age = ingestion_age_s(outputs.record.headers)
        if age is not None:
            self._metrics.end_to_end_seconds.labels(topic=outputs.record.topic.value,
                                                    group=self._group).observe(age)

    def _count(self, record: BrokerRecord, outcome: str) -> None:
        self._metrics.consumed.labels(topic=record.topic.value, group=self._group, outcome=outcome).inc()

    async def _publish_until_acked(self, topic: Topic, event: Event, outputs: Outputs) -> None:
        # Each output is published under its record's consumer span, so it continues the
        # intake's trace (a producer span each) and carries its acceptance time.
        with outputs.trace.current():
            await self._publish_in_trace(topic, event, outputs.record)

    async def _publish_in_trace(self, topic: Topic, event: Event, record: BrokerRecord) -> None:
        # faust acks (and so commits) an event once the agent moves past it, even if the agent
        # raised. So a broker outage is waited out here, never raised: skipping would lose the
        # signal's triage, and a signal left untriaged is a person left in a queue.
        delay = 0.2
        while True:
            try:
                await self._publisher.publish(topic, event)
                return
            except RetriableError as error:
                if not isinstance(error, BrokerUnavailable):  # an outage: the broker link counts it
                    log.warning("publish failed, retrying", extra={
                        "topic": topic.value, "partition": record.partition, "offset": record.offset,
                        "error_class": type(error).__name__, "backoff_s": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff_max_s)
            except PublishError as error:
                # Not retriable (a missing topic, a rejected record): stop rather than skip.
                raise ConsumerHalted(f"{self._group}: cannot publish to {topic.value}") from error


def _assessment_attributes(triaged: SignalTriaged) -> dict[str, object]:
    """What a trace may say of an assessment: its kinds and counts, never its evidence."""
    return {
        "hotline.urgency": triaged.urgency.value, "hotline.call_type": triaged.call_type.value,
        "hotline.trafficking_type": triaged.trafficking_type.value,
        "hotline.rules_version": triaged.rules_version,
        "hotline.flags_raised": sum(1 for flag in triaged.flags if flag.raised),
        "hotline.linked_signals": len(triaged.linked_signals),
        "hotline.needs_human_triage": triaged.needs_human_triage is not None,
    }
