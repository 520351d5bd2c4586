"""Durable hand-off of a signal: Kafka's ack, or the fsynced spool, before the reporter hears "received".

Shared by the intakes that cannot make their sender retry (the web form's reporter, Twilio's
messaging webhooks). Normal path: publish and wait up to ``publish_timeout`` for acks=all. If the
broker does not answer in time (or refuses), the encoded record is fsynced to the spool and the
reporter is answered at once. From then on new records go straight to the spool until the
drainer has emptied it, so they reach the topic in the order they were accepted.

With a ``budget`` (the web intake's ``GlobalBudget``), every record published at once spends one
unit of it. A record over the budget goes to the spool though the broker is there ("queued"),
and the drainer waits for the budget before each queued record: a surge or a flood queues on
disk rather than passing the budget, and every tip still gets its reference number once it is
durable. Records spooled because the broker was away are not paced: once it is back they go at
the broker's speed, so an urgent tip taken during an outage is not held behind the budget. (The
queued marks live in memory; after a restart the whole spool drains unpaced.)

A publish that timed out is not abandoned: it stays in flight in the producer, and the drainer
waits for *that* attempt before trying again, so a slow broker does not produce a second copy.
A crash can still leave a record both delivered and spooled; the signal id is deterministic and
every consumer is idempotent, so the duplicate is absorbed downstream.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from contracts import CODEC, Event, Header, KafkaRecord, Topic
from contracts.events import SignalReceived
from services.runtime.errors import BrokerUnavailable, PublishError
from services.runtime.publisher import Delivery, KafkaPublisher, Publisher
from services.runtime.spool import Spool, SpooledRecord
from services.runtime.tracing import annotate, start_accepting

log = logging.getLogger(__name__)


class Budget(Protocol):
    """A pace for publishing (a token bucket): ``take`` a unit now if there is one, or wait for one."""

    def take(self) -> bool: ...

    async def acquire(self) -> None: ...


class Outcome(enum.StrEnum):
    PUBLISHED = "published"  # the broker acknowledged it (acks=all)
    SPOOLED = "spooled"  # fsynced locally; the drainer will publish it
    QUEUED = "queued"  # over the budget, or behind records that were: fsynced, published at its pace


class DurableSender:
    def __init__(
        self,
        publisher: Publisher,
        spool: Spool,
        *,
        publish_timeout: float,
        backoff_initial: float = 0.5,
        backoff_max: float = 15.0,
        budget: Budget | None = None,
    ) -> None:
        self._publisher = publisher
        self._budget = budget
        self._spool = spool
        self._timeout = publish_timeout
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._degraded = False
        self._in_flight: dict[int, asyncio.Future[Delivery]] = {}
        self._queued: set[int] = set()  # spooled for the budget, not for an outage: drained at its pace
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def degraded(self) -> bool:
        """True while records are going to the spool rather than straight to Kafka."""
        return self._degraded or len(self._spool) > 0

    @property
    def spooled(self) -> int:
        return len(self._spool)

    async def accept(self, topic: Topic, signal: SignalReceived, *, source: str) -> Outcome:
        """Take in an intake's new signal, durable (acknowledged or spooled) on return. Its trace starts
        here and travels in the spool with the record if the broker is away."""
        # The root and producer spans made at once and made current once: two nested span blocks
        # (three attaches, two generator frames) were a sixth of a web tip's time.
        acceptance = start_accepting(signal.channel.value, topic, str(signal.signal_id))
        try:
            with acceptance.current():
                record = CODEC.encode(signal, source=source, extra_headers=acceptance.headers)
                acceptance.describe(record)
                outcome = await self.send(topic, record)
        except BaseException as error:
            acceptance.end(error)
            raise
        annotate(acceptance.accepted, {"hotline.outcome": outcome.value})
        acceptance.end()
        return outcome

    async def send(self, topic: Topic, record: KafkaRecord) -> Outcome:
        """Return once the record is durable. Raises ``SpoolFull`` when it cannot be made durable."""
        if self._degraded:
            await self._to_spool(topic, record)
            return Outcome.SPOOLED
        # Behind queued records (order is kept), or over the budget: queued on disk.
        if len(self._spool) > 0 or (self._budget is not None and not self._budget.take()):
            spooled = await self._to_spool(topic, record)
            self._queued.add(spooled.seq)
            return Outcome.QUEUED
        attempt = asyncio.ensure_future(self._publisher.publish_record(topic, record))
        # asyncio.wait leaves the attempt running when the time is up (no cancel, no shield task).
        await asyncio.wait((attempt,), timeout=self._timeout)
        try:
            if not attempt.done():
                raise TimeoutError
            attempt.result()
        except TimeoutError:
            self._degraded = True
            spooled = await self._to_spool(topic, record, in_flight=attempt)
            log.warning("broker did not acknowledge in time; record spooled",
                        extra={"topic": topic.value, "seq": spooled.seq})
            return Outcome.SPOOLED
        except PublishError as error:
            self._degraded = True
            spooled = await self._to_spool(topic, record)
            log.warning("broker refused the record; spooled",
                        extra={"topic": topic.value, "seq": spooled.seq, "error_class": type(error).__name__})
            return Outcome.SPOOLED
        return Outcome.PUBLISHED

    async def _to_spool(
        self, topic: Topic, record: KafkaRecord, *, in_flight: asyncio.Future[Delivery] | None = None
    ) -> SpooledRecord:
        try:
            spooled = await asyncio.to_thread(self._spool.append, topic, record)
        except BaseException:
            if in_flight is not None:
                # Nothing on disk: let the producer's own attempt finish or fail on its own.
                in_flight.add_done_callback(_consume_result)
            raise
        if in_flight is not None:
            self._in_flight[spooled.seq] = in_flight
        self._idle.clear()
        self._wake.set()
        return spooled

    async def drain(self) -> None:
        """Publish spooled records oldest first, forever; cancel to stop (the spool stays on disk)."""
        backoff = self._backoff_initial
        paced: int | None = None  # the record the budget already let through (kept across retries)
        while True:
            spooled = await asyncio.to_thread(self._spool.oldest)
            if spooled is None:
                self._degraded = False
                self._idle.set()
                self._wake.clear()
                if len(self._spool) == 0:
                    await self._wake.wait()
                continue
            attempt = self._in_flight.pop(spooled.seq, None)
            if (attempt is None and self._budget is not None and paced != spooled.seq
                    and spooled.seq in self._queued):
                await self._budget.acquire()  # an attempt in flight spent its unit when first sent
                paced = spooled.seq
            if attempt is None:
                attempt = asyncio.ensure_future(self._publisher.publish_record(spooled.topic, spooled.record))
            try:
                await attempt
            except Exception as error:  # noqa: BLE001 - the drainer must outlive any one failure
                if not isinstance(error, BrokerUnavailable):  # an outage: the broker link counts it
                    log.warning("spooled record not yet accepted by the broker; retrying",
                                extra={"seq": spooled.seq, "error_class": type(error).__name__,
                                       "backoff_s": backoff, "count": len(self._spool)})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._backoff_max)
                continue
            await asyncio.to_thread(self._spool.remove, spooled.seq)
            self._queued.discard(spooled.seq)
            backoff = self._backoff_initial
            if len(self._spool) == 0:
                log.info("spool drained", extra={"seq": spooled.seq})

    async def wait_drained(self) -> None:
        """For tests and shutdown: wait until the spool is empty."""
        await self._idle.wait()

    async def close(self) -> None:
        """Let attempts that are still in flight finish or fail; the spool keeps whatever is left."""
        pending = list(self._in_flight.values())
        self._in_flight.clear()
        for attempt in pending:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(attempt, self._timeout)


def _consume_result(future: asyncio.Future[Delivery]) -> None:
    if not future.cancelled():
        future.exception()  # retrieved, so asyncio does not log "exception never retrieved"


class ConnectWhenPossible:
    """A publisher that may start before the broker is reachable: a signal taken while Kafka is
    down goes to the spool, and each later publish (the drainer's) tries to connect again."""

    def __init__(self, factory: Callable[[], KafkaPublisher]) -> None:
        self._factory = factory
        self._publisher: KafkaPublisher | None = None
        self._lock = asyncio.Lock()

    async def connect(self) -> KafkaPublisher:
        async with self._lock:
            if self._publisher is None:
                publisher = self._factory()
                await publisher.start()  # raises BrokerUnavailable, leaving nothing behind
                self._publisher = publisher
            return self._publisher

    async def publish(self, topic: Topic, event: Event, *, extra_headers: Sequence[Header] = ()) -> Delivery:
        return await (await self.connect()).publish(topic, event, extra_headers=extra_headers)

    async def publish_record(self, topic: Topic, record: KafkaRecord) -> Delivery:
        return await (await self.connect()).publish_record(topic, record)

    async def publish_records(self, topic: Topic, records: Sequence[KafkaRecord]) -> list[Delivery]:
        return await (await self.connect()).publish_records(topic, records)

    async def stop(self) -> None:
        if self._publisher is not None:
            await self._publisher.stop()
