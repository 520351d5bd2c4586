"""An age told by a year of birth: "born in 2010", "DOB 3/2010", "nació en 2010", "sinh năm 2009".

A year of birth is the papers' way of giving an age, and a reporter's when the papers lie ("the ID says
19 but she was born in 2010"). It makes someone a minor when the year the signal arrived, less the
year of birth, is 17 or under (whatever the month, she has not turned 18). A year that makes someone
a toddler or a baby is left to the rest of the text: a reporter's own child's year of birth is seldom
the victim's age.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from triage.text import Hit, Scan

_I = re.IGNORECASE
_YEAR: Final = r"(?:19|20)\d\d(?!\d)"
_YEAR_DIGITS: Final = re.compile(r"(?:19|20)\d\d")
# A day and month before the year, written out or in digits: "March 3rd, ", "3/", "03-12-", "3 de marzo de ".
_DATE: Final = (r"(?:(?:\d{1,2}[/.-]){1,2}|(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:de\s+)?)?[^\W\d_]{3,10}\.?,?\s+"
                r"(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?(?:de\s+|of\s+)?)?")
_BIRTH_YEAR: Final = re.compile("|".join((
    # English: "born in 2010", "born March 3, 2010", "DOB 3/2010", "date of birth: 03/12/2010".
    rf"\bborn\s+(?:in\s+|on\s+)?{_DATE}{_YEAR}",
    rf"\b(?:d\.?o\.?b\b\.?|date\s+of\s+birth|birth\s?date|year\s+of\s+birth|birth\s+year)\W{{0,3}}"
    rf"(?:(?:in|of|is|was|shows|says)\s+)?{_DATE}{_YEAR}",
    # Spanish, Portuguese, French: "nació en 2010", "nacida el 3 de marzo de 2010", "nasceu em 2010",
    # "née en 2010", "fecha de nacimiento 2010", "data de nascimento", "date de naissance".
    rf"\b(?:naci(?:ó|o|da|do|eron)|nasc(?:eu|ida|ido)|n[ée]e?)\s+(?:en|el|em|no\s+dia|le)\s+{_DATE}{_YEAR}",
    rf"\b(?:fecha|a[ñn]o|data|ano|date|ann[ée]e)\s+de\s+(?:nacimiento|nascimento|naissance)\W{{0,3}}{_DATE}{_YEAR}",
    # Vietnamese "sinh năm 2009", Haitian Creole "fèt an 2010", Tagalog "ipinanganak noong 2010",
    # Russian and Ukrainian "родилась в 2010", "2010 года рождения", "2010 г.р.".  # noqa: RUF003 (Russian)
    rf"\bsinh\s+(?:năm|ngày\s+[^\n]{{0,15}}?năm)\s+{_YEAR}",
    rf"\bf[èe]t\s+(?:an|nan|en)\s+{_YEAR}",
    rf"\bipinanganak\s+(?:noong\s+|sa\s+)?{_DATE}{_YEAR}",
    rf"(?:родил(?:ась|ся)|народил(?:ася|ся))\s+в\s+{_YEAR}",
    rf"{_YEAR}\s*(?:года\s+рождения|року\s+народження|г\.\s?р\.)",  # noqa: RUF001 (Russian letters)
    # Chinese and Japanese "2009年出生", "2009年生まれ"; Korean "2009년생".
    rf"{_YEAR}\s*(?:年\s*(?:出生|生)|년생|년\s*출생)",
)), _I)
# Ages a year of birth can make a minor by (the signal's year less the year of birth).
_MINOR_YEARS: Final = range(4, 18)


def minor_years_of_birth(scan: Scan, year: int) -> Iterator[Hit]:
    """Years of birth that make someone 17 or younger in ``year`` (and no younger than a pre-schooler);
    each hit's ``value`` is the most the person can be."""
    for segment in scan.segments:
        for match in segment.finditer(_BIRTH_YEAR):
            at_most = year - int(_YEAR_DIGITS.findall(match.group())[-1])
            if at_most in _MINOR_YEARS:
                yield Hit("minor.year_of_birth", segment, match.start(), match.end(), value=at_most)
