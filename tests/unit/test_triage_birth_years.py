"""A minor told by a year of birth ("born in 2011", "DOB 3/2010", "nació en 2010", "sinh năm 2009").

The year the signal arrived, less the year of birth, of 17 or under is a minor whatever the month;
a year of birth that makes someone an adult, a toddler or a baby is no minor by itself, and a year
of birth in a story's past, a denial or the news counts as the rest of the minor rules count it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.events import FlagName
from tests.builders import T0, received
from triage.birth_years import minor_years_of_birth
from triage.extract import extract
from triage.features import extracted_features
from triage.rules import assess
from triage.text import Scan

pytestmark = pytest.mark.unit


def years(text: str, *, at: datetime | None = None) -> list[tuple[str, int | None]]:
    signal = received(narrative=text) if at is None else received(narrative=text, received_at=at)
    return [(h.text, h.value) for h in minor_years_of_birth(Scan.of(signal), signal.received_at.year)]


def minor_rules(text: str) -> list[str]:
    """The minor rules' findings, with the years of birth read beside them."""
    extraction = extract(received(narrative=text))
    return [e.rule_id for e in (*extraction.found.minor.evidence, *extraction.years_of_birth)]


@pytest.mark.parametrize(("text", "span", "at_most"), [
    ("While the man stepped away the girl whispered 'that's not me, I was born in 2011.'",
     "born in 2011", 15),
    ("Mi sobrina Yesenia nació en 2010. La tienen trabajando en un bar.", "nació en 2010", 16),
    ("Người gọi là dì của một cháu trai sinh năm 2009, đang làm ở một xưởng.", "sinh năm 2009", 17),
    ("Client file: female, DOB 03/12/2010, placed with the aunt.", "DOB 03/12/2010", 16),
    ("She was born on March 3rd, 2012 and works the counter after school.", "born on March 3rd, 2012", 14),
    ("La niña nacida el 3 de marzo de 2011 no va a la escuela.", "nacida el 3 de marzo de 2011", 15),
    ("Ma nièce, née en 2010, travaille chez eux sans salaire.", "née en 2010", 16),
    ("Minha prima nasceu em 2012 e mora com o patrão.", "nasceu em 2012", 14),
    ("她是2010年出生的，现在在餐馆打工。", "2010年出生", 16),  # noqa: RUF001 (Chinese comma)
    ("Девочка 2011 года рождения живёт у хозяина.", "2011 года рождения", 15),  # noqa: RUF001 (Russian)
])
def test_a_year_of_birth_that_makes_a_minor(text: str, span: str, at_most: int) -> None:
    assert years(text) == [(span, at_most)]


@pytest.mark.parametrize("text", [
    "My sister is 19 (born 2007) and the boss keeps her passport.",  # 18 or 19
    "The owner was born in 1968 and runs three restaurants.",
    "My son was born in 2024 and I need a job with daycare.",  # a toddler: the rest of the text decides
    "The plant opened in 2010 and hires through an agency.",  # a year, no birth
])
def test_a_year_of_birth_that_makes_no_minor(text: str) -> None:
    assert years(text) == []


def test_the_year_counts_from_when_the_signal_arrived() -> None:
    assert years("Her DOB is 2009.", at=datetime(2026, 3, 16, tzinfo=UTC)) == [("DOB is 2009", 17)]
    assert years("Her DOB is 2009.", at=datetime(2027, 3, 16, tzinfo=UTC)) == []


@pytest.mark.parametrize("text", [
    "La forma dice 19 porque eso dice su identificación falsa pero mi sobrina nació en 2010. La tienen "
    "trabajando en un bar y el dueño la presta a los clientes.",
    "Caller is a clerk at a DMV office. A man brought a girl in for a state ID with a birth certificate "
    "showing 2000. While he stepped away she whispered that she was born in 2011. They left together.",
    "Người gọi là dì của một cháu trai sinh năm 2009, đang làm ở một xưởng chế biến tôm. Chủ giữ giấy tờ.",
])
def test_a_year_of_birth_raises_the_minor_flag_whatever_the_papers_say(text: str) -> None:
    """Read after the model, as a form's age is: the flag is raised and shows the year as its evidence."""
    triaged = assess(received(narrative=text), now=T0)
    minor = next(f for f in triaged.flags if f.name is FlagName.MINOR)
    assert minor.raised
    assert "minor.year_of_birth" in [e.rule_id for e in minor.evidence]


def test_the_model_does_not_read_a_year_of_birth() -> None:
    """Its inputs are the same with or without it, so the fitted model needs no refit for the rule."""
    signal = received(narrative="My niece was born in 2011 and her boss keeps her papers.")
    extraction = extract(signal)
    assert extraction.years_of_birth
    assert not any("year_of_birth" in name for name in extracted_features(signal, extraction.found))


@pytest.mark.parametrize(("with_age", "with_year"), [
    ("She is not a minor, she is an adult. I typed 15 in the box by mistake.",
     "She is not a minor, she is an adult. I typed the DOB as 2010 by mistake."),
    ("The news said a girl, 15, was found at the truck stop last year.",
     "The news said a girl born in 2011 was found at the truck stop last year."),
    ("In the novel, the heroine is 15 and is sold by her uncle.",
     "In the novel, the heroine was born in 2011 and is sold by her uncle."),
    ("My niece is 15 and her boss keeps her papers.",
     "My niece was born in 2011 and her boss keeps her papers."),
])
def test_a_year_of_birth_counts_where_the_same_age_in_years_would(with_age: str, with_year: str) -> None:
    assert ("minor.text_age" in minor_rules(with_age)) == ("minor.year_of_birth" in minor_rules(with_year))
