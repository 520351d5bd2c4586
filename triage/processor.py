"""One record through triage: decode, assess, publish; what cannot be triaged is dead-lettered.

Independent of faust so that it is unit-tested with the in-memory publisher; the agent in
``app`` only feeds it records.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from contracts import CODEC, DecodeError, Topic
from contracts.events import SignalReceived, SignalTriaged
from services.runtime import (
    ConsumerHalted,
    DeadLetterer,
    FailedRecord,
    Publisher,
    RetriableError,
    RuntimeMetrics,
)
from triage.rules import assess

log = logging.getLogger(__name__)

GROUP = "triage"


class TriageProcessor:
    def __init__(
        self, *, publisher: Publisher, dead_letters: DeadLetterer, metrics: RuntimeMetrics,
        now: Callable[[], datetime], group: str, on_halt: Callable[[ConsumerHalted], None],
        backoff_max_s: float = 10.0,
    ) -> None:
        self._on_halt = on_halt
        self._publisher = publisher
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._now = now
        self._group = group
        self._backoff_max_s = backoff_max_s

    async def process(self, record: FailedRecord) -> None:
        """Triage ``record``. Returns only once its outcome is durable (published or dead-lettered)."""
        try:
            await self._process(record)
        except ConsumerHalted as error:
            self._on_halt(error)
            # Never return: faust would ack (and later commit) the record we could not handle.
            # The service stops the app, and the record is read again after the restart.
            await asyncio.Future()

    async def _process(self, record: FailedRecord) -> None:
        try:
            signal = CODEC.decode_as(SignalReceived, record.value, record.headers)
            triaged = assess(signal, now=self._now())
        except DecodeError as error:
            await self._dead_letters.send(record, error, attempts=0)
            return
        except Exception as error:  # noqa: BLE001 - a rules bug must not stop every other signal
            await self._dead_letters.send(record, error, attempts=1)
            return
        await self._publish_until_acked(triaged, record)
        self._dead_letters.succeeded()
        self._metrics.consumed.labels(topic=record.topic.value, group=self._group,
                                      outcome="applied").inc()

    async def _publish_until_acked(self, triaged: SignalTriaged, record: FailedRecord) -> None:
        # faust acks (and so commits) an event once the agent moves past it, even if the agent
        # raised. So a broker outage is waited out here, never raised: skipping would lose the
        # signal's triage, and a signal left untriaged is a person left in a queue.
        delay = 0.2
        while True:
            try:
                await self._publisher.publish(Topic.SIGNALS_TRIAGED, triaged)
                return
            except RetriableError as error:
                log.warning("publish failed, retrying", extra={
                    "topic": record.topic.value, "partition": record.partition,
                    "offset": record.offset, "error_class": type(error).__name__, "backoff_s": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff_max_s)
