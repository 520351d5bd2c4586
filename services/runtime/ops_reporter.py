"""A process's voice on ``ops.events``: heartbeats on a timer, and what the runtime has to report.

Ops events are advice for operators, never part of a signal's path: publishing one never blocks
or fails the work that caused it. A dead letter is durable on its DLQ before its ops event is
even attempted, and the ops service also watches the DLQs' depth, so a lost ops event hides
nothing for long. Events carry ids and counts only (see ``contracts.events.ops_event``).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from contracts import Topic
from contracts.events import OpsEvent, OpsKind, Severity
from services.runtime.broker_link import broker_link
from services.runtime.errors import BrokerUnavailable, HotlineError
from services.runtime.health import Health
from services.runtime.metrics import RuntimeMetrics
from services.runtime.publisher import Publisher

log = logging.getLogger(__name__)

# Reports made on a timer; a dead letter or a halt is always attempted.
_ROUTINE = frozenset({OpsKind.HEARTBEAT, OpsKind.SPOOL_DEPTH, OpsKind.STARTED})

# (records waiting, capacity in records); None when the process has no spool.
SpoolGauge = Callable[[], tuple[int, int]]


class OpsReporter:
    """One per process, built by ``run_service``; the service attaches its publisher once started."""

    def __init__(
        self, service: str, *, health: Health, metrics: RuntimeMetrics, interval_s: float,
        publish_timeout_s: float = 5.0,
    ) -> None:
        self.service = service
        self.instance = secrets.token_hex(6)
        self._health = health
        self._metrics = metrics
        self._interval_s = interval_s
        self._timeout_s = publish_timeout_s
        self._publisher: Publisher | None = None
        self._sequence = itertools.count()
        self._spool: SpoolGauge | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        # After a failure, routine reports pause (doubling, up to 5 minutes): a missing or broken
        # ops topic must not keep the service's one producer busy with retries.
        self._quiet_until = 0.0
        self._quiet_s = 0.0

    def attach(self, publisher: Publisher, *, spool: SpoolGauge | None = None) -> None:
        """From now on events go out through ``publisher`` (the service's own producer)."""
        self._publisher = publisher
        self._spool = spool

    def event(self, kind: OpsKind, severity: Severity = Severity.INFO, **fields: Any) -> OpsEvent:
        return OpsEvent(service=self.service, instance=self.instance, kind=kind, severity=severity,
                        occurred_at=datetime.now(UTC), sequence=next(self._sequence), **fields)

    async def emit(self, event: OpsEvent) -> bool:
        """Publish ``event``; False (logged and counted) when it could not be, never an exception."""
        publisher = self._publisher
        if publisher is None:
            self._metrics.ops_events.labels(kind=event.kind.value, result="no_publisher").inc()
            return False
        if event.kind in _ROUTINE and time.monotonic() < self._quiet_until:
            self._metrics.ops_events.labels(kind=event.kind.value, result="paused").inc()
            return False
        try:
            await asyncio.wait_for(publisher.publish(Topic.OPS_EVENTS, event), self._timeout_s)
        except (HotlineError, TimeoutError) as error:
            self._metrics.ops_events.labels(kind=event.kind.value, result="failed").inc()
            self._quiet_s = min(max(self._quiet_s * 2, 30.0), 300.0)
            self._quiet_until = time.monotonic() + self._quiet_s
            if isinstance(error, BrokerUnavailable | TimeoutError):
                broker_link().failed("ops reporter", type(error).__name__)  # an outage: counted there
            else:
                log.warning("ops event not published; routine reports pause", extra={
                    "event_type": event.kind.value, "error_class": type(error).__name__,
                    "backoff_s": self._quiet_s})
            return False
        self._quiet_s = 0.0
        self._metrics.ops_events.labels(kind=event.kind.value, result="published").inc()
        return True

    def emit_soon(self, event: OpsEvent) -> None:
        """Publish in the background: for reports made on a record's path (a dead letter)."""
        task = asyncio.ensure_future(self._emit_quietly(event))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _emit_quietly(self, event: OpsEvent) -> None:
        await self.emit(event)

    async def heartbeat(self) -> None:
        """One heartbeat (and the spool's depth, for a process that has one)."""
        ready = self._health.ready
        await self.emit(self.event(OpsKind.HEARTBEAT, Severity.INFO if ready else Severity.WARNING,
                                   ready=ready))
        if self._spool is not None:
            depth, capacity = self._spool()
            fill = depth / capacity if capacity else 0.0
            severity = (Severity.CRITICAL if fill >= 0.9
                        else Severity.WARNING if fill >= 0.5 else Severity.INFO)
            await self.emit(self.event(OpsKind.SPOOL_DEPTH, severity, value=float(depth),
                                       capacity=float(capacity)))

    async def run(self, stop: asyncio.Event) -> None:
        """Heartbeats every ``interval_s`` until ``stop``; the first once a publisher is attached."""
        started = False
        while not stop.is_set():
            if self._publisher is not None:
                if not started:
                    started = await self.emit(self.event(OpsKind.STARTED))
                await self.heartbeat()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._interval_s if started else 0.5)
            except TimeoutError:
                continue

    async def close(self) -> None:
        """Say the process is stopping, and let background reports finish (bounded by the timeout)."""
        if self._in_flight:  # reports made on a record's path go out before the goodbye
            await asyncio.wait(self._in_flight, timeout=self._timeout_s)
        if self._publisher is not None:
            await self.emit(self.event(OpsKind.STOPPING))
        self._publisher = None  # the service stops its producer next; heartbeats end here
