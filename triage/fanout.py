"""What one assessment fans out to: the urgent alert and the break-glass report. Pure, deterministic ids."""

from __future__ import annotations

from contracts.events import (
    FlagName,
    ReportNeed,
    ReportRequested,
    RoutingTarget,
    SignalTriaged,
    UrgentAlert,
)

_URGENT_FLAGS: frozenset[FlagName] = frozenset({FlagName.IMMINENT_DANGER, FlagName.MINOR})
_ACTIONS = frozenset({RoutingTarget.URGENT_ALERT, RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS,
                      RoutingTarget.MANDATORY_REPORT})


def urgent_alert(triaged: SignalTriaged) -> UrgentAlert | None:
    """An alert for P1/P2 assessments: ids, reasons and actions only, never narrative."""
    if not triaged.urgency.is_urgent:
        return None
    reasons: list[FlagName] = [f.name for f in triaged.flags if f.raised and f.name in _URGENT_FLAGS]
    actions = [r.target for r in triaged.routes if r.target in _ACTIONS]
    return UrgentAlert.trusted(
        signal_id=triaged.signal_id,
        reference_number=triaged.reference_number,
        channel=triaged.channel,
        received_at=triaged.received_at,
        raised_at=triaged.triaged_at,
        rules_version=triaged.rules_version,
        urgency=triaged.urgency,
        # A crisis call without either flag is still urgent; it names itself by its call type.
        reasons=reasons,
        required_actions=actions or [RoutingTarget.URGENT_ALERT],
        call_type=triaged.call_type,
        trafficking_type=triaged.trafficking_type,
        state=triaged.jurisdiction.state,
        business_hours=triaged.business_hours,
        sla_due_at=triaged.sla_due_at,
        linked_signal_ids=[link.signal_id for link in triaged.linked_signals],
    )


def break_glass_report(triaged: SignalTriaged) -> ReportRequested | None:
    """A law-enforcement report request for imminent danger, before any human review."""
    if not triaged.is_raised(FlagName.IMMINENT_DANGER):
        return None
    if triaged.conditions is None:  # every assessment this triage makes carries them (triage.conditions)
        raise ValueError(f"the assessment of signal {triaged.signal_id} carries no report conditions")
    return ReportRequested.trusted(
        report_id=ReportRequested.break_glass_id(triaged.signal_id),
        signal_id=triaged.signal_id,
        reference_number=triaged.reference_number,
        kind="break_glass",
        requested_by="triage",
        reason="imminent_danger",
        need=ReportNeed.VICTIM_EXTRACTION,
        requested_at=triaged.triaged_at,
        urgency=triaged.urgency,
        conditions=triaged.conditions,
        jurisdiction=triaged.jurisdiction,
        rules_version=triaged.rules_version,
    )
