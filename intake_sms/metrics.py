"""Metrics of the SMS intake: counts by outcome and kind, never ids, numbers or words."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from services.runtime.metrics import intake_signals_counter


class SmsMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = registry or CollectorRegistry()
        self.intake = intake_signals_counter(r)
        self.media = Counter("hotline_sms_media_total", "MMS media, by what became of them.",
                             ["outcome", "reason"], registry=r)
        self.texts_sent = Counter("hotline_sms_texts_sent_total",
                                  "Texts the intake sent or tried to send, by kind and result.",
                                  ["kind", "result"], registry=r)
        self.replies = Counter("hotline_sms_replies_total",
                               "Supervisors' replies, by outcome and reason.", ["kind", "reason"], registry=r)
        self.spool_records = Gauge("hotline_sms_spool_records",
                                   "Texts waiting in the local spool for the broker.", registry=r)

    def accept(self, outcome: str) -> None:
        self.intake.labels(channel="sms", outcome=outcome).inc()
