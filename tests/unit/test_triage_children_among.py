"""A group with children in it ("algunos son niños", "some r kids") stands whatever the model makes of it.

The rules' finding is one of the model's inputs; it also forces the minor flag after the model, as a
year of birth does, where the rules count it at all: not negated, not in the past, not retold from the
news, not under a denial, and not in a question the model reads as a request for information.
"""

from __future__ import annotations

import pytest

from tests.builders import received
from tests.triage_support import minor_deaf_model, minor_evidence
from triage.extract import extract

pytestmark = pytest.mark.unit



@pytest.mark.parametrize(("text", "span"), [
    ("Nos cambiaron de camioneta en la frontera y el chofer nos quitó los teléfonos. Somos nueve y "
     "algunos son niños.", "algunos son niños"),
    ("on a bus to idk where. driver took everyones phones. some r kids", "some r kids"),
    ("There are six of them sleeping in the shed behind the restaurant and two of them are just kids.",
     "two of them are just kids"),
])
def test_a_group_with_children_stands_after_the_model(text: str, span: str) -> None:
    extraction = extract(received(narrative=text))
    assert [e.matched_text for e in extraction.children_among] == [span]
    assert minor_evidence(text, minor_deaf_model()) is not None


@pytest.mark.parametrize("text", [
    "Years ago, when I crossed with a coyote, some of us were children. I'm 40 now and safe.",
    "None of them are kids, they are all grown men from the crew, but the boss keeps their passports.",
    "The news said some of them were children when the police raided the farm last spring.",
])
def test_a_group_the_rules_do_not_count_does_not_stand(text: str) -> None:
    assert extract(received(narrative=text)).children_among == ()
    assert minor_evidence(text, minor_deaf_model()) is None


def test_without_the_group_the_deaf_model_raises_nothing() -> None:
    """The control for the tests above: the same account with no group of children in it."""
    text = "Nos cambiaron de camioneta en la frontera y el chofer nos quitó los teléfonos. Somos nueve."
    assert minor_evidence(text, minor_deaf_model()) is None


@pytest.mark.parametrize("text", [
    "Hi, I'm writing a paper for my social work class. How does the hotline handle a report when some of "
    "the people are kids? What are the reporting rules in general?",
    "Quick question for a training we are planning: if a crew comes in and some of them are kids, who do "
    "we call first, you or the police? Can someone send us the policy?",
])
def test_a_question_about_such_cases_is_no_group(text: str) -> None:
    """A student's or a trainer's question is about the topic: the rules count nothing in it, so nothing
    stands after the model, and the model alone decides."""
    extraction = extract(received(narrative=text))
    assert extraction.found.topic_only
    assert extraction.children_among == ()
    assert minor_evidence(text, minor_deaf_model()) is None
