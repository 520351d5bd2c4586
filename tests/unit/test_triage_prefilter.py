"""The pattern gates' faster forms of a rule pattern find exactly what the pattern finds.

``led`` puts a look-ahead for a match's possible first characters in front of a pattern;
``case_partners`` names the characters for which IGNORECASE on the text and a case-sensitive scan
of the lower-cased text disagree, so that a scan of the lower-cased text can be refused for them.
"""

from __future__ import annotations

import re

import pytest

from tests.builders import received
from triage import ages
from triage.immediacy import SOON
from triage.prefilter import case_partners, gate, led
from triage.situation import SITUATION
from triage.text import Scan

pytestmark = pytest.mark.unit

TEXTS = (
    "She is 15 and he is coming back tonight at 9pm, right now she is locked in.",
    "Una muchacha de 15 años está encerrada; la van a llevar mañana a las 5.",
    "Maria (16), and Juan, 15, were there; tn he comes in 10 mins",
    "",
    "...",
    "\u0131s she f\u0131fteen? \u017fhe is 15 \u03a3\u0391\u03a3 \u03c2",
)


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


def test_a_led_pattern_finds_what_the_pattern_finds() -> None:
    for pattern in (SOON, SITUATION, *(p for _, p in ages.AGE_PATTERNS)):
        faster = led(pattern)
        assert faster is not pattern
        for text in TEXTS:
            assert spans(faster, text) == spans(pattern, text), pattern.pattern
            assert spans(faster, text.upper()) == spans(pattern, text.upper()), pattern.pattern


@pytest.mark.parametrize("source", [r"a*", r"\b(?:x?|y)", r"(?i)abc", r".abc", r"[^a]bc"])
def test_a_pattern_that_can_match_nothing_or_starts_beyond_reading_is_kept_as_it_is(source: str) -> None:
    pattern = re.compile(source)
    assert led(pattern) is pattern


def test_a_lead_names_the_first_characters_of_every_alternative() -> None:
    faster = led(re.compile(r"\b(?:ab|\d+x|(?:c|d)e?)", re.IGNORECASE))
    assert faster is not None
    assert [m.group() for m in faster.finditer("AB 12x Ce d zz")] == ["AB", "12x", "Ce", "d"]


def test_the_characters_ignorecase_reads_as_another_letter_are_named() -> None:
    assert case_partners(re.compile(r"\bis\b", re.IGNORECASE)) == {"\u0131", "\u017f"}
    assert case_partners(re.compile(r"[0-9]+")) == frozenset()


def test_age_patterns_run_on_the_lower_cased_text_when_it_finds_the_same() -> None:
    lowered = [gate(pattern).on_lowered for _, pattern in ages.AGE_PATTERNS]
    assert sum(pattern is not None for pattern in lowered) > len(lowered) // 2
    # Upper-case letters named on purpose ("16F", a name) keep IGNORECASE on the original text.
    assert gate(ages.AGE_PATTERNS[2][1]).on_lowered is None


def test_a_dotless_i_reads_as_an_i_in_the_age_patterns_as_ignorecase_reads_it() -> None:
    found = [m.age for m in ages.find_ages(Scan.of(received(narrative="She \u0131s 15 and scared.")))]
    assert found == [15]
