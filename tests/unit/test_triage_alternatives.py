"""A rule pattern narrowed to the alternatives whose literals occur finds exactly what it finds whole.

``triage.alternatives`` cuts a pattern at its top-level bars and keeps, for each text, only the
alternatives the text's literals let through; ``Segment.finditer`` scans with what is kept.
"""

from __future__ import annotations

import re

import pytest

from triage.alternatives import alternatives, split, top_level
from triage.danger import _DENIED
from triage.danger_rules import STRONG
from triage.immediacy import SOON
from triage.prefilter import gate
from triage.situation import SITUATION, TOPIC
from triage.text import Segment

pytestmark = pytest.mark.unit

TEXTS = (
    "I checked yes by mistake, nobody is in danger now. This is only a test.",
    "She is 15 and he is coming back tonight at 9pm, right now she is locked in.",
    "Una muchacha de 15 años está encerrada; no hay peligro ahora, pero ya llegó el patrón.",
    "They took our phones and locked the door from outside; we are safe? no.",
    "\u0131s she safe? \u017fhe is locked \u0130n the van, NOT IN DANGER \u03a3\u0391\u03a3",
    "",
)


@pytest.mark.parametrize(("source", "parts"), [
    (r"a|b", ["a", "b"]),
    (r"\b(?:a|b)\b|c", [r"\b(?:a|b)\b", "c"]),
    (r"[|(]x|\|y|[^]|]z", ["[|(]x", r"\|y", "[^]|]z"]),
    (r"[]|]a|(?-i:[A-Z]|q)", ["[]|]a", "(?-i:[A-Z]|q)"]),
    (r"plain", ["plain"]),
])
def test_a_pattern_is_cut_at_its_top_level_bars_only(source: str, parts: list[str]) -> None:
    assert top_level(source) == parts
    assert "|".join(parts) == source


@pytest.mark.parametrize("source", [r"(?i)a|b", r"(a)|b", r"a|b(?P<n>c)", r"single"])
def test_a_pattern_with_groups_global_flags_or_one_alternative_is_not_split(source: str) -> None:
    assert split(gate(re.compile(source))) is None


def test_only_alternatives_whose_literals_occur_are_kept() -> None:
    pattern = re.compile(r"\bdanger\w*|\bthreat\w*|\bno\b", re.IGNORECASE)
    kept = alternatives(gate(pattern))
    assert kept is not None
    segment = Segment("narrative", "A threat, no danger.")
    assert kept.kept(segment.literals_found()) == 0b111
    segment = Segment("narrative", "They threaten her.")
    assert kept.kept(segment.literals_found()) == 0b110  # "no" is too short to look for: always kept
    assert [m.group() for m in segment.finditer(pattern)] == ["threaten"]


@pytest.mark.parametrize("pattern", [_DENIED, SOON, SITUATION, TOPIC, *(p for _, p in STRONG)])
def test_a_narrowed_pattern_finds_what_the_whole_pattern_finds(pattern: re.Pattern[str]) -> None:
    for text in TEXTS:
        for variant in (text, text.upper(), text.lower()):
            found = [m.span() for m in Segment("narrative", variant).finditer(pattern)]
            assert found == [m.span() for m in pattern.finditer(variant)], (pattern.pattern[:60], variant)


def test_one_group_of_alternatives_between_word_boundaries_is_split_inside() -> None:
    pattern = re.compile(r"\b(?:tonight|right now|rn)\b", re.IGNORECASE)
    kept = alternatives(gate(pattern))
    assert kept is not None
    assert kept.everything == 0b111
    segment = Segment("narrative", "He comes back tonight.")
    assert kept.kept(segment.literals_found()) == 0b101  # "rn" is too short to look for: always kept
    assert [m.group() for m in segment.finditer(pattern)] == ["tonight"]
    assert top_level(r"\b(?:a)|(?:b)\b") == [r"\b(?:a)", r"(?:b)\b"]
    assert top_level(r"a)|(b") is None
