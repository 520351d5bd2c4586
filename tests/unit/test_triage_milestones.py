"""A teen's milestone ("can't even drive yet", "her learner's permit"), someone turning 18 later ("not
18 til March", "turns 18 in May") or the grade a child should be in now ("supposed to be in 9 grade")
stands whatever the model makes of it, as a year of birth does.

The rules' own milestones are also among the model's inputs; turning 18 later and the grade now are
read after the model only. None counts where it is negated, in the past, retold, under a denial, or in
a question the model reads as a request for information.
"""

from __future__ import annotations

import pytest

from tests.builders import received
from tests.triage_support import minor_deaf_model, minor_evidence
from triage.extract import extract

pytestmark = pytest.mark.unit


_TURNING_18 = "minor.turning_18"
_GRADE_NOW = "minor.grade_now"
_TOO_YOUNG_FOR = "minor.too_young_for"


@pytest.mark.parametrize(("text", "span", "rule"), [
    # someone turning 18 later
    ("im a senior but im not 18 til april. a man says i owe him and i have to work his party saturday",
     "not 18 til", _TURNING_18),
    ("My cousin won't be 18 until August and the guy she lives with keeps her ID and her paychecks.",
     "won't be 18 until", _TURNING_18),
    ("He drives her to the clients every night. She turns 18 in May, so he says it's fine.", "turns 18 in",
     _TURNING_18),
    ("i only have my permit so i cant leave, he took my phone and the keys", "only have my permit",
     _TURNING_18),
    ("The crew wants my nephew in the van on June 2. He doesn't turn 18 until August and they have his SSN.",
     "doesn't turn 18 until", _TURNING_18),
    ("i dont turn 18 for 3 more months so he says the cops will just send me back. hes coming at 4am",
     "dont turn 18 for", _TURNING_18),
    # a younger birthday ahead
    ("he says i can stay with him, i turn 16 in march so he says its fine. he picks me up at the bus station",
     "i turn 16 in", _TURNING_18),
    ("She turns fifteen next month and the man at the motel keeps her phone.", "She turns fifteen next",
     _TURNING_18),
    # too young to vote or to drive
    ("She is not old enough to vote and he puts her on the sites every weekend.", "not old enough to vote",
     _TOO_YOUNG_FOR),
    ("Mi sobrina todavía no tiene edad para votar y el dueño la sienta con los clientes cada noche.",
     "todavía no tiene edad para votar", _TOO_YOUNG_FOR),
    ("a mi prima le faltan 2 años pa poder sacar la licencia, su novio la lleva con otros hombres",
     "faltan 2 años pa poder sacar la licencia", _TOO_YOUNG_FOR),
    ("O menino ainda nem tinha idade para tirar carteira quando saiu. O dono ficou com o passaporte.",
     "ainda nem tinha idade para tirar carteira", _TOO_YOUNG_FOR),
    # the grade a child should be in now
    ("the boy should be in 8th grade but he works the mill from 6am and the foreman keeps his pay",
     "should be in 8th grade", _GRADE_NOW),
    ("her brother in 9 grade, he sleep at the restaurant and boss no pay him, he cant leave",
     "in 9 grade", _GRADE_NOW),
    ("Her niece was supposed to start 11th grade in August. The couple she cleans for keep her passport.",
     "supposed to start 11th grade", _GRADE_NOW),
])
def test_a_milestone_the_model_does_not_read_stands_after_it(text: str, span: str, rule: str) -> None:
    extraction = extract(received(narrative=text))
    assert span in [e.matched_text for e in extraction.milestones]
    assert rule not in [e.rule_id for e in extraction.found.minor.evidence]  # not a model input
    assert minor_evidence(text, minor_deaf_model()) is not None


@pytest.mark.parametrize("text", [
    "Years ago I was supposed to start 10th grade but my uncle sent me to pick tomatoes. I'm 31, safe now.",
    "She looks like she should be in 9th grade but she is not a minor, she showed me her ID, she's 20.",
    "Room 10 grade inspection: in 10 minutes the crew checks the 12 grade stakes.",
])
def test_a_grade_that_is_past_denied_or_no_school_year_does_not_stand(text: str) -> None:
    assert [e for e in extract(received(narrative=text)).milestones if e.rule_id == "minor.grade_now"] == []


def test_a_teen_milestone_of_the_rules_stands_after_the_model() -> None:
    text = "she cant even drive yet and he has her working the truck stop all night"
    assert "minor.teen_milestone" in [e.rule_id for e in extract(received(narrative=text)).milestones]
    evidence = minor_evidence(text, minor_deaf_model())
    assert evidence is not None and evidence.count("minor.teen_milestone") == 1  # not listed twice


@pytest.mark.parametrize("text", [
    "Years ago, when I was 17 and turning 18 in a month, a man sold me at truck stops. I'm 35 now and safe.",
    "She is not a minor, she is 22; she turned 18 in college. Her boss keeps her passport.",
    "He turned 18 in March and works the crew with the rest of the men.",
])
def test_turning_18_that_is_past_or_denied_does_not_stand(text: str) -> None:
    assert extract(received(narrative=text)).milestones == ()
    assert minor_evidence(text, minor_deaf_model()) is None


def test_a_question_about_a_teen_turning_18_is_the_models_to_weigh() -> None:
    """A parent's question about a job is no one at risk: the model reads it as a question, nothing
    stands after it, and the model alone decides."""
    text = ("Hi, my son turns 18 in June and wants a summer job at the county fair. What hours can a 17 "
            "year old legally work? Just looking for general information.")
    assert extract(received(narrative=text)).milestones != ()
    assert minor_evidence(text, minor_deaf_model()) is None


@pytest.mark.parametrize(("text", "span"), [
    # Spanish: two boys on the crew are not 17 yet; the contractor fixed their papers with another age
    ("En la cuadrilla hay dos chavos que aún no tienen 17, el contratista les arregló papeles con otra edad.",
     "aún no tienen 17"),
    # Spanish: my niece turns 18 in March and the woman she cleans for keeps her passport
    ("Mi sobrina cumple 18 en marzo y la señora de la casa donde limpia le tiene el pasaporte.",
     "cumple 18 en"),
    # Tagalog: my sister only turns 18 next year; the agency keeps her salary
    ("Ang kapatid ko mag-18 pa lang sa susunod na taon, kinukuha ng agency ang sweldo niya.",
     "mag-18 pa lang"),
    # Bengali: my cousin is not 18 yet; he works all day at the shop and is not paid
    ("আমার চাচাতো ভাই এখনো ১৮ হয়নি, সারাদিন দোকানে কাজ করে, টাকা দেয় না।", "১৮ হয়নি"),
    # Punjabi: she is not 18 years old yet; the owner keeps her at the motel
    ("ਉਹ ਹਾਲੇ 18 ਸਾਲ ਦੀ ਨਹੀਂ ਹੋਈ, ਮਾਲਕ ਉਸਨੂੰ ਮੋਟਲ ਵਿੱਚ ਰੱਖਦਾ ਹੈ।", "18 ਸਾਲ ਦੀ ਨਹੀਂ ਹੋਈ"),
    # Hindi: he has not turned 18 yet and works at the dhaba at night
    ("वह अभी 18 साल का नहीं हुआ और रात को ढाबे पर काम करता है।", "18 साल का नहीं हुआ"),
])
def test_turning_18_later_in_other_languages_stands_after_the_model(text: str, span: str) -> None:
    extraction = extract(received(narrative=text))
    assert span in [e.matched_text for e in extraction.milestones]
    assert minor_evidence(text, minor_deaf_model()) is not None


@pytest.mark.parametrize("text", [
    "Mi hijo cumplió 18 en marzo y quiere saber cómo sacar su licencia.",  # past: he turned 18 in March
    "Ella ya tiene 18 años, cumple 19 en mayo; el patrón le retiene el sueldo.",  # already 18, turns 19
])
def test_an_18th_birthday_already_past_is_no_milestone(text: str) -> None:
    assert [e for e in extract(received(narrative=text)).milestones if e.rule_id == _TURNING_18] == []


@pytest.mark.parametrize("text", [
    "I'm 40 and not a citizen yet, so I can't vote yet. My boss keeps my passport.",
    "When I was 15 I was not old enough to vote, that was years ago; now I'm 33 and safe.",
    "He's 19, too young to drink legally, and the owner pays him in beer.",
    "I turned 16 in March of 1999, years ago; I'm 43 now and safe.",
])
def test_no_age_for_what_citizenship_or_21_brings_and_none_of_the_past(text: str) -> None:
    assert [e for e in extract(received(narrative=text)).milestones
            if e.rule_id in (_TOO_YOUNG_FOR, _TURNING_18)] == []
