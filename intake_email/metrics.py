"""Metrics of the email intake: counts by outcome and mailbox, never addresses, subjects or content."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from services.runtime.metrics import intake_signals_counter


class EmailMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = registry or CollectorRegistry()
        self.messages = Counter("hotline_email_messages_total",
                                "Messages handed off, by outcome (signal, automated, quarantined).",
                                ["outcome"], registry=r)
        self.reconnects = Counter("hotline_email_reconnects_total",
                                  "IMAP connections lost and retried.", ["mailbox"], registry=r)
        # The mailbox is this intake's spool: what waits there has not reached Kafka yet. Counted at
        # each search and after each hand-off, so it is on /metrics while Kafka is away.
        self.backlog = Gauge("hotline_email_backlog_messages",
                             "Messages in the mailbox not yet handed off to Kafka (as of the last search).",
                             ["mailbox"], registry=r)
        self.intake = intake_signals_counter(r)

    def handed_off(self, outcome: str) -> None:
        """One message handed off: ``signal``, ``automated`` (both published) or ``quarantined``."""
        self.messages.labels(outcome=outcome).inc()
        self.intake.labels(channel="email",
                           outcome="quarantined" if outcome == "quarantined" else "published").inc()
