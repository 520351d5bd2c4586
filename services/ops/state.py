"""What ops knows, folded from the records it reads: who is alive, spools, urgent alerts unacknowledged.

Pure: records in, answers out, times passed in. The ops service and ``hotline-ops status`` fold
the same records with this, so the screen and the metrics never disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from contracts import CODEC, DecodeError, Topic
from contracts.events import InputQuarantined, OpsEvent, OpsKind, UrgentAlert
from services.runtime.records import BrokerRecord


@dataclass
class ServiceSeen:
    service: str
    instance: str
    last_seen: datetime
    ready: bool | None
    stopped: bool = False


@dataclass
class Spool:
    records: float
    capacity: float
    at: datetime


@dataclass
class OpsState:
    services: dict[str, ServiceSeen] = field(default_factory=dict)
    spools: dict[str, Spool] = field(default_factory=dict)
    counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    urgent: dict[UUID, datetime] = field(default_factory=dict)
    # The reference number of each urgent alert's signal: what a supervisor searches review for.
    references: dict[UUID, str] = field(default_factory=dict)
    acknowledged: set[str] = field(default_factory=set)
    undecodable: int = 0

    # ------------------------------------------------------------ folding

    def apply(self, record: BrokerRecord) -> OpsEvent | InputQuarantined | UrgentAlert | None:
        """Fold one record; returns what it decoded to (None for decisions and garbage)."""
        if record.topic is Topic.REVIEW_DECISIONS:
            # Any decision on a signal acknowledges its alert; review keys decisions by signal id.
            if record.key:
                self.acknowledged.add(record.key.decode("utf-8", "replace"))
            return None
        try:
            decoded = CODEC.decode(record.value, record.headers).event
        except DecodeError:
            self.undecodable += 1
            return None
        if isinstance(decoded, UrgentAlert):
            self.urgent.setdefault(decoded.signal_id, decoded.raised_at)
            self.references.setdefault(decoded.signal_id, decoded.reference_number)
        elif isinstance(decoded, OpsEvent):
            self._apply_ops(decoded)
        elif isinstance(decoded, InputQuarantined):
            self.counts[(decoded.service, "quarantine", "warning")] += 1
        else:
            return None
        return decoded

    def _apply_ops(self, event: OpsEvent) -> None:
        self.counts[(event.service, event.kind.value, event.severity.value)] += 1
        if event.kind in (OpsKind.HEARTBEAT, OpsKind.STARTED, OpsKind.STOPPING):
            seen = self.services.get(event.service)
            if seen is None or event.occurred_at >= seen.last_seen:
                ready = event.ready if event.kind is OpsKind.HEARTBEAT else (seen.ready if seen else None)
                self.services[event.service] = ServiceSeen(
                    service=event.service, instance=event.instance, last_seen=event.occurred_at,
                    ready=ready, stopped=event.kind is OpsKind.STOPPING)
        elif event.kind is OpsKind.SPOOL_DEPTH and event.value is not None:
            self.spools[event.service] = Spool(event.value, event.capacity or 0.0, event.occurred_at)

    # ------------------------------------------------------------ answers

    def unacknowledged(self, now: datetime) -> list[tuple[UUID, float]]:
        """Urgent alerts no decision has answered yet, oldest first, with their age in seconds."""
        open_alerts = [(signal_id, (now - at).total_seconds()) for signal_id, at in self.urgent.items()
                       if str(signal_id) not in self.acknowledged]
        return sorted(open_alerts, key=lambda item: -item[1])

    def liveness(self, now: datetime, silent_after: timedelta) -> dict[str, str]:
        """``up``, ``not ready``, ``stopped`` or ``silent`` for every service seen."""
        verdicts = {}
        for name, seen in sorted(self.services.items()):
            if seen.stopped:
                verdicts[name] = "stopped"
            elif now - seen.last_seen > silent_after:
                verdicts[name] = "silent"
            else:
                verdicts[name] = "up" if seen.ready else "not ready"
        return verdicts

    def dead_letters_seen(self) -> int:
        return sum(n for (_, kind, _), n in self.counts.items() if kind == OpsKind.DEAD_LETTER.value)
