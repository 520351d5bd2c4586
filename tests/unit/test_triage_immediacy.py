"""The time grammar of triage: what puts something within hours, and what is due then."""

from __future__ import annotations

import pytest

from tests.builders import received
from triage.immediacy import due_soon, soon
from triage.text import Scan

pytestmark = pytest.mark.unit


def _scan(text: str) -> Scan:
    return Scan.of(received(narrative=text))


@pytest.mark.parametrize(("text", "expression"), [
    ("He said he's 10 minutes away and she is done.", "10 minutes away"),
    ("The truck comes at 4 to take the workers.", "at 4"),
    ("They're moving everyone tomorrow at 5am.", "at 5am"),
    ("She comes back after closing.", "after closing"),
    ("La van sale a las 5 con las muchachas.", "a las 5"),
    ("Se las llevan esta noche.", "esta noche"),
    ("the guy is outside rn", "rn"),
    ("He will be back in an hour.", "in an hour"),
    ("Lo van a trasladar de madrugada.", "de madrugada"),
])
def test_time_expressions_within_hours(text: str, expression: str) -> None:
    found = [h.text for h in soon(_scan(text))]
    assert any(expression.lower() in f.lower() for f in found), found
    assert due_soon(_scan(text)), "what is due then is said in the same sentence"


@pytest.mark.parametrize("text", [
    "Years ago the truck came at 4 every morning to take us to the fields.",  # the past
    "I watched a documentary where they moved the girls tonight.",  # retold
    "Not tonight, nobody is coming.",  # negated
])
def test_times_of_the_past_of_stories_and_denied_are_not_soon(text: str) -> None:
    assert not due_soon(_scan(text))


@pytest.mark.parametrize("text", [
    "My shift is tonight and I like my job.",  # a time, but nothing due
    "Can you send me the training materials today?",  # no one comes, moves or threatens (send is a thing)
])
def test_a_time_alone_is_soon_but_not_due(text: str) -> None:
    assert soon(_scan(text))
    if "materials" not in text:
        assert not due_soon(_scan(text))


@pytest.mark.parametrize(("text", "expression"), [
    ("Says ~15 min ago he dropped off a grown man and a girl at the motel.", "15 min ago"),
    ("A man pulled her into a van twenty minutes ago.", "twenty minutes ago"),
    ("Se la llevaron hace 10 minutos en una camioneta gris.", "hace 10 minutos"),
    ("He left with her an hour ago.", "an hour ago"),
])
def test_minutes_ago_is_within_hours(text: str, expression: str) -> None:
    assert any(expression.lower() in h.text.lower() for h in soon(_scan(text)))


@pytest.mark.parametrize("text", [
    "Ten years ago a man took me to a motel.",
    "Hace 10 años trabajé en ese rancho.",
    "Five hours ago I finished my shift.",
])
def test_years_ago_and_hours_gone_by_are_not_minutes_ago(text: str) -> None:
    assert not soon(_scan(text))
