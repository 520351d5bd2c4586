"""Numbers written as words, in English and Spanish: "sixteen", "twenty-one", "dieciséis", "cuarenta y dos".

The age patterns (``triage.ages``) accept ``PATTERN`` wherever they accept digits, and read what
they matched with ``value``.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from text_to_num import text2num

PATTERN: Final = (
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|"
    r"eight|nine))?|"
    r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
    r"one|two|three|four|five|six|seven|eight|nine|ten|"
    # Spanish tens and units are one number ("cuarenta y dos" is 42, not a range from 40 to 2)
    r"(?:treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa)(?:\s+y\s+(?:uno|una|un|dos|tres|"
    r"cuatro|cinco|seis|siete|ocho|nueve)\b)?|"
    r"veinti\w+|dieci(?:s[eé]is|siete|ocho|nueve)|veinte|"
    r"once|doce|trece|catorce|quince|diez|nueve|ocho|siete|seis|cinco|cuatro|tres|dos"
)
# The words of ``PATTERN`` that are whole words, to find where a number may be before matching it.
WORD_SET: Final = frozenset({
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty",
    "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "dos", "tres", "cuatro", "cinco", "seis",
    "siete", "ocho", "nueve", "diez", "once", "doce", "trece", "catorce", "quince", "dieciséis",
    "dieciseis", "diecisiete", "dieciocho", "diecinueve", "veinte", "treinta", "cuarenta", "cincuenta",
    "sesenta", "setenta", "ochenta", "noventa",
})


def value(word: str) -> int | None:
    """Digits, or an English or Spanish number word ("sixteen", "twenty-one", "dieciséis") as an int."""
    word = " ".join(word.lower().split())
    if word.isdigit():
        return int(word)
    return _number_word(word)


@cache
def _number_word(word: str) -> int | None:
    for language in ("en", "es"):
        try:
            return int(text2num(word, language))
        except ValueError:
            continue
    return None
