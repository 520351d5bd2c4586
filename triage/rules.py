"""The skeleton's assessment of a signal: declared facts only. Pure: no I/O, no clock of its own.

The full rule set (text evidence, negation, language, jurisdiction from text, holidays) replaces
this module in the triage issue; its contract (``assess``) stays.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from contracts.events import (
    Answer,
    CallType,
    DeclaredTraffickingType,
    Evidence,
    Flag,
    FlagName,
    Jurisdiction,
    Route,
    RoutingTarget,
    SignalReceived,
    SignalTriaged,
    TraffickingType,
    Urgency,
)

RULES_VERSION: Final = "skeleton-1"
HOTLINE_ZONE: Final = ZoneInfo("America/New_York")
ADULT_AGE: Final = 18

_SLA: Final = {
    Urgency.P1_ACT_NOW: timedelta(minutes=15),
    Urgency.P2_SAME_DAY: timedelta(hours=4),
    Urgency.P3_BUSINESS_DAYS: timedelta(days=3),
    Urgency.P4_INFORMATIONAL: timedelta(days=5),
}
_TRAFFICKING: Final = {
    DeclaredTraffickingType.SEX: TraffickingType.SEX,
    DeclaredTraffickingType.LABOR: TraffickingType.LABOR,
    DeclaredTraffickingType.BOTH: TraffickingType.BOTH,
    DeclaredTraffickingType.UNSURE: TraffickingType.UNKNOWN,
    DeclaredTraffickingType.NOT_STATED: TraffickingType.UNKNOWN,
}


def minor_flag(signal: SignalReceived) -> Flag:
    evidence = []
    for i, victim in enumerate(signal.facts.victims):
        if victim.age is not None and victim.age < ADULT_AGE:
            evidence.append(Evidence(rule_id="minor.declared_age", origin="declared",
                                     field=f"facts.victims[{i}].age"))
        elif victim.age_range is not None and victim.age_range.low < ADULT_AGE:
            evidence.append(Evidence(rule_id="minor.declared_age_range", origin="declared",
                                     field=f"facts.victims[{i}].age_range"))
    return Flag(name=FlagName.MINOR, raised=bool(evidence), evidence=evidence)


def danger_flag(signal: SignalReceived) -> Flag:
    if signal.facts.danger_now is Answer.YES:
        evidence = [Evidence(rule_id="danger.declared_now", origin="declared", field="facts.danger_now")]
        return Flag(name=FlagName.IMMINENT_DANGER, raised=True, evidence=evidence)
    return Flag(name=FlagName.IMMINENT_DANGER, raised=False)


def is_business_hours(moment: datetime) -> bool:
    """9am-7pm Eastern, Monday to Friday (holidays come with the full rules)."""
    local = moment.astimezone(HOTLINE_ZONE)
    return local.weekday() < 5 and 9 <= local.hour < 19


def assess(signal: SignalReceived, *, now: datetime) -> SignalTriaged:
    minor, danger = minor_flag(signal), danger_flag(signal)
    if danger.raised:
        urgency = Urgency.P1_ACT_NOW
    elif minor.raised:
        urgency = Urgency.P2_SAME_DAY
    else:
        urgency = Urgency.P3_BUSINESS_DAYS
    routes = [Route(target=RoutingTarget.SUPERVISOR_QUEUE, reason="substantive")]
    if urgency.is_urgent:
        routes.append(Route(target=RoutingTarget.URGENT_ALERT,
                            reason="imminent_danger" if danger.raised else "minor"))
    if danger.raised:
        routes.append(Route(target=RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS, reason="imminent_danger"))
    if minor.raised:
        routes.append(Route(target=RoutingTarget.MANDATORY_REPORT, reason="minor"))
    location = signal.facts.location
    jurisdiction = (
        Jurisdiction(country=location.country, state=location.state, city=location.city, origin="declared")
        if location is not None else Jurisdiction()
    )
    return SignalTriaged(
        signal_id=signal.signal_id,
        reference_number=signal.reference_number,
        channel=signal.channel,
        received_at=signal.received_at,
        triaged_at=now,
        rules_version=RULES_VERSION,
        flags=[minor, danger],
        urgency=urgency,
        call_type=signal.facts.call_type or CallType.TIP,
        trafficking_type=_TRAFFICKING[signal.facts.trafficking_type],
        language=signal.reporter.preferred_language,
        jurisdiction=jurisdiction,
        business_hours=is_business_hours(signal.received_at),
        sla_due_at=signal.received_at + _SLA[urgency],
        routes=routes,
    )
