"""The daily retention purge as a task of the review service: one replica at a time, counted for
Prometheus (items purged per class; counts only)."""

from __future__ import annotations

import asyncio
import logging

from prometheus_client import CollectorRegistry, Counter, Gauge

from services.review.purge import PURGE_LOCK, Purge, PurgeRun
from services.runtime.retention import DataClass
from services.runtime.sql import advisory_lock

__all__ = ["PurgeMetrics", "purge_once", "retention_purge"]

log = logging.getLogger(__name__)


class PurgeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.items = Counter("hotline_review_purged_items",
                             "Items the retention purge removed from closed cases, by class of content.",
                             ["data_class"], registry=registry)
        self.blocked = Counter("hotline_review_purge_blocked",
                               "Classes of a case the purge could not remove (retried on the next run).",
                               registry=registry)
        self.last_success = Gauge("hotline_review_purge_last_success_timestamp_seconds",
                                  "When a retention purge last ran to its end without a blocked class.",
                                  registry=registry)
        for data_class in DataClass:  # every series exists from the start, at 0
            self.items.labels(data_class=data_class.value)

    def purged(self, data_class: DataClass, items: int) -> None:
        self.items.labels(data_class=data_class.value).inc(items)


def purge_once(purge: Purge, stop: asyncio.Event) -> PurgeRun | None:
    """One run, if no other replica is running one (None then). Blocking: run it in a thread."""
    with advisory_lock(purge.db.engine, PURGE_LOCK, wait=False) as held:
        if not held:
            return None
        return purge.run(stop=stop.is_set)


async def retention_purge(purge: Purge, interval_s: float, metrics: PurgeMetrics,
                          stop: asyncio.Event) -> None:
    """Run the purge every ``interval_s``. Every replica runs this loop; a run purges only while it
    holds the purge's advisory lock, so two replicas never purge (and audit) the same case twice.
    A run ends early when the service stops: what it did is committed case by case."""
    while not stop.is_set():
        try:
            result = await asyncio.to_thread(purge_once, purge, stop)
            if result is not None:
                if result.blocked:
                    metrics.blocked.inc(result.blocked)
                else:
                    metrics.last_success.set_to_current_time()
                log.info("retention purge ran", extra={"count": result.cases})
        except Exception as error:  # noqa: BLE001 - the schedule must keep running; the next run retries
            log.error("retention purge failed", extra={"error_class": type(error).__name__})
        try:
            await asyncio.wait_for(stop.wait(), interval_s)
        except TimeoutError:
            continue
