"""Erasure requests waiting for a supervisor, for Prometheus (alerts.yml's HotlineErasureRequestWaiting):
a reporter who asked to be forgotten must not wait on a page nobody opens."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from prometheus_client import CollectorRegistry, Gauge

from services.review.erasure import Erasures

log = logging.getLogger(__name__)


class ErasureGauges:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.pending = Gauge("hotline_review_erasure_requests_pending",
                             "Erasure requests (reporters' and staff's) waiting for a supervisor.",
                             registry=registry)
        self.oldest = Gauge("hotline_review_erasure_requests_oldest_pending_seconds",
                            "How long the oldest erasure request has waited (0 when none).",
                            registry=registry)

    def observe(self, erasures: Erasures, now: datetime) -> None:
        waiting = [p.request.requested_at for p in erasures.pending()]
        self.pending.set(len(waiting))
        self.oldest.set(max(((now - at).total_seconds() for at in waiting), default=0.0))


async def watch(erasures: Erasures, gauges: ErasureGauges, now: Callable[[], datetime], stop: asyncio.Event,
                every_s: float) -> None:
    """Refresh the gauges until ``stop``; a database error is logged and tried again next time."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(gauges.observe, erasures, now())
        except Exception as error:  # noqa: BLE001 - a gauge must not end review; the next tick retries
            log.error("erasure gauge failed", extra={"error_class": type(error).__name__})
        try:
            await asyncio.wait_for(stop.wait(), every_s)
        except TimeoutError:
            continue
