"""``OpsEvent``: what a service tells the operators: heartbeats, dead letters, lag, spool depth.

Ids, names, counts and error kinds only, never content: an ops event may be shown on any screen
at 3 a.m. and kept in any log. The affected record is named by topic, partition and offset (and
its event id), so whoever has the right access can look it up where it lives.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field

from contracts._base import Event
from contracts.ids import derive_id

ServiceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,63}$")]
Code = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_:.-]{0,79}$")]


class OpsKind(StrEnum):
    HEARTBEAT = "heartbeat"
    STARTED = "started"
    STOPPING = "stopping"
    DEAD_LETTER = "dead_letter"
    CONSUMER_HALTED = "consumer_halted"
    SPOOL_DEPTH = "spool_depth"
    LAG = "lag"
    DLQ_DEPTH = "dlq_depth"
    SLA_BREACH = "sla_breach"
    ESCALATION = "escalation"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class OpsEvent(Event):
    """Key: the service name (the ops.events key)."""

    EVENT_TYPE = "org.hotline.ops.event"
    VERSION = 1

    service: ServiceName
    # A random id per process run (no host names or addresses): tells replicas and restarts apart.
    instance: Annotated[str, Field(pattern=r"^[a-z0-9-]{4,64}$")]
    kind: OpsKind
    severity: Severity
    occurred_at: AwareDatetime
    # Per instance, increasing: the id of an event that names no record.
    sequence: Annotated[int, Field(ge=0)]
    ready: bool | None = None
    reason: Code | None = None
    error_class: Code | None = None
    topic: Annotated[str, Field(pattern=r"^[a-z][a-z0-9._-]{0,120}$")] | None = None
    group: Annotated[str, Field(pattern=r"^[a-z][a-z0-9._-]{0,120}$")] | None = None
    partition: Annotated[int, Field(ge=0)] | None = None
    offset: Annotated[int, Field(ge=0)] | None = None
    # The CloudEvents id of the record concerned (a dead-lettered record), when it had one.
    record_id: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    signal_id: UUID | None = None
    # The measured quantity, for kinds that have one: lag in records, spool depth in records,
    # dead letters held, or an age in seconds (an SLA breach, an unacknowledged alert).
    value: float | None = None
    capacity: float | None = None

    def event_id(self) -> str:
        if self.topic is not None and self.partition is not None and self.offset is not None:
            # A record dead-lettered again after a crash is the same ops event.
            return str(derive_id("ops.event", self.kind.value, self.group or "", self.topic,
                                 str(self.partition), str(self.offset)))
        parts = [self.service, self.instance, self.kind.value, str(self.sequence)]
        if self.record_id is not None or self.signal_id is not None:
            # An event about one case or report (an escalation names its case and level): two
            # cases escalating to the same level are two events, and a retry is the same one.
            parts += [self.record_id or "", str(self.signal_id or "")]
        return str(derive_id("ops.event", *parts))

    def partition_key(self) -> str:
        return self.service
