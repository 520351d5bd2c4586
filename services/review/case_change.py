"""What an apply did (for the live queue), and the keys that group a signal's records into one case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from contracts.events import PhoneSource, SignalReceived
from services.review.models import Signal


@dataclass(frozen=True)
class CaseChange:
    """What an apply did, for the live queue: ids and urgency only."""

    case_id: uuid.UUID
    reference_number: str
    urgency: str
    created: bool
    urgent_alert: bool = False


def keys_of(signal: SignalReceived) -> list[str]:
    """The grouping keys a received signal brings, strongest first."""
    keys = []
    if signal.related is not None:
        if signal.related.signal_id is not None:
            keys.append(f"signal:{signal.related.signal_id}")
        if signal.related.reference_number is not None:
            keys.append(f"ref:{signal.related.reference_number}")
    if isinstance(signal.source, PhoneSource):
        keys.append(f"call:{signal.source.system}:{signal.source.call_id}")
    keys += [f"signal:{signal.signal_id}", f"ref:{signal.reference_number}"]
    return keys


def triage_keys(signal_id: uuid.UUID, reference_number: str) -> list[str]:
    """The keys a triage (or an alert) brings: its signal and its reference number."""
    return [f"signal:{signal_id}", f"ref:{reference_number}"]


def fill_received(stored: Signal, signal: SignalReceived) -> None:
    """What ``signals.received`` tells of a stored signal (one by one and in batches alike)."""
    stored.subject = signal.subject
    stored.narrative = signal.narrative
    stored.reporter = signal.reporter.model_dump(mode="json")
    stored.facts = signal.facts.model_dump(mode="json")
    stored.source = signal.source.model_dump(mode="json")
    stored.attachments = [a.model_dump(mode="json") for a in signal.attachments]
    stored.related = signal.related.model_dump(mode="json") if signal.related else None


def attachment_rows(signal: SignalReceived, case_id: uuid.UUID) -> list[dict[str, Any]]:
    """The signal's attachments as rows of the case's attachment list."""
    return [{"sha256": a.sha256, "signal_id": signal.signal_id, "case_id": case_id,
             "media_type": a.media_type, "size_bytes": a.size_bytes} for a in signal.attachments]
