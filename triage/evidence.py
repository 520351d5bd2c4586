"""Evidence for a flag: the rule and either the declared field or the matched span of text."""

from __future__ import annotations

from contracts.events import Evidence
from triage.text import Hit


def from_hit(rule_id: str, hit: Hit) -> Evidence:
    # Trusted: the rule ids are constants and the span a match in the validated signal's text.
    return Evidence.trusted(rule_id=rule_id, origin="text", field=hit.segment.field, start=hit.start,
                            end=hit.end, matched_text=hit.text[:500])


def declared(rule_id: str, field: str) -> Evidence:
    return Evidence.trusted(rule_id=rule_id, origin="declared", field=field)
