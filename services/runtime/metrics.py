"""Prometheus metrics of the runtime. Labels are topics, groups and kinds: never ids or content."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# End to end includes time spent in an intake's spool while the broker was away: up to hours.
END_TO_END_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0, 300.0,
                      1800.0, 7200.0)
INTAKE_OUTCOMES = ("published", "spooled", "rejected", "quarantined", "unavailable")


class RuntimeMetrics:
    """Built once per process in ``main`` and passed down; nothing registers at import time."""

    def __init__(self, service: str, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.info = Gauge("hotline_service_info", "Constant 1, labelled with the service.",
                          ["service"], registry=r)
        self.info.labels(service=service).set(1)
        self.published = Counter("hotline_messages_published_total",
                                 "Records acknowledged by the broker.", ["topic"], registry=r)
        self.publish_failures = Counter("hotline_publish_failures_total",
                                        "Records the broker did not acknowledge.",
                                        ["topic", "error"], registry=r)
        self.consumed = Counter("hotline_messages_consumed_total",
                                "Records a consumer finished with, by outcome.",
                                ["topic", "group", "outcome"], registry=r)
        self.dead_letters = Counter("hotline_dead_letters_total",
                                    "Records sent to a dead-letter topic.",
                                    ["topic", "group", "error_class"], registry=r)
        self.retries = Counter("hotline_handler_retries_total",
                               "Retriable handler failures that were retried.",
                               ["topic", "group"], registry=r)
        self.batch_fallbacks = Counter("hotline_batch_fallbacks_total",
                                       "Batches a handler refused, then applied record by record.",
                                       ["topic", "group"], registry=r)
        self.commit_failures = Counter("hotline_commit_failures_total",
                                       "Offset commits that failed (rebalance or broker).",
                                       ["group"], registry=r)
        self.consecutive_failures = Gauge("hotline_consumer_consecutive_failures",
                                          "Dead letters in a row; the consumer halts past a limit.",
                                          ["group"], registry=r)
        self.handler_seconds = Histogram("hotline_handler_duration_seconds",
                                         "Time a handler took to apply one record.",
                                         ["topic", "group"], buckets=LATENCY_BUCKETS, registry=r)

        self.end_to_end_seconds = Histogram(
            "hotline_end_to_end_latency_seconds",
            "Time from the intake accepting a signal to this consumer applying a record descending "
            "from it (carried in the hotline_ingested_at header).",
            ["topic", "group"], buckets=END_TO_END_BUCKETS, registry=r)
        self.triage_signals = Counter("hotline_triage_signals_total",
                                      "Signals triaged, by urgency and call type.",
                                      ["urgency", "call_type"], registry=r)
        self.triage_flags = Counter("hotline_triage_flags_total",
                                    "Flags raised by triage.", ["flag"], registry=r)
        self.ops_events = Counter("hotline_ops_events_published_total",
                                  "Ops events this process published, by kind and result.",
                                  ["kind", "result"], registry=r)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def intake_signals_counter(registry: CollectorRegistry) -> Counter:
    """The one count every intake keeps, under one name: inputs by channel and outcome
    (``INTAKE_OUTCOMES``). Each intake registers it on its process's registry."""
    return Counter("hotline_intake_signals_total", "Inputs an intake handled, by channel and outcome.",
                   ["channel", "outcome"], registry=registry)
