"""How ops events and the status screen look on a terminal (and as JSON for scripts)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, Final

from contracts.events import InputQuarantined, OpsEvent, Severity
from services.ops.collect import BrokerSnapshot
from services.ops.state import OpsState

SEVERITY_RANK: Final = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}
_COLOURS: Final = {"info": "\033[2m", "warning": "\033[33m", "critical": "\033[1;31m", "ok": "\033[32m"}
_RESET: Final = "\033[0m"


def paint(text: str, tone: str, colour: bool) -> str:
    return f"{_COLOURS[tone]}{text}{_RESET}" if colour and tone in _COLOURS else text


def event_fields(event: OpsEvent | InputQuarantined) -> dict[str, Any]:
    """One flat record for both kinds of ops event: service, kind, severity, time, ids."""
    if isinstance(event, InputQuarantined):
        return {"time": event.quarantined_at.isoformat(), "service": event.service, "kind": "quarantine",
                "severity": "warning", "channel": event.channel.value, "reason": event.reason,
                "raw_sha256": event.raw_sha256}
    fields = event.model_dump(mode="json", exclude_none=True, exclude={"occurred_at", "sequence"})
    return {"time": event.occurred_at.isoformat(), **fields}


def severity_of(event: OpsEvent | InputQuarantined) -> Severity:
    return Severity.WARNING if isinstance(event, InputQuarantined) else event.severity


def event_line(event: OpsEvent | InputQuarantined, *, colour: bool) -> str:
    fields = event_fields(event)
    when = fields.pop("time")[11:23].replace("+", "")
    service, kind, severity = fields.pop("service"), fields.pop("kind"), fields.pop("severity")
    fields.pop("instance", None)
    rest = "  ".join(f"{k}={v}" for k, v in fields.items())
    head = f"{when}  {severity:<8}  {service:<15} {kind:<16}"
    return paint(head, severity, colour) + ("  " + rest if rest else "")


def event_json(event: OpsEvent | InputQuarantined) -> str:
    return json.dumps(event_fields(event), sort_keys=True)


def _age(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"


def status_data(state: OpsState, snapshot: BrokerSnapshot, *, now: datetime,
                silent_after: timedelta) -> dict[str, Any]:
    open_alerts = state.unacknowledged(now)
    oldest = None
    if open_alerts:
        signal_id, age = open_alerts[0]
        oldest = {"signal_id": str(signal_id), "reference_number": state.references.get(signal_id),
                  "age_s": round(age, 1)}
    services = {}
    for name, verdict in state.liveness(now, silent_after).items():
        seen = state.services[name]
        spool = state.spools.get(name)
        services[name] = {
            "state": verdict, "last_heartbeat_age_s": round((now - seen.last_seen).total_seconds(), 1),
            "spool_records": spool.records if spool else None,
            "spool_capacity": spool.capacity if spool else None,
        }
    return {
        "taken_at": now.isoformat(),
        "services": services,
        "lag": {group: total for group, total in sorted(snapshot.group_lag().items())},
        "dead_letters": {d.topic.value: d.records for d in snapshot.dlq},
        "urgent_unacknowledged": len(open_alerts),
        "oldest_unacknowledged": oldest,
        "undecodable_records": state.undecodable,
    }


def status_text(data: dict[str, Any], *, colour: bool, urgent_ack_s: float) -> str:
    lines = [f"hotline status at {data['taken_at'][:19]}Z", "", "services"]
    if not data["services"]:
        lines.append(paint("  no heartbeats seen: are the services running and publishing to ops.events?",
                           "warning", colour))
    for name, s in data["services"].items():
        tone = {"up": "ok", "not ready": "warning", "stopped": "warning"}.get(s["state"], "critical")
        spool = ""
        if s["spool_records"] is not None:
            spool = f"   spool {s['spool_records']:.0f}/{s['spool_capacity']:.0f}"
        state = paint(f"{s['state']:<10}", tone, colour)
        lines.append(f"  {name:<16} {state} heartbeat {_age(s['last_heartbeat_age_s'])} ago{spool}")
    lines += ["", "consumer lag (records)"]
    if not data["lag"]:
        lines.append("  no consumer groups have committed offsets yet")
    for group, total in data["lag"].items():
        lines.append(f"  {group:<32} {paint(str(total), 'ok' if total == 0 else 'warning', colour)}")
    lines += ["", "dead letters held"]
    for topic, count in data["dead_letters"].items():
        lines.append(f"  {topic:<32} {paint(str(count), 'ok' if count == 0 else 'warning', colour)}")
    lines += ["", "urgent alerts"]
    oldest = data["oldest_unacknowledged"]
    if oldest is None:
        lines.append(paint("  none unacknowledged", "ok", colour))
    else:
        tone = "critical" if oldest["age_s"] >= urgent_ack_s else "warning"
        # The reference number is what a supervisor types into review's search; the signal id is not.
        name = oldest.get("reference_number") or f"signal {oldest['signal_id']}"
        lines.append(paint(f"  {data['urgent_unacknowledged']} unacknowledged; oldest {name} "
                           f"waiting {_age(oldest['age_s'])}", tone, colour))
        if oldest.get("reference_number"):
            lines.append(f"  find it in review: search for {oldest['reference_number']}")
    if data["undecodable_records"]:
        lines += ["", paint(f"{data['undecodable_records']} records on the ops topics could not be decoded",
                            "warning", colour)]
    return "\n".join(lines)
