"""Adult ages given as a decade or an approximation: "in her 30s", "late twenties", "treintañera".

People who do not know an adult's age give it by decade far more often than by number. Each
pattern captures the decade as group ``n`` (digits "30s", a word "thirties", "treinta",
"trentaine", "trinta"), an optional second decade as ``m`` ("20s or 30s") and an optional
"early / mid / late" as ``q``; ``value`` turns them into the lowest age they can mean, which is
always adult (decades from twenty up), so a minor is never read from them. "In her teens" is not
a decade here: the minor rules read "teens" as the term it is.

English, Spanish, French and Portuguese. A decade of the calendar ("the 80s", "los años 90",
"in the late 90s") is not an age: a decade needs a person's possessive, a modifier not after
"the", a shorthand person word or a form only ages take ("thirty-something", "treintañera").
"""

from __future__ import annotations

import re
from typing import Final

# Tens from twenty to eighty, as digits ("30s", "30's") or words in the four languages.
_TENS_WORDS: Final = (
    r"twenties|thirties|forties|fifties|sixties|seventies|eighties|"
    r"veintes?|treintas?|cuarentas?|cincuentas?|sesentas?|"
    r"vinte|trinta|quarenta|cinquenta|sessenta"
)
_DECADE: Final = (
    rf"(?P<n>[2-8]0\s?['\u2019]?s\b|[2-8]0(?=\s*(?:or|to|-|\u2013|/)\s*[2-8]0['\u2019]?s)|{_TENS_WORDS})"
)
_UPPER: Final = (
    rf"(?:\s*(?:or|to|-|\u2013|/|and|o|y|ou|e)\s*(?:(?:early|mid|late)[- ]?)?"
    rf"(?P<m>[2-8]0\s?['\u2019]?s\b|{_TENS_WORDS}))?"
)
_QUALIFIER: Final = r"(?:(?P<q>early|mid|middle|late)\s*-?\s*)?"
_PERSON: Final = r"(?:[fm]|female|male|woman|man|women|men|lady|ladies|guy|guys|wf|wm|hf|hm|bf|bm)"
# What is not a person's age when it follows a decade: temperatures, speeds, money, time.
_NOT_AFTER: Final = r"(?!\s*(?:degrees|grados|degr[eé]s|\u00b0|mph|km|minutes|mins|dollars|d[oó]lares|%))"

DECADE_PATTERNS: Final = tuple((rule, re.compile(pattern, re.IGNORECASE)) for rule, pattern in (
    # in her 30s, in his late forties, in their early-to-mid twenties, in my 20s or 30s
    ("age.decade", rf"\bin\s+(?:her|his|their|my|your|our)\s+(?:(?:early|mid)\s*-?\s*to\s*-?\s*)?"
                   rf"{_QUALIFIER}{_DECADE}{_UPPER}{_NOT_AFTER}"),
    # late 20s, mid-forties, early thirties (not "the late 80s", a decade of the calendar)
    ("age.decade", rf"(?<!the\s)(?<!los\s)\b(?P<q>early|mid|late)\s*-?\s*{_DECADE}{_UPPER}{_NOT_AFTER}"),
    # 20s or 30s, twenties to thirties (not "the 70s or 80s")
    ("age.decade", rf"(?<!the\s)(?<!los\s)\b{_DECADE}\s*(?:or|to|-|\u2013|/)\s*"
                   rf"(?P<m>[2-8]0\s?['\u2019]?s\b|{_TENS_WORDS}){_NOT_AFTER}"),
    # specialist shorthand: F 30s, woman, 40s; 30s F, 20s male
    ("age.decade", rf"\b{_PERSON}\s*[,:/(]?\s*{_QUALIFIER}(?P<n>[2-8]0\s?['\u2019]?s)\b"),
    ("age.decade", rf"\b{_QUALIFIER}(?P<n>[2-8]0\s?['\u2019]?s)\s*[,/]?\s*{_PERSON}\b"),
    # aged 30s, looks 40s, she's in the 20s range, age: 30s
    ("age.decade", rf"\b(?:aged?|ages|edad|looks?|looked|seems?|appears?|maybe|probably|possibly)\s*:?\s+"
                   rf"(?:about\s+|around\s+|like\s+)?{_QUALIFIER}{_DECADE}{_UPPER}{_NOT_AFTER}"),
    # thirty-something, 40-something, twentysomething, thirtyish, 30-ish
    ("age.decade", r"\b(?P<n>twenty|thirty|forty|fifty|sixty|[2-6]0)\s*-?\s*(?:something|ish)\b"
                   r"(?!\s*(?:degrees|minutes|mins|hours|dollars|bucks|people|workers|men|women|cars|times|"
                   r"miles|pounds|percent))"),
    # Spanish: en sus treinta, en sus 30s, a sus cuarenta, en la treintena
    ("age.decade", rf"\b(?:en|a|por)\s+sus\s+(?:(?P<q>primeros|tempranos|mediados de los|mitad de los)\s+)?"
                   rf"(?P<n>[2-8]0s?\b|{_TENS_WORDS}|treinti\w*|veinti\w*)"),
    # treintañera, veinteañero, cuarentona, cincuentón, treintón
    ("age.decade", r"\b(?P<n>(?:veinte|treint|cuarent|cincuent|sesent)a?[ñn]er[oa]s?|"
                   r"(?:treint|cuarent|cincuent|sesent)(?:[oó]n|ona|ones|onas)|"
                   r"(?:trint|quarent|cinquent)(?:[aã]o|ona|ões|onas))\b"),
    # treinta y tantos, veintitantos, treinta y pico, cuarenta y pocos; trinta e poucos, vinte e tantos
    ("age.decade", r"\b(?P<n>veinte|veinti|treinta|cuarenta|cincuenta|sesenta|vinte|trinta|quarenta|"
                   r"cinquenta|[2-6]0)\s*(?:y|i|e)?\s*(?:tantos|tantas|pico|pocos|pocas|poucos|poucas|algo|muitos)\b"
                   r"(?!\s+(?:de\s+(?!edad|a[ñn]os)|d[oó]lares|pesos|personas|hombres|mujeres|minutos|horas|"
                   r"veces|reais|pessoas|homens|mulheres|vezes|por\s+cento|por\s+ciento|%))"),
    # rondando los 30, pasados los cuarenta, ya pasó los 40; na casa dos 30, passou dos trinta
    ("age.decade", r"\b(?:rondando|ronda|rondar[aá]|rondaba|pasados|pasadit[oa]s|pas[oó]|pasa|pasaba|"
                   r"pasad[oa]s? de)\s+(?:de\s+)?los\s+"
                   r"(?P<n>[2-8]0|veinte|treinta|cuarenta|cincuenta|sesenta)\b"
                   r"(?!\s*(?:minutos|d[oó]lares|pesos|kil[oó]metros|grados|km|%|metros))"),
    ("age.decade", r"\b(?:na\s+casa\s+dos|passou\s+dos|passa\s+dos|beirando\s+os)\s+"
                   r"(?P<n>[2-8]0|vinte|trinta|quarenta|cinquenta|sessenta)\b"
                   r"(?!\s*(?:minutos|reais|d[oó]lares|graus|km|%|metros))"),
    # French: une trentaine d'années, dans la trentaine, la trentaine passée, trentenaire, quadragénaire
    ("age.decade", r"\b(?:une|la|dans\s+la|d[eé]but\s+de\s+la|fin\s+de\s+la|milieu\s+de\s+la)\s+"
                   r"(?:petite\s+|bonne\s+|jeune\s+)?(?P<n>vingtaine|trentaine|quarantaine|cinquantaine|"
                   r"soixantaine)\s+d['\u2019]\s*ann[eé]es\b"),
    ("age.decade", r"\b(?:dans\s+la|d[eé]but\s+de\s+la|fin\s+de\s+la|milieu\s+de\s+la|approche\s+la|"
                   r"a\s+pass[eé]\s+la|la\s+(?:petite|bonne|jeune))\s+(?P<n>vingtaine|trentaine|quarantaine|"
                   r"cinquantaine|soixantaine)\b"),
    ("age.decade", r"\bla\s+(?P<n>vingtaine|trentaine|cinquantaine|soixantaine)\b(?!\s+de\s)"),
    ("age.decade", r"\b(?P<n>trentenaire|quadrag[eé]naire|quinquag[eé]naire|sexag[eé]naire)s?\b"),
    # Portuguese and French approximate ages: uns 30 anos, cerca de 30 anos, environ 30 ans
    ("age.decade", r"\b(?:uns|umas|cerca\s+de|por\s+volta\s+de|mais\s+ou\s+menos|environ|d['\u2019]environ|"
                   r"dans\s+les|autour\s+de|vers\s+les)\s+(?P<n>[2-8]\d)\s+(?:anos|ans)\b"),
))

# Stems of the tens, longest first where one is the start of another.
_TENS: Final = (
    ("twent", 20), ("thirt", 30), ("fort", 40), ("fift", 50), ("sixt", 60), ("sevent", 70), ("eight", 80),
    ("veint", 20), ("vingt", 20), ("vint", 20), ("treint", 30), ("trent", 30), ("trint", 30),
    ("cuarent", 40), ("quarant", 40), ("quarent", 40), ("quadrag", 40), ("cincuent", 50),
    ("cinquant", 50), ("cinquent", 50), ("quinquag", 50), ("sesent", 60), ("sessent", 60),
    ("soixant", 60), ("sexag", 60),
)
_OFFSET: Final = {"early": 0, "primeros": 0, "tempranos": 0, "mid": 4, "middle": 4, "mediados de los": 4,
                  "mitad de los": 4, "late": 7}
# Stems of the decade words, to find them in a text quickly (``triage.ages`` scans around them).
STEMS: Final = tuple(stem for stem, _ in _TENS)


def value(decade: str, qualifier: str | None = None) -> int | None:
    """The lowest age a decade ("30s", "thirties", "treintañera", "trentaine") and its qualifier mean."""
    word = decade.lower().strip()
    digits = re.match(r"\d+", word)
    if digits is not None:
        base = int(digits.group())
        if word[len(digits.group()):].strip(" '\u2019") not in ("s", ""):
            return None
    else:
        base = next((tens for stem, tens in _TENS if word.startswith(stem)), 0)
        if not base:
            return None
    if qualifier is not None and base % 10 == 0:
        base += _OFFSET.get(re.sub(r"\s+", " ", qualifier.lower()), 0)
    return base
