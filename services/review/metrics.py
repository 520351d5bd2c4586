"""Review's own Prometheus metrics: open cases past their deadline, per urgency (alerts.yml's
HotlineCaseDeadlineMissed), and minors' mandatory reports overdue or failed
(HotlineMandatoryReportOverdue, HotlineMandatoryReportFailed); set by the SLA clock."""

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


class ObligationGauges:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.overdue = Gauge("hotline_review_mandatory_reports_overdue",
                             "Minors' cases whose mandatory reports are past due and not discharged.",
                             registry=registry)
        self.oldest = Gauge("hotline_review_mandatory_reports_oldest_overdue_seconds",
                            "How long ago the oldest undischarged mandatory report fell due (0 when none).",
                            registry=registry)
        self.failed = Gauge("hotline_review_mandatory_reports_failed",
                            "Minors' cases whose mandatory report went unacknowledged to its chain's end.",
                            registry=registry)

    def observe(self, overdue: int, oldest: float, failed: int) -> None:
        self.overdue.set(overdue)
        self.oldest.set(oldest)
        self.failed.set(failed)
