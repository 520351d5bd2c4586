"""Metrics of the email intake: counts by outcome and mailbox, never addresses, subjects or content."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class EmailMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = registry or CollectorRegistry()
        self.messages = Counter("hotline_email_messages_total",
                                "Messages handed off, by outcome (signal, automated, quarantined).",
                                ["outcome"], registry=r)
        self.reconnects = Counter("hotline_email_reconnects_total",
                                  "IMAP connections lost and retried.", ["mailbox"], registry=r)
