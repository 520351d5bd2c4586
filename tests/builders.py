"""Test data builders: valid events with fake data (555 numbers, example.org), overridable per test."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts import signal_id_for
from contracts.events import (
    CallType,
    Channel,
    DeclaredFacts,
    Flag,
    FlagName,
    Route,
    RoutingTarget,
    SignalReceived,
    SignalTriaged,
    TraffickingType,
    Urgency,
    WebformSource,
)

T0 = datetime(2026, 3, 16, 14, 30, tzinfo=UTC)  # a Monday, 10:30 in New York


def received(**overrides: Any) -> SignalReceived:
    submission = str(uuid.uuid4())
    dedup_key = f"webform:{submission}"
    fields: dict[str, Any] = {
        "signal_id": signal_id_for("webform", dedup_key),
        "reference_number": "HT-ABCD-EFGH1",
        "channel": Channel.WEBFORM,
        "received_at": T0,
        "source": WebformSource(submission_id=submission),
        "dedup_key": dedup_key,
        "narrative": "A restaurant owner keeps the cooks' passports.",
        "facts": DeclaredFacts(),
    }
    fields.update(overrides)
    return SignalReceived(**fields)


def triaged(**overrides: Any) -> SignalTriaged:
    fields: dict[str, Any] = {
        "signal_id": uuid.uuid4(),
        "reference_number": "HT-ABCD-EFGH1",
        "channel": Channel.WEBFORM,
        "received_at": T0,
        "triaged_at": T0 + timedelta(seconds=1),
        "rules_version": "test-1",
        "flags": [Flag(name=FlagName.MINOR, raised=False)],
        "urgency": Urgency.P3_BUSINESS_DAYS,
        "call_type": CallType.TIP,
        "trafficking_type": TraffickingType.LABOR,
        "business_hours": True,
        "sla_due_at": T0 + timedelta(days=3),
        "routes": [Route(target=RoutingTarget.SUPERVISOR_QUEUE, reason="substantive")],
    }
    fields.update(overrides)
    return SignalTriaged(**fields)
