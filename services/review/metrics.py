"""Review's own Prometheus metrics: open cases past their deadline, per urgency (alerts.yml's
HotlineCaseDeadlineMissed), set by the SLA clock from ``queries.past_deadline``."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge

from contracts.events import Urgency


class DeadlineGauges:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.cases = Gauge("hotline_review_cases_past_deadline",
                           "Open cases past their deadline (no acknowledgement owed), by urgency.",
                           ["urgency"], registry=registry)
        self.oldest = Gauge("hotline_review_oldest_past_deadline_seconds",
                            "How long ago the oldest open case's deadline passed (0 when none), by urgency.",
                            ["urgency"], registry=registry)

    def observe(self, past: dict[str, tuple[int, float]]) -> None:
        # Every urgency is set, to 0 when none is late, so an alert resolves and a series never stalls.
        for urgency in Urgency:
            count, oldest = past.get(urgency.value, (0, 0.0))
            self.cases.labels(urgency=urgency.value).set(count)
            self.oldest.labels(urgency=urgency.value).set(oldest)
