"""The topic registry: every topic's logical name, key, partitions, retention, DLQ and who uses it.

Topic names never appear as string literals at call sites: code names a ``Topic`` and asks
``physical_name`` for the broker-side name (which may carry a per-environment prefix).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

from contracts._base import Event
from contracts.events import (
    EntitiesSighted,
    ErasureOrdered,
    ErasureRequested,
    InputQuarantined,
    OpsEvent,
    ReplyOutcome,
    ReplyRequested,
    ReportOutcome,
    ReportRequested,
    ReviewDecision,
    SignalReceived,
    SignalTriaged,
    UrgentAlert,
)


class Service(StrEnum):
    """The processes that produce to or consume from topics."""

    INTAKE_WEBFORM = "intake-webform"
    INTAKE_EMAIL = "intake-email"
    INTAKE_PHONE = "intake-phone"
    INTAKE_SMS = "intake-sms"
    TRIAGE = "triage"
    REVIEW = "review"
    REPORTING = "reporting"
    OPS = "ops"

    @property
    def source(self) -> str:
        """The CloudEvents ``source`` of what this service publishes."""
        return f"/hotline/{self.value}"


class Topic(StrEnum):
    SIGNALS_RECEIVED = "signals.received"
    SIGNALS_TRIAGED = "signals.triaged"
    ALERTS_URGENT = "alerts.urgent"
    REPORTS_REQUESTED = "reports.requested"
    REPORTS_OUTCOMES = "reports.outcomes"
    REVIEW_DECISIONS = "review.decisions"
    REPLIES_REQUESTED = "replies.requested"
    REPLIES_OUTCOMES = "replies.outcomes"
    OPS_EVENTS = "ops.events"
    ENTITIES_SIGHTED = "entities.sighted"
    ERASURES_REQUESTED = "erasures.requested"
    ERASURES_ORDERED = "erasures.ordered"
    SIGNALS_RECEIVED_DLQ = "signals.received.dlq"
    SIGNALS_TRIAGED_DLQ = "signals.triaged.dlq"
    ALERTS_URGENT_DLQ = "alerts.urgent.dlq"
    REPORTS_REQUESTED_DLQ = "reports.requested.dlq"
    REPORTS_OUTCOMES_DLQ = "reports.outcomes.dlq"
    REVIEW_DECISIONS_DLQ = "review.decisions.dlq"
    REPLIES_REQUESTED_DLQ = "replies.requested.dlq"
    REPLIES_OUTCOMES_DLQ = "replies.outcomes.dlq"
    ERASURES_REQUESTED_DLQ = "erasures.requested.dlq"
    ERASURES_ORDERED_DLQ = "erasures.ordered.dlq"


@dataclass(frozen=True)
class TopicSpec:
    """How one topic is laid out and who may touch it."""

    topic: Topic
    description: str
    key: str
    partitions: int
    # None keeps records forever; signal topics are bounded because the case store, not Kafka,
    # is the system of record for narrative text.
    retention: timedelta | None
    producers: frozenset[Service]
    consumers: frozenset[Service]
    event_types: tuple[type[Event], ...] = ()
    dlq: Topic | None = None
    cleanup_policy: Literal["delete", "compact"] = "delete"
    extra_config: Mapping[str, str] = field(default_factory=dict)

    def config(self) -> dict[str, str]:
        """The topic-level configuration the provisioning command creates and verifies."""
        retention_ms = -1 if self.retention is None else int(self.retention.total_seconds() * 1000)
        return {
            "cleanup.policy": self.cleanup_policy,
            "retention.ms": str(retention_ms),
            # Producer timestamps carry the time a signal was taken in, which SLA clocks use.
            "message.timestamp.type": "CreateTime",
            **self.extra_config,
        }

    @property
    def is_dlq(self) -> bool:
        return self.topic.value.endswith(".dlq")


_DAY = timedelta(days=1)
_ALL = frozenset(Service)
_INTAKES = frozenset({Service.INTAKE_WEBFORM, Service.INTAKE_EMAIL, Service.INTAKE_PHONE, Service.INTAKE_SMS})


def _dlq_spec(source: Topic, dlq: Topic, consumers_of_source: frozenset[Service]) -> TopicSpec:
    return TopicSpec(
        topic=dlq,
        description=f"Records of {source.value} that a consumer could not apply: original "
        "bytes and headers, plus dlq_* headers with the reason.",
        key="as the source topic",
        partitions=1,
        retention=timedelta(days=30),
        producers=consumers_of_source,
        consumers=frozenset({Service.OPS}),
    )


_SPECS: tuple[TopicSpec, ...] = (
    TopicSpec(
        topic=Topic.SIGNALS_RECEIVED,
        description="Every signal taken in, from every channel, in one shape.",
        key="signal id",
        partitions=6,
        retention=14 * _DAY,
        producers=_INTAKES,
        # Review keeps the narrative and the reporter: the case store is their system of record.
        # Reporting keeps the declared victims and consent flags, and what consent lets it send.
        consumers=frozenset({Service.TRIAGE, Service.REVIEW, Service.REPORTING}),
        event_types=(SignalReceived,),
        dlq=Topic.SIGNALS_RECEIVED_DLQ,
    ),
    TopicSpec(
        topic=Topic.SIGNALS_TRIAGED,
        description="Triage's assessment of each signal: flags with evidence, urgency, routes.",
        key="signal id",
        partitions=6,
        retention=14 * _DAY,
        producers=frozenset({Service.TRIAGE}),
        # Ops's process does not read it; hotline-ops stats --topic runs with an operator's credentials.
        consumers=frozenset({Service.REVIEW}),
        event_types=(SignalTriaged,),
        dlq=Topic.SIGNALS_TRIAGED_DLQ,
    ),
    TopicSpec(
        topic=Topic.ALERTS_URGENT,
        description="Urgent signals (a minor, imminent danger) to push to supervisors at once.",
        key="signal id",
        partitions=3,
        retention=14 * _DAY,
        producers=frozenset({Service.TRIAGE}),
        consumers=frozenset({Service.REVIEW, Service.OPS}),
        event_types=(UrgentAlert,),
        dlq=Topic.ALERTS_URGENT_DLQ,
    ),
    TopicSpec(
        topic=Topic.REPORTS_REQUESTED,
        description="Reports to law-enforcement and service contacts: break-glass or approved.",
        key="report id",
        partitions=3,
        retention=30 * _DAY,
        producers=frozenset({Service.TRIAGE, Service.REVIEW}),
        consumers=frozenset({Service.REPORTING}),
        event_types=(ReportRequested,),
        dlq=Topic.REPORTS_REQUESTED_DLQ,
    ),
    TopicSpec(
        topic=Topic.REPORTS_OUTCOMES,
        description="What happened to each report: delivered, acknowledged, fell back, failed.",
        key="report id",
        partitions=3,
        retention=30 * _DAY,
        producers=frozenset({Service.REPORTING}),
        consumers=frozenset({Service.REVIEW}),
        event_types=(ReportOutcome,),
        dlq=Topic.REPORTS_OUTCOMES_DLQ,
    ),
    TopicSpec(
        topic=Topic.REVIEW_DECISIONS,
        description="Supervisors' decisions on cases.",
        key="signal id",
        partitions=3,
        retention=30 * _DAY,
        producers=frozenset({Service.REVIEW}),
        # Ops: an urgent alert is answered once a decision is keyed by its signal id.
        consumers=frozenset({Service.OPS}),
        event_types=(ReviewDecision,),
        dlq=Topic.REVIEW_DECISIONS_DLQ,
    ),
    TopicSpec(
        topic=Topic.REPLIES_REQUESTED,
        description="Supervisors' replies to texters, for the SMS intake to send or refuse.",
        key="recipient key",
        partitions=3,
        # The words of a reply: the case store keeps them; Kafka only until they are sent.
        retention=7 * _DAY,
        producers=frozenset({Service.REVIEW}),
        consumers=frozenset({Service.INTAKE_SMS}),
        event_types=(ReplyRequested,),
        dlq=Topic.REPLIES_REQUESTED_DLQ,
    ),
    TopicSpec(
        topic=Topic.REPLIES_OUTCOMES,
        description="What became of each reply: sent, refused (and why), failed, interrupted.",
        key="reply id",
        partitions=3,
        retention=30 * _DAY,
        producers=frozenset({Service.INTAKE_SMS}),
        consumers=frozenset({Service.REVIEW}),
        event_types=(ReplyOutcome,),
        dlq=Topic.REPLIES_OUTCOMES_DLQ,
    ),
    TopicSpec(
        topic=Topic.OPS_EVENTS,
        description="Heartbeats, SLA breaches, dead letters, spool depth: ids only, never content.",
        key="service",
        partitions=1,
        retention=7 * _DAY,
        producers=_ALL,
        consumers=frozenset({Service.OPS}),
        event_types=(InputQuarantined, OpsEvent),
    ),
    TopicSpec(
        topic=Topic.ENTITIES_SIGHTED,
        description="Keyed hashes of the entities each signal names: triage's correlation window, "
        "read whole by every triage worker.",
        key="signal id",
        partitions=3,
        # The correlation window's default (HOTLINE_CORRELATION_WINDOW_HOURS): older sightings
        # link nothing, and a longer window cannot reach past what the topic keeps.
        retention=30 * _DAY,
        producers=frozenset({Service.TRIAGE}),
        consumers=frozenset({Service.TRIAGE}),
        event_types=(EntitiesSighted,),
    ),
    TopicSpec(
        topic=Topic.ERASURES_REQUESTED,
        description="Reporters' requests, receipt checked, that their contact details be erased.",
        key="reference number",
        partitions=1,
        # Reference numbers only; a request waits in review for a supervisor, not on the topic.
        retention=30 * _DAY,
        producers=frozenset({Service.INTAKE_WEBFORM}),
        consumers=frozenset({Service.REVIEW}),
        event_types=(ErasureRequested,),
        dlq=Topic.ERASURES_REQUESTED_DLQ,
    ),
    TopicSpec(
        topic=Topic.ERASURES_ORDERED,
        description="Erasures review confirmed (a reporter's request, or staff's with two people): "
        "what reporting removes from its ledger and unsent reports.",
        key="case id",
        partitions=1,
        retention=30 * _DAY,
        producers=frozenset({Service.REVIEW}),
        consumers=frozenset({Service.REPORTING}),
        event_types=(ErasureOrdered,),
        dlq=Topic.ERASURES_ORDERED_DLQ,
    ),
)

_DLQ_SPECS = tuple(
    _dlq_spec(spec.topic, spec.dlq, spec.consumers) for spec in _SPECS if spec.dlq is not None
)

REGISTRY: Mapping[Topic, TopicSpec] = MappingProxyType(
    {spec.topic: spec for spec in (*_SPECS, *_DLQ_SPECS)}
)

_PREFIX_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def spec_for(topic: Topic) -> TopicSpec:
    return REGISTRY[topic]


def physical_name(topic: Topic, prefix: str = "") -> str:
    """The broker-side name: ``prefix`` + logical name (prefixes isolate environments and tests)."""
    if prefix and not set(prefix) <= _PREFIX_CHARS:
        raise ValueError("topic prefix may only use letters, digits, '.', '_' and '-'")
    name = f"{prefix}{topic.value}"
    if len(name) > 249:
        raise ValueError("topic name longer than Kafka's 249-character limit")
    return name


def topic_for_event(event_type: type[Event]) -> Topic:
    """The one topic an event type is published to."""
    for spec in REGISTRY.values():
        if event_type in spec.event_types:
            return spec.topic
    raise LookupError(f"no topic carries {event_type.__name__}")
