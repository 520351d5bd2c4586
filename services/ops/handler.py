"""What the ops service itself reports on ``ops.events`` after each look at the broker and the streams."""

from __future__ import annotations

from datetime import datetime

from contracts.events import OpsKind, Severity
from services.ops.collect import BrokerSnapshot
from services.ops.config import OpsSettings
from services.ops.state import OpsState
from services.runtime import OpsReporter


class Watch:
    """What the ops service reports on ``ops.events`` itself: lag over the floor, dead letters that
    appeared since the last look, and urgent alerts left unanswered too long (once per signal)."""

    def __init__(self, settings: OpsSettings, reporter: OpsReporter) -> None:
        self._settings = settings
        self._reporter = reporter
        self._dlq_seen: dict[str, int] = {}
        self._breached: set[str] = set()

    async def after_poll(self, snapshot: BrokerSnapshot, state: OpsState, now: datetime) -> None:
        r = self._reporter
        for group, lag in snapshot.group_lag().items():
            if lag >= self._settings.ops_lag_warn_records:
                await r.emit(r.event(OpsKind.LAG, Severity.WARNING, group=_name(group), value=float(lag)))
        for depth in snapshot.dlq:
            before = self._dlq_seen.get(depth.topic.value)
            self._dlq_seen[depth.topic.value] = depth.records
            if depth.records > (before or 0):
                await r.emit(r.event(OpsKind.DLQ_DEPTH, Severity.WARNING, topic=depth.topic.value,
                                     value=float(depth.records)))
        for signal_id, age in state.unacknowledged(now):
            if age < self._settings.ops_urgent_ack_s:
                break  # oldest first
            if str(signal_id) not in self._breached:
                self._breached.add(str(signal_id))
                await r.emit(r.event(OpsKind.SLA_BREACH, Severity.CRITICAL, signal_id=signal_id,
                                     reason="urgent_unacknowledged", value=round(age, 1)))


def _name(group: str) -> str:
    # OpsEvent.group allows lower-case names only; groups outside the convention are shown folded.
    return group.lower()[:120] if group[:1].isalpha() else f"g{group.lower()[:119]}"
