"""Metrics of the web intake: counts by kind and outcome, never ids, content or client data."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge

from services.runtime.metrics import intake_signals_counter
from services.runtime.spool import SpoolUsage


class WebformMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = registry or CollectorRegistry()
        self.accepted = Counter("hotline_webform_accepted_total",
                                "Tips and follow-ups made durable, by how (published or spooled).",
                                ["kind", "outcome"], registry=r)
        self.rejected = Counter("hotline_webform_rejected_total",
                                "Submissions answered with a 4xx, by reason.", ["reason"], registry=r)
        self.unavailable = Counter("hotline_webform_unavailable_total",
                                   "Submissions refused with 503 because the spool was full.", registry=r)
        # Read from the spool at each scrape, so they are right during the outage the spool is for,
        # when ops.events (and the ops service's view of the spool) cannot be reached.
        self.spool_records = Gauge("hotline_webform_spool_records",
                                   "Tips waiting in the local spool for the broker.", registry=r)
        self.spool_bytes = Gauge("hotline_webform_spool_bytes",
                                 "Bytes of the tips waiting in the local spool.", registry=r)
        self.spool_capacity_records = Gauge("hotline_webform_spool_capacity_records",
                                            "Tips the spool holds before new ones are refused (503).",
                                            registry=r)
        self.spool_capacity_bytes = Gauge("hotline_webform_spool_capacity_bytes",
                                          "Bytes the spool holds before new tips are refused (503).",
                                          registry=r)
        self.attachments_stored = Counter("hotline_webform_attachments_stored_total",
                                          "Attachments scrubbed and stored, by type.", ["media_type"],
                                          registry=r)
        self.attachments_rejected = Counter("hotline_webform_attachments_rejected_total",
                                            "Attachments refused, by reason.", ["code"], registry=r)
        self.receipt_mismatches = Counter("hotline_webform_receipt_mismatches_total",
                                          "Follow-ups whose receipt did not match the reference.",
                                          registry=r)
        self.intake = intake_signals_counter(r)
        # Each (kind, outcome)'s two children, looked up once (a label look-up takes a lock).
        self._accepted: dict[tuple[str, str], tuple[Counter, Counter]] = {}

    def watch_spool(self, usage: Callable[[], SpoolUsage]) -> None:
        """Export the spool's depth and limits as they are at each scrape."""
        self.spool_records.set_function(lambda: usage().records)
        self.spool_bytes.set_function(lambda: usage().bytes)
        self.spool_capacity_records.set_function(lambda: usage().max_records)
        self.spool_capacity_bytes.set_function(lambda: usage().max_bytes)

    def accept(self, kind: str, outcome: str) -> None:
        """A tip or follow-up made durable: ``outcome`` is published or spooled."""
        children = self._accepted.get((kind, outcome))
        if children is None:
            children = self._accepted[(kind, outcome)] = (
                self.accepted.labels(kind=kind, outcome=outcome),
                self.intake.labels(channel="webform", outcome=outcome))
        for child in children:
            child.inc()

    def reject(self, reason: str) -> None:
        self.rejected.labels(reason=reason).inc()
        self.intake.labels(channel="webform", outcome="rejected").inc()

    def refuse_unavailable(self) -> None:
        self.unavailable.inc()
        self.intake.labels(channel="webform", outcome="unavailable").inc()
