"""Ages written in a narrative, in English and Spanish: "16yo", "a 15-year-old", "tiene quince años", "16F".

Every pattern captures the number as group ``n`` (and an optional upper bound as ``m``);
``number_words.value`` turns digits or number words into an int. Used for minors (under 18) and for
corrections to an adult age ("she is not a minor, she is 22"). Adult ages given by decade ("in her
30s", "treintañera") come from ``triage.decades``; a number that names a room or a road, or counts or
measures something ("room 16", "15 minutes", "$16"), is not an age whatever pattern it fits
(``triage.not_ages``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from operator import methodcaller
from typing import Final

from triage import decades, not_ages, number_words
from triage.prefilter import Gate, gate, led
from triage.text import Hit, Scan, Segment, words_before

_I = re.IGNORECASE

# Spanish and regional words for a girl, a boy or a child ("una chava de 16", "la patoja de 14").
_KID_ES: Final = (r"ni[ñn][oa]s?|muchach[oa]s?|chic[oa]s?|chav[oa]s?|chamac[oa]s?|chamit[oa]s?|cham[oa]s?|"
                  r"morr(?:it)?[oa]s?|patoj[oa]s?|cipot[eoa]s?|bich[oa]s?|carajit[oa]s?|chiquill[oa]s?|"
                  r"escuincl[ea]s?|pib[ea]s?|gur[ií]s(?:es)?|nen[ae]s?|peque[ñn][oa]s?|hijastr[oa]s?")
# Capitalised words that are not a person's name before "(16)" or ", 16,": places, things, times.
_NOT_A_NAME: Final = (
    r"Room|Rm|Apt|Apartment|Unit|Suite|Ste|Exit|Route|Rte|Rt|Hwy|Highway|Interstate|Lot|Gate|Bus|Line|Door|"
    r"Dock|Bay|Booth|Space|Table|Section|Sec|Station|Pump|Stall|Building|Bldg|Floor|Level|Car|Truck|Van|"
    r"Trailer|Camp|Week|Day|Page|Chapter|Item|Question|Case|Ward|Bed|Locker|Lane|Street|St|Ave|Avenue|"
    r"Road|Rd|Channel|Cabin|Pod|Cell|Block|Grade|Class|Team|Group|Level|Step|Phase|Part|Figure|Table|"
    r"Scenario|Module|Session|Slide|Episode|Season|Volume|Vol|No|Number|Total|Count|Age|Ages|Edad|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun|Enero|Febrero|Marzo|Abril|Mayo|Junio|"
    r"Julio|Agosto|Septiembre|Octubre|Noviembre|Diciembre|Calle|Cuarto|Casa|Ruta|Salida|Carretera"
)
_N: Final = rf"(?P<n>\d{{1,2}}|{number_words.PATTERN})"
_M: Final = rf"(?:\s*(?:-|\u2013|to|or|o|a|y|and|/)\s*(?P<m>\d{{1,2}}|{number_words.PATTERN}))?"
# Spanish "años", and its diminutive "añitos" ("la nena tiene 15 añitos").
_ANOS: Final = r"a[ñn](?:it)?os"
# What may follow an approximate number for it to be an age ("maybe 15." but not "maybe 15 workers").
_AGE_END: Final = (
    r"(?=\s*(?:$|[.,;:!?)\n]|and\b|or\b|y\b|o\b|but\b|pero\b|with\b|con\b|years?\b|yrs?\b|y/?o\b|"
    + _ANOS + r"\b|in\b|at\b|who\b|que\b|when\b|cuando\b|[fm]\b))"
)
_NOT_AN_AGE_AFTER: Final = (
    r"(?!\s*(?:%|percent|\$|dollars?|d[oó]lares|bucks|hours?|hrs?|horas|minutes?|mins?|minutos|miles?|"
    r"millas|am\b|pm\b|a\.m|p\.m|:\d|[.,]\d|feet|ft\b|days?|d[ií]as|weeks?|semanas|months?|meses|people|"
    r"personas|men\b|women|hombres|mujeres|workers|trabajadores|guys|of\b|times|veces|blocks|cars|hijos|"
    r"kids|children|employees|empleados|rooms?|cuartos|girls|boys|chicas|chicos|niñ[oa]s|customers|clients|"
    r"clientes|cars|trucks|houses|casas|ads|anuncios|calls|llamadas|miles|pounds|libras|percent|por ?ciento|"
    r"victims|v[ií]ctimas|others|otros|otras|more|m[aá]s|a day|al d[ií]a|per\b|por\b|girl\b|boy\b|"
    r"woman|man\b|"
    r"worker\b|person\b|kid\b|child\b|victim\b|hour\b|minute\b|day\b|week\b|month\b|year\b|years? ago|"
    r"mujer\b|hombre\b|persona\b|trabajador\b|d[oó]lar|pesos|th\b|st\b|nd\b|rd\b|x\b|/|in the (?:morning|"
    r"afternoon|evening)|o[\u2019']?clock|grados?|degrees?|"
    # "two and a half hours" measures; "she's sixteen and a half" is an age
    r"(?:and a half|y media)\s+(?:hours?|hrs?|minutes?|mins?|days?|weeks?|months?|miles?|dollars?|bucks|"
    r"feet|ft|pounds?|times|blocks|horas|minutos|d[ií]as|semanas|meses|millas|d[oó]lares|veces)\b|"
    # "8 other kids", "what are 3 signs", "once every two weeks"
    r"other\b|signs?\b|things?\b|ways?\b|questions?\b|reasons?\b|steps?\b|tips?\b|examples?\b|"
    r"facts?\b|types?\b|kinds?\b|stat(?:istic)?s\b|red flags?\b|every\b|again\b|or twice\b|"
    # a count of people with one word between: "about 12 Filipina women", "10 Haitian men"
    # ("about 15 and men pay the owner" is an age: "and" is no word of a count)
    r"(?!(?:and|or|but|y|o|pero|then|so|while|when)\s)[^\W\d_]+\s+(?:women|men|people|workers|girls|boys|kids|"
    r"children|guys|families|employees|"
    r"hombres|mujeres|personas|trabajadores|chicas|chicos|ni[ñn][oa]s|familias)\b))"
)

AGE_PATTERNS: Final = tuple((rule, re.compile(pattern, _I)) for rule, pattern in (
    # 16 years old, 16-year-old, sixteen year old, 16 yrs old
    ("age.years_old", rf"\b{_N}{_M}\s*-?\s*(?:years?|yrs?|yr)\.?\s*-?\s*old\b"),
    # 16yo, 16 y/o, 15 y.o., 15yoF
    ("age.yo", rf"\b(?P<n>\d{{1,2}}){_M}\s*(?:y/?o|y\.o\.?)(?:[fm]\b|\b)"),
    # specialist shorthand: 16F, 28M
    ("age.shorthand", r"\b(?P<n>\d{1,2})[FM]\b"),
    # case notes' "Resident (17 M, Honduras)", "V is 16 F;": a capital letter alone after the number
    ("age.shorthand", r"\b(?P<n>\d{1,2})\s(?-i:[FM])(?=\s*[,;/)]|\s*$)"),
    # F 17, M16, (F, 17): the specialists' shorthand with the letter first ("an M16" is a rifle)
    ("age.shorthand", r"(?<![\w/.'\u2019-])(?<!\ban )(?<!\ba )[FM]\s?,?\s?(?P<n>\d{1,2})\b"
                      r"(?![:.,]\d|\s*(?:%|mm\b|rifles?\b|carbines?\b|guns?\b))"),
    # ~15, (~14-15)
    ("age.approximate", rf"(?:(?<=[\s(])|^)~\s*{_N}{_M}\b{_NOT_AN_AGE_AFTER}(?!\s*(?:-|\u2013)?\s*\d)"),
    # between 15 and 17 (years of age): teen bounds only, "between 5 and 6" is a time
    ("age.approximate", rf"\bbetween\s+(?P<n>1\d)\s*(?:-|\u2013|and|to|&)\s*(?P<m>1\d|2[0-5])\b"
                        rf"{_NOT_AN_AGE_AFTER}(?!\s*(?:-|\u2013)?\s*\d)"
                        r"(?!\s+(?:tonight|today|tomorrow|this\s+(?:morning|afternoon|evening)|at\s+night|"
                        r"every|each|on\s+(?:weekdays|weekends))\b)"),
    # a girl, thirteen or so, alone
    ("age.approximate", rf"\b(?:girls?|boys?|kids?|child|teen|daughter|son|she|he|victim)\b[^.!?\n]{{0,20}}?"
                        rf"\b{_N}\s+or\s+so\b(?=\s*(?:$|[.,;:!?)'\"\u2019\n]|and\b|but\b|with\b))"),
    # turns 16 next month, will turn 18 in May, I'll be 18 in June: one year younger now (before
    # "turning 17" and "be 17" below)
    ("age.turns", rf"\b(?:turns|will turn|[\u2019']ll turn|gonna turn|about to turn|turning|will be|"
                  rf"[\u2019']ll be|ill be|gonna be|going to be)\s+{_N}\s+"
                  rf"(?:next|this|in|on|soon|tomorrow|el|en|pronto)\b"
                  r"(?!\s+(?:total|all|a\s+row|line|cash|dollars|the\s+(?:morning|afternoon|evening|van|car|truck|"
                  r"room|back|front|line|group|shift)))"),
    # Spanish's "cumple 14 años en diciembre" through a machine translation: "complete 14 years in Christmas"
    # (a person's years, not a contract's)
    ("age.turns", rf"\b(?:he|she|i|(?-i:[A-Z][a-z]+)|(?:grand)?(?:son|daughter)|niece|nephew|girl|boy|"
                  rf"brother|sister|cousin)\s+(?:will\s+|is\s+going\s+to\s+)?(?:complete|completes|completing)\s+"
                  rf"{_N}\s+(?:years?\s+)?(?:next|this|in|on|soon|at)\b"),
    # age 15, aged 15, ages 14-17, edad de 15
    ("age.stated", rf"\b(?:age[ds]?|edad(?:es)?(?:\s+de)?)\s*:?\s*(?:of\s+)?{_N}{_M}\b"),
    # she is 15, she's only fifteen, I'm 16, turned 17
    ("age.copula", rf"(?:\b(?:is|was|are|were|am|i'?m|im|turned|turning|be|theyre|shes|hes|says|claims)|"
                   rf"['\u2019](?:s|re))\s+"
                   rf"(?:both\s+|all\s+)?"
                   rf"(?:only\s+|just\s+|about\s+|around\s+|maybe\s+|like\s+|barely\s+|probably\s+|"
                   rf"actually\s+|really\s+|now\s+)?['\"\u2018\u201c]?{_N}\b{_NOT_AN_AGE_AFTER}"),
    # the date of birth on her card "makes her 17", "which would make him 15": under 18 only, since a
    # date of birth that "makes her 19" is most often the papers' word against her looks
    ("age.copula", rf"\b(?:makes?|making|made|would make|[\u2019']d make)\s+(?:her|him|them|me)\s+"
                   rf"(?:only\s+|just\s+|about\s+|barely\s+)?(?P<n>1[0-7]|[1-9]|ten|eleven|twelve|"
                   rf"thirteen|fourteen|fifteen|sixteen|seventeen)\b{_NOT_AN_AGE_AFTER}"),
    # about 15, maybe 14 or 15, looks 13, as young as 12, parece de 15
    ("age.approximate", rf"\b(?:about|around|approx(?:imately|\.)?|maybe|roughly|like|looks?(?:\s+like)?|"
                        rf"looked(?:\s+like)?|seems?(?:\s+like)?|appears?(?:\s+to\s+be)?|"
                        rf"appeared(?:\s+to\s+be)?|as young as|no older than|guess(?:ing)?|"
                        rf"(?:can[\u2019']?t|cannot|couldn[\u2019']?t|could not|can not) (?:have )?be(?:en)? "
                        rf"(?:more|older|over) than|no more than|"
                        rf"not (?:more|older) than|"
                        rf"no\s+(?:tiene|tendr[aá]|debe\s+tener|ha\s+de\s+tener|pasa\s+de(?:\s+los)?)\s+"
                        rf"m[aá]s\s+de|no\s+pasa\s+de(?:\s+los)?|"
                        rf"i[\u2019']?d say|would say|"
                        rf"estimat\w*|est\.?|unos|como\s+de|como|"
                        rf"thinks?|thought|"
                        rf"aproximadamente|aprox\.?|parecen?\s+(?:de|tener)|aparentan?)\s+['\"\u2018\u201c]?{_N}{_M}\b"
                        rf"{_NOT_AN_AGE_AFTER}(?!\s*(?:-|\u2013)?\s*\d)"),
    # girl (16), niece, 17, dtr 16 — a person word then a bare number
    ("age.person", rf"\b(?:girls?|boys?|(?:grand|step|god)?(?:daughter|son|kid|child)|dtr|niece|nephew|"
                   rf"(?:step|half[- ]?)?(?:sister|brother)|cousin|victim|vic|pv|"
                   rf"freshm[ae]n|sophomore|junior|"
                   rf"v\d?|student|friend|kid|child|teen|female|male|hija|hijo|sobrin[oa]|herman[oa]|"
                   rf"prim[oa]|niñ[oa]|muchach[oa]|amig[oa]|chic[oa]|chav[oa]|chamac[oa]|patoj[oa]|cipot[eoa]|"
                   rf"morr[oa]|menor)\s*(?:\(\s*|,\s*|\s)"
                   rf"{_N}\s*(?=\)|,|;|\.|\+|\s+(?:and|y|is|es|who|que|{_ANOS}|years?|yrs?|yo|has|had|was)\b)"),
    # two kids (6 and 9), her daughters, 12 and 14, ...: a plural and two ages (one bare number after a
    # plural is as often a count: "kids (2)")
    ("age.person", r"\b(?:kids|children|(?:grand|step)?(?:daughters|sons|kids|children)|girls|boys|nieces|"
                   r"nephews|sisters|brothers|siblings|cousins|students|teens|hij[oa]s|niñ[oa]s|nin[oa]s|"
                   r"niet[oa]s|sobrin[oa]s|herman[oa]s)\s*(?:\(\s*|,\s*)(?:ages?\s+|edades\s+)?"
                   r"(?P<n>\d{1,2})\s*(?:,|and|&|y)\s*(?P<m>\d{1,2})\s*(?=\)|,)"),
    # a chat's question and the next message's answer: "how old are you? [inbound] 16.", "How old is
    # she?\nMe: 15 i think", "¿Cuántos años tienes?\nVisitante: 15" (the first number after the
    # question, alone before its stop)
    ("age.answer", rf"(?:\bhow\s+old\s+(?:(?:are|r|is|was|were)\s+)?(?:you|u|ya|she|he|they|her|his|"
                   rf"your\s+\w+|the\s+(?:girl|boy|kid|child|victim|teen|young\s+\w+))|"
                   rf"\b(?:cu[aá]ntos\s+a[ñn]os|qu[eé]\s+edad)\s+(?:tienes|tiene|ten[eé]s|tienen)\b"
                   # a person's years, not a company's or a house's
                   rf"(?!\s+(?:su|el|la|los|las|este|esta|ese|esa)\s+(?!hij|sobrin|herman|prim|amig|niñ|"
                   rf"muchach|chic|niet|novi|v[ií]ctima)))"
                   rf"[^0-9]{{0,160}}?(?:[\]>:]|\n)\s*{_N}"
                   r"(?=\s*(?:yo|y/?o|yrs?(?:\s+old)?|years?(?:\s+old)?|i think|i guess|maybe|idk|"
                   r"a[ñn]os|creo)?\s*(?:[.!,;\n]|$))"),
    # the girl next door, 16, has ...
    ("age.person", r"\b(?:girls?|boys?|daughter|son|niece|nephew|sister|brother|cousin|kid|child|teen|"
                   r"student|friend|neighbou?r|hija|hijo|sobrin[oa]|herman[oa]|niñ[oa]|muchach[oa]|chic[oa]|"
                   r"vecin[oa]|chav[oa]|chamac[oa]|patoj[oa]|cipot[eoa])(?:\s+\w+){1,3}?\s*,\s*(?P<n>\d{1,2})\s*,"),
    # Maria (16), Maria, 16, and: a name and an age, as case notes and news write them
    # (the capital looked for first: most places hold none, and the list of non-names is long)
    ("age.named", rf"(?-i:(?=[A-Z]))(?<![\w.])(?!(?:{_NOT_A_NAME})\b)(?-i:[A-Z][a-z\u00e0-\u00ff]+)"
                  rf"(?:\s+(?-i:[A-Z])\.?)?(?:\s*\(\s*|\s*,\s*)(?P<n>\d{{1,2}})\s*[),](?!\d)"),
    # cumple 16 el mes que viene, va a cumplir 18 en mayo: one year younger now
    # (and "yo cumplo 18 en diciembre")
    ("age.turns", rf"\b(?:va a cumplir|voy a cumplir|cumple|cumplo|cumples|cumplir[aáeé])\s+{_N}"
                  rf"(?:\s+{_ANOS})?\s+"
                  rf"(?:el|en|este|esta|pronto|ma[ñn]ana|la\s+otra|la\s+pr[oó]xima)\b"),
    # Spanish: tiene 15 años, de 15 años, 15 años de edad, tenía 16, de unos 12
    ("age.anos", rf"\b(?:tiene|tienen|ten[ií]a|ten[ií]an|tengo|de|con|cumple|cumpli[oó]|unos|como|ni|"
                 rf"apenas|solo|sólo|entre|y|o|edad)\s+(?:unos\s+|como\s+|apenas\s+|solo\s+|sólo\s+)?"
                 rf"{_N}{_M}\s+{_ANOS}\b"),
    ("age.anos", rf"\b{_N}\s+{_ANOS}\s+de\s+edad\b"),
    # "una es de 17", "la más chica es de 14": one of the people is of that age (not "es de 10 dólares")
    ("age.anos", rf"\b(?:una|uno|otra|otro|ella|la\s+(?:otra|menor|mayor|nueva|chava|chamaca|muchacha|niña|"
                 rf"chica|m[aá]s\s+(?:chica|chiquita|joven|peque[nñ]a)))\s+(?:es|era)\s+de\s+(?:unos\s+|como\s+)?"
                 rf"{_N}\b"
                 rf"(?!\s*(?:[.,:]\d|a\s+\d|y\s+\d|por|%|d[oó]lares|pesos|la|el|de\b)){_NOT_AN_AGE_AFTER}"),
    # cumplió 15 en marzo (cumplió 15 años: above)
    ("age.tiene", rf"\bcumpli[oó]\s+{_N}\b{_NOT_AN_AGE_AFTER}(?!\s+{_ANOS})"),
    # "tengo 14 nmms q hago": a first-person "I have" with a bare number and no unit is an age
    # English in Spanish's words: "I have 14 years", "Edwin he have 16 years" (not "16 years of", "in")
    ("age.tiene", rf"\b(?:i|he|she|who)\s+(?:have|has|having)\s+{_N}\s+(?:years?|yrs?)\b"
                  rf"(?!\s+(?:of|in|at|on|with|for|experience|working|here|there|now|since|ago|old|more)\b)"),
    ("age.tiene", rf"\btengo\s+(?:apenas\s+|solo\s+|sólo\s+)?{_N}\b{_NOT_AN_AGE_AFTER}(?!\s+{_ANOS})"
                  rf"(?!\s*(?:-|\u2013|[.,:/]\s*\d))"),
    ("age.tiene", rf"\b(?:tiene|tienen|ten[ií]a|tengo|tenga)\s+(?:unos\s+|como\s+|apenas\s+|solo\s+|"
                  rf"sólo\s+)?"
                  rf"{_N}\b{_NOT_AN_AGE_AFTER}(?!\s+{_ANOS}){_AGE_END}"),
    ("age.anos", rf"\b(?:{_KID_ES}|nin[oa]s?|joven|j[oó]venes|adolescentes?|"
                 rf"menor(?:es)?|hij[oa]s?|sobrin[oa]s?|herman(?:it)?[oa]s?|niet[oa]s?|ahijad[oa]s?|"
                 rf"prim(?:it)?[oa]s?|vecin(?:it)?[oa]s?)\s+de\s+(?:unos\s+|como\s+)?{_N}{_M}\b"
                 rf"{_NOT_AN_AGE_AFTER}"),
)) + decades.DECADE_PATTERNS

# An age said about the past: "when I was 15", "at 14", "a los 15 años", "cuando tenía 12".
_HISTORICAL_PREFIX: Final = re.compile(
    r"(?:\bwhen\s+(?:i|she|he|they|we)\s+(?:was|were)|\bat\s+(?:the\s+)?(?:age\s+(?:of\s+)?)?|"
    r"\bas\s+a|\bfrom\s+(?:the\s+)?age\s+(?:of\s+)?|\bstart(?:ed|ing)\s+at|\bbegan\s+at|"
    r"\bcuando\s+(?:ten[ií]a|era|tenia)|\ba\s+los|\bdesde\s+los|\bdesde\s+que\s+ten[ií]a)\s*$", _I)
_SINCE_PREFIX: Final = re.compile(r"\bsince\s+(?:(?:i|she|he|they|we)\s+(?:was|were)\s+|"
                                  r"(?:the\s+)?age\s+(?:of\s+)?)?$",
                                  _I)


@dataclass(frozen=True, slots=True)
class AgeMention:
    hit: Hit
    past: bool  # "when I was 15", "at 14", "a los 15 años": an age someone had, not has
    since: bool  # "since she was 15": historical only if a current adult age is also given

    @property
    def age(self) -> int:
        return self.hit.value if self.hit.value is not None else 99


# ``led`` (here and for the decade words below): these scan every narrative whole, and most of its
# positions start no match.
_DIGITS: Final = led(re.compile(r"(?<!\d)\d{1,2}(?!\d)"))
# Every pattern's words before the number fit in this many characters, and after it in the other,
# but for those run over the whole segment (a chat's answer can come long after its question; the
# question's words gate it, and are rare).
_BEFORE: Final = 60
_AFTER: Final = 45
_WHOLE_SEGMENT: Final = frozenset({"age.answer"})
_SPAN: Final = methodcaller("span")  # (start, end), read in C
_DECADE_WORD: Final = led(re.compile(r"(?<![a-z])(?:" + "|".join(decades.STEMS) + ")"))
# Every decade pattern's number is one of these: two digits from 20 or a word of the tens.
_DECADE_HINT: Final = led(re.compile(r"[2-8]\d|" + "|".join(decades.STEMS)))


def _windows(lowered: str, tokens: list[str]) -> list[tuple[int, int]]:
    """Stretches of the text around each number or number word, merged when they overlap."""
    spots: list[tuple[int, int]] = list(map(_SPAN, _DIGITS.finditer(lowered)))
    distinct = set(tokens)  # the sets below are of the distinct tokens: each is looked at once
    words = set(number_words.WORD_SET.intersection(distinct))
    if "-" in lowered:  # "twenty-one": the first part of a hyphenated token
        words.update(number_words.WORD_SET.intersection([t.split("-", 1)[0] for t in distinct if "-" in t]))
    if "veinti" in lowered:
        words.update(t for t in distinct if t.startswith("veinti"))
    for word in words:
        at = lowered.find(word)
        while at != -1:
            spots.append((at, at + len(word)))
            at = lowered.find(word, at + 1)
    spots += map(_SPAN, _DECADE_WORD.finditer(lowered))
    windows: list[tuple[int, int]] = []
    for first, last in sorted(spots):
        start, end = max(0, first - _BEFORE), min(len(lowered), last + _AFTER)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


@cache
def _gated() -> tuple[tuple[str, re.Pattern[str], Gate], ...]:
    """Each pattern with its literal gate, made once (``gate`` looks each up by the pattern's id)."""
    return tuple((rule, pattern, gate(pattern)) for rule, pattern in AGE_PATTERNS)


@cache
def _partners() -> tuple[str, ...]:
    """The characters of a lower-cased text that keep the patterns on the original text, IGNORECASE
    (the dotless i and the long s, which it reads as "i" and "s"): their ``Gate.partners``."""
    return tuple(sorted(frozenset().union(*(literal_gate.partners for _, _, literal_gate in _gated()))))


def find_ages(scan: Scan) -> Iterator[AgeMention]:
    """Every age mention (the lowest value of a range), with its span: the whole phrase.

    The patterns run only on short windows around numbers, not over the whole narrative: most of
    a narrative holds no number, and scanning it with every pattern was the costliest rule. They
    run without IGNORECASE on the lower-cased text (twice as fast), where that finds the same.
    """
    seen: set[tuple[int, int]] = set()
    for segment in scan.segments:
        if len(segment.lowered) != len(segment.text):
            windows = [(0, len(segment.text))]  # lower-casing moved offsets: scan the original
            lowered = False
        else:
            windows = _windows(segment.lowered, segment.tokens())
            lowered = not any(c in segment.lowered for c in _partners())
        if not windows:  # no number and no number word: no pattern can match
            continue
        # Most narratives give no decade: their patterns run only where a decade can be.
        decade = _DECADE_HINT.search(segment.lowered) is not None
        gated = _gated()  # before the literals are looked for: a new gate grows the literal index
        found = segment.literals_found()
        for rule, _, literal_gate in gated:
            if rule == "age.decade" and not decade:
                continue
            if not literal_gate.may_match_found(found):
                continue
            compiled = literal_gate.on_lowered if lowered else None
            haystack = segment.lowered if compiled is not None else segment.text
            compiled = compiled or literal_gate.on_text
            for start, end in windows if rule not in _WHOLE_SEGMENT else ((0, len(haystack)),):
                for match in compiled.finditer(haystack, start, end):
                    mention = _mention(rule, segment, match, seen)
                    if mention is not None:
                        yield mention


# "around 2 last night", "this morning around 10": an hour of the day, not an age.
_AROUND: Final = re.compile(r"\s*(?:around|about|like|approx(?:imately|\.)?|como a las|a eso de)\s", _I)
# "back when they close like 11", "he gets off around 2", "till about 10": an hour, by the verb before it.
_HOUR_AFTER: Final = re.compile(
    r"\b(?:clos(?:e|es|ing)|open(?:s|ing)?|back|off|home|leav(?:e|es|ing)|till?|until|by|at|start(?:s|ing)?|"
    r"end(?:s|ing)?|done|arriv(?:e|es|ing)|gets?\s+(?:in|here|there)|shift)\s*$", _I)
_PART_OF_DAY: Final = re.compile(
    r"\b(?:last night|tonight|this (?:morning|afternoon|evening)|at night|yesterday|today|in the night|"
    r"anoche|ayer|hoy|(?:de|por|esta) la (?:ma[ñn]ana|tarde|noche)|esta ma[ñn]ana)\b", _I)


# A copula's subject that is a thing with a number: "the number is five", "her room is 14".
_THING_BEFORE: Final = re.compile(
    r"\b(?:number|phone|cell|address|room|code|zip|extension|ext|plate|pin|exit|unit|apt|apartment|"
    r"total|price|cost|rent|bill|fee|score|time|n[uú]mero|cuarto|habitaci[oó]n)\s*$", _I)
_PERSON_BEFORE: Final = re.compile(
    r"\b(?:girls?|boys?|kids?|child|daughter|son|niece|nephew|victim|teen|she|he|looks?|looked|"
    r"ni[ñn][oa]s?|chic[oa]s?|hij[oa]s?|muchach[oa]s?)\W*$", _I)


def _clock_time(text: str, match: re.Match[str]) -> bool:
    if not _AROUND.match(text, match.start()):
        return False
    if _PERSON_BEFORE.search(text, max(0, match.start() - 20), match.start()):
        return False  # "a boy about 10 ... today": said of a person
    if _HOUR_AFTER.search(text, max(0, match.start() - 20), match.start()):
        return True
    return _PART_OF_DAY.search(text, max(0, match.start() - 25), min(len(text), match.end() + 25)) is not None


_TENS_AND: Final = re.compile(r"\b(?:treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa)\s+y\s+$", _I)
_ARTICLES: Final = frozenset({"one", "once", "uno", "una"})
# Patterns whose words say the number is an age ("one year old", "once años").
_AGE_MARKED: Final = frozenset({"age.years_old", "age.anos", "age.tiene"})  # "tiene once" is 11


def _mention(
    rule: str, segment: Segment, match: re.Match[str], seen: set[tuple[int, int]]
) -> AgeMention | None:
    groups = match.groupdict()
    read = number_words.value if rule != "age.decade" else (lambda word: decades.value(word, groups.get("q")))
    word = match.group("n")
    number = read(word)
    if number is None:
        return None
    # "about one restaurant", "maybe once a week": "one" is an article and "once" English far more
    # often than an age of one or a Spanish eleven
    if not word[0].isdigit() and word.lower() in _ARTICLES and rule not in _AGE_MARKED:
        return None
    if rule == "age.approximate" and number <= 12 and _clock_time(segment.text, match):
        return None
    if rule == "age.copula" and _THING_BEFORE.search(segment.text, max(0, match.start() - 24), match.start()):
        return None  # "the number is five oh ...", "the room is 14": a thing's number, nobody's age
    if number < 10 and _TENS_AND.search(segment.text, max(0, match.start("n") - 16), match.start("n")):
        return None  # the "cinco" of "sesenta y cinco": the tail of a larger number
    upper = groups.get("m")
    if upper:
        number = min(number, read(upper) or number)
    if rule == "age.turns":
        number -= 1  # not that age yet
    key = (id(segment), match.start("n"))
    if key in seen:
        return None
    seen.add(key)
    if match.group("n")[0].isdigit() and not_ages.holds(
            segment.text, match.start("n"), match.end("n"),
            segment.lowered if len(segment.lowered) == len(segment.text) else None):
        return None  # "room 16", "15-20 minutes": a number that names or measures is nobody's age
    # A decade's phrase starts before its number ("when she was in her 20s"): the past is said before it.
    before = words_before(segment, match.start() if rule == "age.decade" else match.start("n"))
    return AgeMention(
        hit=Hit(rule, segment, match.start(), match.end(), value=number),
        past=_HISTORICAL_PREFIX.search(before) is not None,
        since=_SINCE_PREFIX.search(before) is not None,
    )
