"""Supervisors' corrections as labelled cases, for triage to learn from (``hotline-review export-labels``).

A case whose flags a person overrode is exported signal by signal in the line shape that
``hotline-triage classify``, ``evaluate`` and ``replay`` read: the text and the declared form
fields, ``labels`` (the person's flag where they overrode it, triage's elsewhere), ``decided``
(what triage said at the time) and ``meta`` (which labels are human). Reporter details are never
exported. Every case read is an entry in the audit trail, in the same transaction as the read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.review import audit
from services.review.db import Database
from services.review.models import Decision, Signal

_FLAGS = ("minor", "imminent_danger")


def export(db: Database, *, actor: str, now: Callable[[], datetime], everything: bool = False
           ) -> Iterator[dict[str, Any]]:
    """Lines for every signal of the cases with a flag override (``everything``: every triaged case)."""
    with db.transaction() as session:
        overrides: dict[Any, dict[str, bool]] = {}
        for decision in session.scalars(select(Decision).where(Decision.kind == "flag_override",
                                                                Decision.status == "effective")
                                        .order_by(Decision.decided_at)):
            flag, value = decision.detail.get("flag"), decision.detail.get("value")
            if flag in _FLAGS and isinstance(value, bool):
                overrides.setdefault(decision.case_id, {})[flag] = value  # the latest one stands
        query = select(Signal).where(Signal.narrative.is_not(None), Signal.triage.is_not(None))
        if not everything:
            query = query.where(Signal.case_id.in_(list(overrides)))
        lines: list[dict[str, Any]] = []
        cases: dict[Any, int] = {}
        for signal in session.scalars(query.order_by(Signal.received_at)):
            lines.append(_line(signal, overrides.get(signal.case_id, {})))
            cases[signal.case_id] = cases.get(signal.case_id, 0) + 1
        for case_id, count in cases.items():
            audit.append(session, actor=actor, action="export_labels", case_id=case_id,
                         detail={"signals": count}, at=now())
    yield from lines


def _line(signal: Signal, human: dict[str, bool]) -> dict[str, Any]:
    triage: dict[str, Any] = signal.triage or {}
    raised = {f["name"]: bool(f.get("raised")) for f in triage.get("flags", [])}
    facts: dict[str, Any] = signal.facts or {}
    ages = [v.get("age") for v in facts.get("victims", []) if isinstance(v.get("age"), int)]
    location = facts.get("location") or {}
    danger = facts.get("danger_now")
    decided = {"minor": raised.get("minor", False), "imminent_danger": raised.get("imminent_danger", False),
               "call_type": triage.get("call_type"), "trafficking_type": triage.get("trafficking_type"),
               "urgency": triage.get("urgency"), "rules_version": triage.get("rules_version")}
    labels = {**{k: decided[k] for k in ("minor", "imminent_danger", "call_type", "trafficking_type")},
              **human}
    # Crisis is imminent danger and only that (triage/LABELS.md): a person's danger flag decides it.
    inferred = []
    if labels["imminent_danger"] and labels["call_type"] != "crisis":
        labels["call_type"], inferred = "crisis", ["call_type"]
    elif not labels["imminent_danger"] and labels["call_type"] == "crisis":
        labels["call_type"], inferred = "tip", ["call_type"]
    return {
        "id": str(signal.signal_id),
        "channel": signal.channel,
        "language": triage.get("language"),
        "subject": signal.subject,
        "text": signal.narrative,
        "form": {"victim_age": min(ages) if ages else None,
                 "immediate_danger": True if danger == "yes" else False if danger == "no" else None,
                 "location_state": location.get("state"), "location_city": location.get("city")},
        "labels": labels,
        "decided": decided,
        "meta": {"source": "review", "human": sorted(human), "inferred": inferred,
                 "reference_number": signal.reference_number},
    }
