"""What the queue shows of a case, recomputed from its signals, people's overrides and its obligation."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.events import FlagName, RoutingTarget, Urgency
from services.review import conditions, obligations
from services.review.case_rows import CaseView, SignalFacts
from services.review.models import CaseObligation, Decision


class Unread:
    """Marks an obligation row nobody read yet (None is a row read and found missing)."""


UNREAD = Unread()
ObligationKnown = CaseObligation | None | Unread


@dataclass(frozen=True, slots=True)
class Clock:
    """The case store's clock and deadlines, as a recompute needs them."""

    now: Callable[[], datetime]
    urgent_ack: timedelta
    mandatory_within: timedelta


def recompute(session: Session, case: CaseView, signals: Sequence[SignalFacts],
              overrides: Callable[[], dict[str, bool]], clock: Clock, *,
              obligation: ObligationKnown = UNREAD, applies: int = 1) -> None:
    """What the queue shows, from ``signals`` (the case's, earliest first). ``obligation``: the
    case's obligation row when the caller read it already; ``applies``: how many records this
    recompute stands for (a batch recomputes a case once; its version rises as one by one would)."""
    if view(case, signals, overrides, clock, applies=applies):
        keep_obligation(session, case, signals, clock, obligation)


def view(case: CaseView, signals: Sequence[SignalFacts], overrides: Callable[[], dict[str, bool]],
         clock: Clock, *, applies: int = 1) -> bool:
    """The case's columns recomputed in memory; True when a triage has spoken, and the case's
    obligation must then follow its minor flag (``keep_obligation``)."""
    triaged = [s.triage for s in signals if s.triage is not None]
    ranks = [Urgency(s.urgency).rank for s in signals if s.urgency is not None]
    if ranks:
        case.urgency_rank = min(ranks)
        case.urgency = Urgency.of_rank(case.urgency_rank).value
    lead = conditions.lead(triaged)
    if lead is not None:
        case.triaged = True
        case.call_type = lead["call_type"]
        case.trafficking_type = lead["trafficking_type"]
        jurisdiction = lead.get("jurisdiction") or {}
        case.state, case.city = jurisdiction.get("state"), jurisdiction.get("city")
        case.minor = any(_raised(t, FlagName.MINOR) for t in triaged)
        case.imminent_danger = any(_raised(t, FlagName.IMMINENT_DANGER) for t in triaged)
        # A person's word on a flag stands over triage's, whatever arrives on the case later.
        for flag, value in overrides().items():
            if flag == FlagName.MINOR.value:
                case.minor = value
            elif flag == FlagName.IMMINENT_DANGER.value:
                case.imminent_danger = value
        case.break_glass = any(r["target"] == RoutingTarget.LAW_ENFORCEMENT_BREAK_GLASS.value
                               for t in triaged for r in t["routes"])
        case.sla_due_at = min(datetime.fromisoformat(t["sla_due_at"]) for t in triaged)
    urgent = Urgency.of_rank(case.urgency_rank).is_urgent
    if urgent and case.acknowledged_at is None and case.ack_due_at is None:
        urgent_since = min((s.alerted_at for s in signals if s.alerted_at is not None),
                           default=clock.now())
        case.ack_due_at = urgent_since + clock.urgent_ack
    case.updated_at = clock.now()
    case.version += applies
    return lead is not None


def keep_obligation(session: Session, case: CaseView, signals: Sequence[SignalFacts], clock: Clock,
                    obligation: ObligationKnown = UNREAD) -> None:
    """The case's obligation in line with its (recomputed) minor flag."""
    known = None if isinstance(obligation, Unread) else (signals, obligation)
    obligations.sync(session, case, owed=case.minor, now=clock.now(), within=clock.mandatory_within,
                     basis="triage", known=known)


def flag_overrides(session: Session, case_id: uuid.UUID) -> dict[str, bool]:
    """The case's flag overrides, the latest for each flag winning."""
    latest: dict[str, bool] = {}
    for detail in session.scalars(select(Decision.detail).where(
            Decision.case_id == case_id, Decision.kind == "flag_override", Decision.status == "effective")
            .order_by(Decision.decided_at, Decision.id)):
        latest[str(detail["flag"])] = bool(detail["value"])
    return latest


def _raised(triage: dict[str, Any], flag: FlagName) -> bool:
    return any(f["name"] == flag.value and f["raised"] for f in triage["flags"])
