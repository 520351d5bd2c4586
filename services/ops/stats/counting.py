"""Counting the triaged stream for ``hotline-ops stats``: one latest assessment per signal, per table.

A signal is a ``signal_id``. The stream is at-least-once and a signal re-triaged under new rules
appears again, so records are deduplicated by ``signal_id``, keeping the assessment with the
latest ``triaged_at`` (of two with the same triage time, the one read last). A signal's month is
the month of its ``received_at`` on the hotline's clock (America/New_York); ``--from`` and
``--to`` select months by it. A signal without a US state counts as ``unknown``, one located
outside the US as ``outside_us``.

A call record or status callback without words (triage routes it ``set_aside`` with reason
``no_narrative``) is a fragment of a call whose specialist report arrives as a signal of its own:
counting it would count the call twice, and it is not an "unrelated" call either. It is left out
of every table and counted on one line of its own, ``set_aside``. Nothing else is excluded:
auto-replies and unrelated contacts are counted under their call type, ``unrelated``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final
from uuid import UUID
from zoneinfo import ZoneInfo

from contracts.events import (
    CallType,
    Channel,
    FlagName,
    RoutingTarget,
    SignalTriaged,
    TraffickingType,
    Urgency,
)

HOTLINE_ZONE: Final = "America/New_York"

TABLES: Final = (
    ("month", "Signals per month"),
    ("channel", "Signals by channel"),
    ("state", "Signals by state"),
    ("call_type", "Signals by call type"),
    ("trafficking_type", "Signals by type of exploitation"),
    ("minor", "Signals referencing a minor"),
    ("urgency", "Signals by urgency"),
)
GRID: Final = ("month_channel", "Signals per month and channel")


@dataclass(frozen=True)
class Counts:
    """Raw counts of one period. Never rendered as they are: ``suppress`` makes them publishable."""

    tables: Mapping[str, Mapping[str, int]]  # table -> category -> count, both in display order
    month_channel: Mapping[tuple[str, str], int]
    total: int
    set_aside: int
    records: int
    superseded: int  # repeated records, and older assessments of re-triaged signals


def month_of(signal: SignalTriaged) -> str:
    return signal.received_at.astimezone(ZoneInfo(HOTLINE_ZONE)).strftime("%Y-%m")


def is_set_aside(signal: SignalTriaged) -> bool:
    """A call record without words, set aside until the specialist's report for the call arrives."""
    return signal.call_type is CallType.UNRELATED and any(
        r.target is RoutingTarget.SET_ASIDE and r.reason == "no_narrative" for r in signal.routes)


def state_of(signal: SignalTriaged) -> str:
    place = signal.jurisdiction
    if place.country != "US":
        return "outside_us"
    return place.state or "unknown"


def count(signals: Iterable[SignalTriaged], *, first: str | None = None, last: str | None = None) -> Counts:
    """Count the latest assessment of each signal received from month ``first`` to ``last`` (inclusive)."""
    latest: dict[UUID, SignalTriaged] = {}
    records = 0
    for signal in signals:
        records += 1
        kept = latest.get(signal.signal_id)
        if kept is None or signal.triaged_at >= kept.triaged_at:
            latest[signal.signal_id] = signal
    dated = [(month_of(s), s) for s in latest.values()]
    chosen = [(m, s) for m, s in dated if (first is None or m >= first) and (last is None or m <= last)]
    counted = [(m, s) for m, s in chosen if not is_set_aside(s)]
    seen = sorted(m for m, _ in chosen)
    start, end = first or (seen[0] if seen else None), last or (seen[-1] if seen else None)
    months = month_range(start, end) if start and end else []
    states = sorted({state_of(s) for _, s in counted} - {"outside_us", "unknown"})
    tables: dict[str, dict[str, int]] = {
        "month": dict.fromkeys(months, 0),
        "channel": dict.fromkeys((c.value for c in Channel), 0),
        "state": dict.fromkeys([*states, "outside_us", "unknown"], 0),
        "call_type": dict.fromkeys((c.value for c in CallType), 0),
        "trafficking_type": dict.fromkeys((t.value for t in TraffickingType), 0),
        "minor": dict.fromkeys(("yes", "no"), 0),
        "urgency": dict.fromkeys((u.value for u in Urgency), 0),
    }
    grid = {(m, c): 0 for m in months for c in tables["channel"]}
    for month, s in counted:
        for name, category in (
            ("month", month), ("channel", s.channel.value), ("state", state_of(s)),
            ("call_type", s.call_type.value), ("trafficking_type", s.trafficking_type.value),
            ("minor", "yes" if s.is_raised(FlagName.MINOR) else "no"), ("urgency", s.urgency.value),
        ):
            tables[name][category] += 1
        grid[month, s.channel.value] += 1
    return Counts(tables=tables, month_channel=grid, total=len(counted),
                  set_aside=len(chosen) - len(counted), records=records, superseded=records - len(latest))


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (YYYY-MM, inclusive), so that empty months show as 0."""
    year, month = int(first[:4]), int(first[5:])
    months: list[str] = []
    while (current := f"{year:04d}-{month:02d}") <= last:
        months.append(current)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
