"""The ops service: folds ``ops.events``, urgent alerts and decisions; polls lag and dead letters;
exports it all as Prometheus metrics and reports what needs a person on ``ops.events``.

It reads without a consumer group (it must never hold back anyone's offsets, and its view is
rebuilt from the topics at every start): ops events of the last ``HOTLINE_OPS_HISTORY_MINUTES``,
and every urgent alert and review decision the topics keep.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge
from pydantic import Field

from contracts.events import InputQuarantined, OpsEvent, OpsKind, Severity
from services.ops.collect import CASE_TOPICS, OPS_TOPICS, BrokerSnapshot, broker_snapshot
from services.ops.state import OpsState
from services.runtime import (
    BrokerUnavailable,
    KafkaPublisher,
    OpsReporter,
    RuntimeSettings,
    ServiceContext,
    load_settings,
    run_service,
)
from services.runtime.broker_link import broker_link
from services.runtime.broker_view import TopicFollower

log = logging.getLogger(__name__)

SERVICE = "ops"


class OpsSettings(RuntimeSettings):
    ops_poll_s: float = Field(default=15.0, gt=0)
    # An urgent alert unanswered this long is an SLA breach, reported once per signal.
    ops_urgent_ack_s: float = Field(default=300.0, gt=0)
    ops_lag_warn_records: int = Field(default=1_000, ge=1)
    ops_history_minutes: int = Field(default=30, ge=1)


class OpsMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        r = registry
        self.lag = Gauge("hotline_consumer_lag_records", "Records a consumer group has yet to read.",
                         ["group", "topic", "partition"], registry=r)
        self.dlq = Gauge("hotline_dlq_records", "Records held in each dead-letter topic.", ["topic"],
                         registry=r)
        self.heartbeat = Gauge("hotline_service_last_heartbeat_timestamp_seconds",
                               "Unix time of the last heartbeat seen from each service.", ["service"],
                               registry=r)
        self.unacknowledged = Gauge("hotline_urgent_unacknowledged",
                                    "Urgent alerts no review decision has answered yet.", registry=r)
        self.oldest = Gauge("hotline_urgent_unacknowledged_oldest_age_seconds",
                            "Age of the oldest unanswered urgent alert (0 when there is none).", registry=r)
        self.spool = Gauge("hotline_spool_records", "Records waiting in an intake's spool.", ["service"],
                           registry=r)
        self.spool_capacity = Gauge("hotline_spool_capacity_records", "Capacity of an intake's spool.",
                                    ["service"], registry=r)
        self.events = Counter("hotline_ops_events_total", "Ops events seen, by service, kind and severity.",
                              ["service", "kind", "severity"], registry=r)

    def observe_event(self, event: OpsEvent | InputQuarantined) -> None:
        if isinstance(event, InputQuarantined):
            self.events.labels(service=event.service, kind="quarantine", severity="warning").inc()
            return
        self.events.labels(service=event.service, kind=event.kind.value, severity=event.severity.value).inc()

    def observe_state(self, state: OpsState, now: datetime) -> None:
        for name, seen in state.services.items():
            self.heartbeat.labels(service=name).set(seen.last_seen.timestamp())
        for name, spool in state.spools.items():
            self.spool.labels(service=name).set(spool.records)
            self.spool_capacity.labels(service=name).set(spool.capacity)
        open_alerts = state.unacknowledged(now)
        self.unacknowledged.set(len(open_alerts))
        self.oldest.set(open_alerts[0][1] if open_alerts else 0.0)

    def observe_broker(self, snapshot: BrokerSnapshot) -> None:
        for p in snapshot.lag:
            self.lag.labels(group=p.group, topic=p.topic.value, partition=str(p.partition)).set(p.lag)
        for depth in snapshot.dlq:
            self.dlq.labels(topic=depth.topic.value).set(depth.records)


class Watch:
    """What the ops service reports on ``ops.events`` itself: lag over the floor, dead letters that
    appeared since the last look, and urgent alerts left unanswered too long (once per signal)."""

    def __init__(self, settings: OpsSettings, reporter: OpsReporter) -> None:
        self._settings = settings
        self._reporter = reporter
        self._dlq_seen: dict[str, int] = {}
        self._breached: set[str] = set()

    async def after_poll(self, snapshot: BrokerSnapshot, state: OpsState, now: datetime) -> None:
        r = self._reporter
        for group, lag in snapshot.group_lag().items():
            if lag >= self._settings.ops_lag_warn_records:
                await r.emit(r.event(OpsKind.LAG, Severity.WARNING, group=_name(group), value=float(lag)))
        for depth in snapshot.dlq:
            before = self._dlq_seen.get(depth.topic.value)
            self._dlq_seen[depth.topic.value] = depth.records
            if depth.records > (before or 0):
                await r.emit(r.event(OpsKind.DLQ_DEPTH, Severity.WARNING, topic=depth.topic.value,
                                     value=float(depth.records)))
        for signal_id, age in state.unacknowledged(now):
            if age < self._settings.ops_urgent_ack_s:
                break  # oldest first
            if str(signal_id) not in self._breached:
                self._breached.add(str(signal_id))
                await r.emit(r.event(OpsKind.SLA_BREACH, Severity.CRITICAL, signal_id=signal_id,
                                     reason="urgent_unacknowledged", value=round(age, 1)))


def _name(group: str) -> str:
    # OpsEvent.group allows lower-case names only; groups outside the convention are shown folded.
    return group.lower()[:120] if group[:1].isalpha() else f"g{group.lower()[:119]}"


async def serve(context: ServiceContext, settings: OpsSettings) -> None:
    publisher = KafkaPublisher(settings, source=f"/hotline/{SERVICE}", metrics=context.metrics)
    await publisher.start()
    context.ops.attach(publisher)
    metrics = OpsMetrics(context.metrics.registry)
    state = OpsState()
    watch = Watch(settings, context.ops)
    recent = TopicFollower(settings, OPS_TOPICS, client_id="hotline.ops.events")
    cases = TopicFollower(settings, CASE_TOPICS, client_id="hotline.ops.cases")
    await recent.start(since=datetime.now(UTC) - timedelta(minutes=settings.ops_history_minutes))
    await cases.start(since=None)
    context.health.register("streams")
    context.health.register("broker")

    async def fold(follower: TopicFollower) -> None:
        async for batch in follower.batches(timeout_ms=500):
            for record in batch:
                decoded = state.apply(record)
                if isinstance(decoded, OpsEvent | InputQuarantined):
                    metrics.observe_event(decoded)
            metrics.observe_state(state, datetime.now(UTC))
            context.health.set("streams", ready=True, detail="following")
            if context.stop.is_set():
                return

    async def poll() -> None:
        while not context.stop.is_set():
            try:
                snapshot = await broker_snapshot(settings)
            except (BrokerUnavailable, TimeoutError) as error:
                context.health.set("broker", ready=False, detail="broker unreachable")
                broker_link().failed("ops poll", type(error).__name__)  # counted, not logged each time
            else:
                broker_link().succeeded("ops poll")
                metrics.observe_broker(snapshot)
                now = datetime.now(UTC)
                metrics.observe_state(state, now)
                await watch.after_poll(snapshot, state, now)
                context.health.set("broker", ready=True, detail="polling")
            try:
                await asyncio.wait_for(context.stop.wait(), settings.ops_poll_s)
            except TimeoutError:
                continue

    tasks = [asyncio.create_task(fold(recent), name="ops.fold-events"),
             asyncio.create_task(fold(cases), name="ops.fold-cases"),
             asyncio.create_task(poll(), name="ops.poll")]
    try:
        await context.stop.wait()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await recent.stop()
        await cases.stop()
        await context.ops.close()
        await publisher.stop()


def main() -> int:
    settings = load_settings(OpsSettings)
    return run_service(SERVICE, settings, lambda context: serve(context, settings))
