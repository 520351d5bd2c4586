"""Reporting test support: a controllable clock, protocol files written in code, report requests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from contracts.events import (
    Jurisdiction,
    ReportConditions,
    ReportNeed,
    ReportRequested,
    TraffickingType,
    Urgency,
)
from services.reporting.protocols.model import WEEKDAYS


class Clock:
    """``now`` for the ledger, moved by hand."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def contact(id_: str, kind: str, *channels: str, organisation: str = "Example Agency") -> str:
    """One always-available contact of a protocol file, verified today (a YAML list item)."""
    return (f"  - {{id: {id_}, name: Contact {id_}, organisation: {organisation}, kind: {kind},\n"
            f"     channels: [{', '.join(channels)}], availability: always,\n"
            f"     last_verified: {datetime.now(UTC).date().isoformat()}}}\n")


def email(address: str) -> str:
    return f'{{type: email, address: "{address}"}}'


def webhook(url: str) -> str:
    return f'{{type: webhook, url: "{url}"}}'


def write_fallback_protocol(directory: Path, *, first_email: str, third_webhook: str,
                            waits: tuple[str, str, str] = ("3s", "3s", "1m")) -> Path:
    """US.yaml with a tip-reporting chain first -> second -> third. The second contact's only
    window is on a weekday three days from today, so it is outside its hours now."""
    closed_day = WEEKDAYS[(datetime.now(UTC).weekday() + 3) % 7]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "US.yaml").write_text(f"""version: 1
region: {{country: US}}
contacts:
  - id: first-det
    name: Det. First
    organisation: Example Police Department
    kind: law_enforcement
    channels: [{{type: email, address: "{first_email}"}}]
    availability: always
    last_verified: {datetime.now(UTC).date().isoformat()}
  - id: second-desk
    name: Second Desk
    organisation: Example Sheriff's Office
    kind: law_enforcement
    channels: [{{type: email, address: second@sheriff.example.gov}}]
    availability: {{timezone: UTC, windows: [{{days: [{closed_day}], start: "00:00", end: "00:01"}}]}}
    last_verified: {datetime.now(UTC).date().isoformat()}
  - id: third-unit
    name: Third Unit
    organisation: Example Task Force
    kind: federal_agency
    channels: [{{type: webhook, url: "{third_webhook}"}}]
    availability: always
    last_verified: {datetime.now(UTC).date().isoformat()}
matrix:
  tip_reporting:
    - chain:
        - {{contact: first-det, wait: {waits[0]}}}
        - {{contact: second-desk, wait: {waits[1]}}}
        - {{contact: third-unit, wait: {waits[2]}}}
""")
    return directory


def report_request(signal_id: uuid.UUID, reference_number: str = "HT-ABCD-EFGH1") -> ReportRequested:
    return ReportRequested(
        report_id=uuid.uuid4(), signal_id=signal_id, reference_number=reference_number, kind="approved",
        requested_by="review", reason="tip_reporting", need=ReportNeed.TIP_REPORTING,
        requested_at=datetime.now(UTC), urgency=Urgency.P2_SAME_DAY,
        conditions=ReportConditions(urgent=False, business_hours=True, minor=False,
                                    trafficking_type=TraffickingType.LABOR),
        jurisdiction=Jurisdiction(country="US"))
