"""Where triage found its evidence in a signal's text, cut into stretches the case page marks."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any


@dataclass(frozen=True)
class Mark:
    text: str
    flags: tuple[str, ...]  # the flags whose evidence covers this stretch (empty: plain text)
    rules: tuple[str, ...]


def highlight(text: str, evidence: list[tuple[str, dict[str, Any]]]) -> list[Mark]:
    """Cut ``text`` into stretches, each with the flags whose evidence spans cover it. A span that
    does not match its recorded text (the text changed) is not drawn."""
    spans = []
    for flag, item in evidence:
        start, end = item.get("start"), item.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
            continue
        if item.get("matched_text") and text[start:end] != item["matched_text"][: end - start]:
            continue
        spans.append((start, end, flag, str(item.get("rule_id", ""))))
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    marks = []
    for a, b in pairwise(cuts):
        covering = [(f, r) for s, e, f, r in spans if s <= a and b <= e]
        marks.append(Mark(text[a:b], tuple(sorted({f for f, _ in covering})),
                          tuple(sorted({r for _, r in covering}))))
    return marks


def evidence_for(triage: dict[str, Any] | None, field: str) -> list[tuple[str, dict[str, Any]]]:
    if not triage:
        return []
    return [(flag["name"], item) for flag in triage.get("flags", []) if flag.get("raised")
            for item in flag.get("evidence", [])
            if item.get("field") == field and item.get("origin") == "text"]
