"""The reporting matrix's conditions for one assessment (seed 004): decided here, and nowhere else.

They travel on ``SignalTriaged``: the break-glass report triage sends and the reports review sends
after a person decided follow the same cell of the protocol for the same victim.
"""

from __future__ import annotations

from contracts.events import Flag, Nationality, ReportConditions, SignalReceived, TraffickingType, Urgency


def report_conditions(signal: SignalReceived, *, urgency: Urgency, business_hours: bool, minor: Flag,
                      foreign: Flag, trafficking_type: TraffickingType) -> ReportConditions:
    return ReportConditions.trusted(
        urgent=urgency.is_urgent,
        business_hours=business_hours,
        minor=minor.raised,
        foreign_national=foreign_national(signal, foreign),
        trafficking_type=trafficking_type,
    )


def foreign_national(signal: SignalReceived, foreign: Flag) -> bool | None:
    """True when the flag is raised: a victim declared a foreign national, or the text says so
    ("brought her from Guatemala"). False only when every declared victim is a declared US citizen
    and the text says nothing else. Otherwise not known."""
    if foreign.raised:
        return True
    nationalities = {victim.nationality for victim in signal.facts.victims}
    if nationalities and nationalities <= {Nationality.US_CITIZEN}:
        return False
    return None
