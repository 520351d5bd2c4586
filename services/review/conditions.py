"""The reporting matrix's conditions on a report review sends: triage's, as the case combines them.

Triage decides them once per signal (``SignalTriaged.conditions``, kept with the signal's triage),
so a report review sends after a person decided follows the same protocol cell as the break-glass
report triage sent. A case carries its lead signal's (the most urgent, then the earliest: the one
the queue shows the case by), a foreign national when any of its signals found one, and the case's
``minor``, which is triage's unless a supervisor overrode it. A case whose lead was triaged before
triage carried them is judged as review judged it then: from the case and the declared nationality.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contracts.events import ReportConditions, TraffickingType, Urgency
from services.review.models import Case, Signal


def lead(triages: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The triage a case is shown and reported by: the most urgent, then the earliest received."""
    return min(triages, key=lambda t: (Urgency(t["urgency"]).rank, t["received_at"]), default=None)


def for_case(case: Case, signals: Sequence[Signal]) -> ReportConditions:
    """``signals``: the case's, earliest first."""
    triages = [s.triage for s in signals if s.triage is not None]
    leading = lead(triages)
    if leading is None or leading.get("conditions") is None:
        return _as_before(case, signals[0] if signals else None)
    # Read as the codec reads: a field a later triage added (and a later review kept) is ignored.
    carried = [ReportConditions.model_validate(t["conditions"], extra="ignore")
               for t in triages if t.get("conditions")]
    conditions = ReportConditions.model_validate(leading["conditions"], extra="ignore")
    foreign = True if any(c.foreign_national for c in carried) else conditions.foreign_national
    return conditions.model_copy(update={"minor": case.minor, "foreign_national": foreign})


def _as_before(case: Case, first: Signal | None) -> ReportConditions:
    triage = (first.triage if first is not None else None) or {}
    return ReportConditions(
        urgent=Urgency.of_rank(case.urgency_rank).is_urgent,
        business_hours=bool(triage.get("business_hours", True)),
        minor=case.minor,
        foreign_national=_declared_foreign(first) if first is not None else None,
        trafficking_type=_trafficking(case.trafficking_type),
    )


def _declared_foreign(signal: Signal) -> bool | None:
    victims = (signal.facts or {}).get("victims") or []
    nationalities = {v.get("nationality") for v in victims}
    if "foreign_national" in nationalities:
        return True
    if nationalities and nationalities <= {"us_citizen"}:
        return False
    return None


def _trafficking(value: str) -> TraffickingType:
    try:
        return TraffickingType(value)
    except ValueError:  # a case whose triage has not arrived yet
        return TraffickingType.UNKNOWN
