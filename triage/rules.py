"""Triage's assessment of one signal. Pure: no I/O, no clock of its own, the same input gives the same output.

``assess`` composes the rule modules (``minor``, ``danger``, ``automated``, ``classify``,
``language``, ``jurisdiction``, ``business_hours``). Declared form fields and the narrative are
weighed by one precedence rule, stated in full in ``minor`` and ``danger`` and in the README:
**a declared field wins unless the text clearly corrects it**, and text evidence of a minor or of
imminent danger is itself a clear correction of a declared "no" (a missed child or a missed
emergency costs more than a supervisor's second look).

Urgency and required actions:

- P1 act now: imminent danger. Supervisor page, law-enforcement break-glass report.
- P2 same day: a minor may be a victim (mandatory-report obligations), or a crisis call.
- P3 within 1-3 business days: tips, referrals, at-risk callers.
- P4 informational: training requests, general information; unrelated and automated mail is set aside.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

from contracts.events import (
    CallType,
    Evidence,
    Flag,
    FlagName,
    Nationality,
    Route,
    RoutingTarget,
    SignalReceived,
    SignalTriaged,
    Urgency,
)
from triage.automated import automated_flag
from triage.business_hours import is_business_hours, sla_due
from triage.classify import call_type, trafficking_type
from triage.danger import danger_flag
from triage.evidence import declared, from_hit
from triage.jurisdiction import jurisdiction
from triage.language import detect
from triage.minor import minor_flag
from triage.situation import topic_only
from triage.text import Scan, negated

# Bump on every change to a rule: consumers see a re-triage under new rules as a new assessment.
RULES_VERSION: Final = "2026.11.2"

_FOREIGN: Final = re.compile(
    r"\b(?:H-?2[AB]|visas?|T visa|immigration|inmigraci[oó]n|undocumented|indocumentad\w*|"
    r"brought (?:him|her|them|me|us) (?:over|here)|bringing (?:him|her|them) over|"
    r"(?:came|is|are|from|brought) from (?:Mexico|Guatemala|Honduras|El Salvador|the Philippines|China|"
    r"Vietnam|Thailand|Ukraine|Nigeria|India|Haiti|Venezuela|Colombia|Latin America)|"
    r"(?:de|desde) (?:M[eé]xico|Guatemala|Honduras|El Salvador|Venezuela|Colombia)|"
    r"lleg[oó] de|vino de|soy de)\b", re.IGNORECASE)

_INFORMATIONAL: Final = frozenset({CallType.TTA, CallType.GENERAL_INFO})
_RANK: Final = {urgency: rank for rank, urgency in enumerate(Urgency)}


def assess(signal: SignalReceived, *, now: datetime) -> SignalTriaged:
    scan = Scan.of(signal)
    about_topic = topic_only(scan)
    minor = minor_flag(signal, scan, topic_only=about_topic)
    danger = danger_flag(signal, scan, topic_only=about_topic)
    automated = automated_flag(signal, scan)
    foreign = foreign_national_flag(signal, scan)
    # An auto-reply quoting a real tip is not set aside: urgent flags win.
    set_aside = automated.raised and not (minor.raised or danger.raised)
    kind = call_type(signal, scan, danger=danger.raised, minor=minor.raised, automated=set_aside,
                     topic_only=about_topic)
    urgency = _urgency(kind, minor=minor.raised, danger=danger.raised)
    # A call specialist's judged urgency can raise the rules' urgency, never lower it.
    judged = signal.facts.urgency
    if judged is not None and _RANK[judged] < _RANK[urgency]:
        urgency = judged
    return SignalTriaged(
        signal_id=signal.signal_id,
        reference_number=signal.reference_number,
        channel=signal.channel,
        received_at=signal.received_at,
        triaged_at=now,
        rules_version=RULES_VERSION,
        flags=[minor, danger, foreign, automated],
        urgency=urgency,
        call_type=kind,
        trafficking_type=trafficking_type(signal, scan, kind),
        language=detect(signal.narrative, signal.reporter.preferred_language),
        jurisdiction=jurisdiction(signal, scan),
        business_hours=is_business_hours(signal.received_at),
        sla_due_at=sla_due(signal.received_at, urgency),
        routes=_routes(kind, urgency, minor=minor.raised, danger=danger.raised,
                       has_text=bool(signal.narrative.strip())),
    )


def warm_up() -> None:
    """Assess two sample signals so that pattern gates and language models load before real traffic."""
    from contracts import signal_id_for
    from contracts.events import Channel, WebformSource

    for text in ("A 15 year old girl is locked in a room at the motel tonight, please help.",
                 "Una muchacha de 15 años está encerrada y la van a llevar esta noche a otro estado.",
                 "Bonjour, je voudrais signaler une situation grave dans un restaurant."):
        signal = SignalReceived(
            signal_id=signal_id_for("webform", "warm-up"), reference_number="WARM-UP",
            channel=Channel.WEBFORM,
            received_at=datetime.now(UTC), source=WebformSource(submission_id="warm-up"),
            dedup_key="warm-up-signal", narrative=text)
        assess(signal, now=signal.received_at)


def foreign_national_flag(signal: SignalReceived, scan: Scan) -> Flag:
    evidence: list[Evidence] = [
        declared("foreign.declared_nationality", f"facts.victims[{i}].nationality")
        for i, victim in enumerate(signal.facts.victims) if victim.nationality is Nationality.FOREIGN_NATIONAL
    ]
    for hit in scan.find("foreign.text_cue", _FOREIGN):
        if not negated(hit.segment, hit.start):
            evidence.append(from_hit(hit.rule_id, hit))
            break
    return Flag(name=FlagName.FOREIGN_NATIONAL, raised=bool(evidence), evidence=evidence[:50])


def _urgency(kind: CallType, *, minor: bool, danger: bool) -> Urgency:
    if danger:
        return Urgency.P1_ACT_NOW
    if minor or kind is CallType.CRISIS:
        return Urgency.P2_SAME_DAY
    if kind in _INFORMATIONAL or kind is CallType.UNRELATED:
        return Urgency.P4_INFORMATIONAL
    return Urgency.P3_BUSINESS_DAYS


def _routes(kind: CallType, urgency: Urgency, *, minor: bool, danger: bool, has_text: bool) -> list[Route]:
    if kind is CallType.UNRELATED and not urgency.is_urgent:
        # A call record or status callback has no words to judge: set aside until the specialist's
        # report for the same call arrives, but not called unrelated.
        return [Route(target=RoutingTarget.SET_ASIDE, reason="unrelated" if has_text else "no_narrative")]
    routes = [Route(target=RoutingTarget.SUPERVISOR_QUEUE, reason="substantive")]
    if urgency.is_urgent:
        reason = ("imminent_danger" if danger else "minor" if minor else
                  "crisis" if kind is CallType.CRISIS else "specialist_judgement")
        routes.append(Route(target=RoutingTarget.URGENT_ALERT, reason=reason))
    if danger:
        routes.append(Route(target=RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS, reason="imminent_danger"))
    if minor:
        routes.append(Route(target=RoutingTarget.MANDATORY_REPORT, reason="minor"))
    return routes
