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
from contracts.reference_numbers import reference_for

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


def written_forms(number: str) -> dict[str, str]:
    """A valid ``HT-XXXX-XXXXC`` as people write it down or read it out: lower case, the spoken form
    with spaces, without dashes, with typographic dashes, and O for 0 and I or L for 1."""
    body = number[3:7] + number[8:]
    lookalikes = body.replace("0", "O").replace("1", "I", 1).replace("1", "l")
    return {
        "canonical": number,
        "lower case": number.lower(),
        "spoken, with spaces": f"HT {body[:4]} {body[4:]}",
        "run together": f"HT{body}",
        "lower case, spaced dashes": f"ht - {body[:4].lower()} - {body[4:].lower()}",
        "en dashes": f"HT\u2013{body[:4]}\u2013{body[4:]}",
        "letters for digits": f"HT-{lookalikes[:4]}-{lookalikes[4:]}",
    }


def reference_with_lookalikes(secret: bytes) -> str:
    """A valid reference number whose body has a 0 and a 1, so O, I and L mix-ups can be written."""
    for n in range(10_000):
        number = reference_for(str(uuid.UUID(int=n)), secret)
        if "0" in number[3:] and "1" in number[3:]:
            return number
    raise AssertionError("no reference number with both 0 and 1")
