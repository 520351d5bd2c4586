"""Reading ``entities.sighted`` whole into the correlation store: the window every worker shares.

At start, the topic is read from the beginning of the correlation window up to its end before the
agent takes its first signal (``load``), so a restarted worker links as if it had never stopped;
then it is followed (``follow``) for what the other workers publish. No consumer group: every
worker reads every partition, and nothing is committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from contracts import CODEC, DecodeError, Topic
from contracts.events import EntitiesSighted
from services.runtime import BrokerUnavailable, RuntimeMetrics
from services.runtime.broker_view import TopicFollower
from services.runtime.records import BrokerRecord
from triage.config import TriageSettings
from triage.correlation import CorrelationStore

log = logging.getLogger(__name__)

GROUP = "triage.sightings"  # a label for the metrics: the follower joins no group
_RESUME_MARGIN = timedelta(minutes=1)


class Sightings:
    def __init__(self, settings: TriageSettings, store: CorrelationStore, metrics: RuntimeMetrics, *,
                 client_id: str, now: Callable[[], datetime]) -> None:
        self._settings = settings
        self._store = store
        self._metrics = metrics
        self._client_id = client_id
        self._now = now
        self._follower: TopicFollower | None = None
        self._last_seen: datetime | None = None
        self.applied = 0

    async def load(self, *, timeout_s: float) -> bool:
        """Read the window up to the topic's current end; False if ``timeout_s`` ran out first."""
        follower = await self._start(self._now() - self._settings.correlation_window)
        deadline = asyncio.get_running_loop().time() + timeout_s
        async for batch in follower.batches(timeout_ms=200):
            self._apply(batch)
            if await follower.caught_up():
                return True
            if asyncio.get_running_loop().time() > deadline:
                log.warning("correlation window not fully read at start; links to older signals "
                            "may be missing until it is", extra={"count": self.applied})
                return False
        return False  # pragma: no cover - batches() never ends by itself

    async def follow(self, stop: asyncio.Event) -> None:
        """Apply what every worker publishes until ``stop``; a lost broker is waited out."""
        delay = 0.5
        while not stop.is_set():
            try:
                follower = self._follower or await self._start(
                    (self._last_seen or self._now()) - _RESUME_MARGIN)
                async for batch in follower.batches(timeout_ms=500):
                    self._apply(batch)
                    delay = 0.5
                    if stop.is_set():
                        return
            except BrokerUnavailable:
                # Sightings missed meanwhile are read again from just before the last one seen;
                # the store ignores those it already holds.
                await self.close()
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                except TimeoutError:
                    delay = min(delay * 2, 10.0)

    async def close(self) -> None:
        if self._follower is not None:
            follower, self._follower = self._follower, None
            await follower.stop()

    async def _start(self, since: datetime) -> TopicFollower:
        follower = TopicFollower(self._settings, [Topic.ENTITIES_SIGHTED], client_id=self._client_id)
        await follower.start(since=since)
        self._follower = follower
        return follower

    def _apply(self, batch: list[BrokerRecord]) -> None:
        for record in batch:
            try:
                sighted = CODEC.decode_as(EntitiesSighted, record.value or b"", record.headers)
            except DecodeError as error:
                # Nothing to dead-letter to and nothing to hold back: this reader has no group and
                # no offsets, the record stays on the topic for whoever looks. Counted and logged.
                self._count("invalid")
                log.warning("sighting not readable, skipped", extra={
                    "topic": record.topic.value, "partition": record.partition, "offset": record.offset,
                    "error_class": type(error).__name__})
                continue
            self._store.remember(sighted.signal_id, sighted.received_at,
                                 [(e.key, e.kind) for e in sighted.entities])
            self._last_seen = datetime.fromtimestamp(record.timestamp_ms / 1000, tz=UTC)
            self.applied += 1
            self._count("applied")

    def _count(self, outcome: str) -> None:
        self._metrics.consumed.labels(topic=Topic.ENTITIES_SIGHTED.value, group=GROUP, outcome=outcome).inc()
