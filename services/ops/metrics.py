"""What the ops service exports to Prometheus: lag, dead letters, heartbeats, spools, urgent alerts."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge

from contracts.events import InputQuarantined, OpsEvent
from services.ops.collect import BrokerSnapshot
from services.ops.state import OpsState


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
