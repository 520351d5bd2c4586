"""Numbers in a narrative that are nobody's age: rooms, roads, durations, prices, counts, times, dates.

"Room 16", "US 17", "15-20 minutes", "$16 a night", "17 cars", "a shift of 14 hours", "unit 9F",
"12F outside" hold the
numbers a minor's age is written with, and "the room number is 16" fits the pattern of "she is
16". ``spans`` finds such numbers by the words that say what they name, count or measure, and
``holds`` asks it of one number, so that the age extractor drops them. A number followed by what
marks an age ("16 years old", "16yo", "16F", "15 años", "15 saal") is never one of them,
whatever comes before it.

Reads any case, accents folded or not, and returns offsets into the text it is given.
"""

from __future__ import annotations

import re
from typing import Final

# One number, or a range of two ("15-20", "15 to 20", "15 o 20", "15/20").
_NUM: Final = r"\d{1,4}(?:[.,]\d{1,2})?"
_RANGE: Final = rf"{_NUM}(?:\s*(?:-|\u2013|to|or|a|o|ou|\u00e0|/)\s*{_NUM})?"
_MONTHS: Final = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|"
    r"septiembre|setiembre|octubre|noviembre|diciembre|janvier|f[eé]vrier|mars|avril|mai|juin|juillet|"
    r"ao[uû]t|septembre|octobre|novembre|d[eé]cembre|janeiro|fevereiro|mar[cç]o|maio|junho|julho|"
    r"setembro|outubro|novembro|dezembro"
)

# What comes before a number that names a place, a thing or a road: "room 16", "apt 4b", "I-15".
_NAMING_BEFORE: Final = (
    r"(?:room|rm|rooms|apt|apartment|unit|suite|ste|lot|space|trailer|door|floor|building|bldg|gate|"
    r"dock|bay|booth|stall|table|box|locker|cabin|cell|bunk|bed|site|pod|page|line|bus|flight|train|"
    r"platform|ticket|case|order|badge|number|no\.|n[º°]|nr\.?|num\.?|#|"
    r"cuarto|habitaci[oó]n|hab\.?|depto\.?|departamento|apto\.?|apartamento|unidad|piso|puerta|n[uú]mero|"
    r"n[uú]m\.?|local|cama|cabina|chambre|appartement|porte|[eé]tage|quarto|sala|"
    r"us|u\.s\.|interstate|route|rte|rt\.?|highway|hwy|freeway|fwy|state road|sr|county road|cr|exit|"
    r"mile marker|mile|mm|carretera|autopista|ruta|km|kil[oó]metro|salida|rodovia|br)"
)
# "room 16", "room #16", "room number is 16", "room: 16", and a flat's letter after the number,
# joined or spaced ("unit 9F", "Room 12 F,"); not "the room is 16", which may well be "the girl in
# the back room is 16".
_NAMED: Final = (
    rf"(?<![\w-]){_NAMING_BEFORE}\s*(?:(?:#|no\.|n[º°]|number|n[uú]mero|num\.?)\s*"
    rf"(?:is\s+|was\s+|es\s+(?:el\s+)?|era\s+)?|:\s*)?"
    rf"(?:(?P<t>\d{{1,4}})(?:[a-z]|\s[a-z](?![\w']))|(?P<v>{_NUM}))\b"
)
# A temperature: "9F outside", "temp ~12F", "forecast 4F tonight", "-5 degrees", "wind chill of 3".
# Its "F" is Fahrenheit, not "female", so it is marked even though "16F" alone is an age.
_TEMPERATURE: Final = (
    r"(?<![\w.,])-?(?P<t>\d{1,3})\s*(?:\u00b0\s*[fc]?|degrees?(?:\s+(?:f|c|fahrenheit|celsius))?|"
    r"[fc]\s+(?:out(?:side)?|tonight|today|this morning|overnight|wind ?chill|with (?:the )?wind|and (?:snow|"
    r"falling|dropping)))\b|"
    r"\b(?:temps?|temperature|forecast|wind ?chill|feels like|low of|high of|lows? (?:of |in the )?|"
    r"it[\u2019']?s|outside)\s*(?:is\s+|was\s+|of\s+|about\s+|around\s+|like\s+|only\s+|~\s*)*-?"
    r"(?P<t2>\d{1,3})\s*(?:[fc]|degrees?|\u00b0)(?![a-z])"
)
_INTERSTATE: Final = r"\b(?:i|us|sr|ca|tx|fm)-(?P<v>\d{1,3})\b"

# What follows a number that measures or counts: durations, money, distances, things, people.
_UNITS_AFTER: Final = (
    r"(?:minutes?|mins?|min\b|hours?|hrs?|hr\b|h\b|days?|nights?|weeks?|wks?|months?|mos?\b|"
    r"seconds?|secs?|"
    r"minutos?|horas?|d[ií]as?|noches?|semanas?|mes(?:es)?|segundos?|"
    r"heures?|jours?|nuits?|semaines?|mois|"
    r"dollars?|bucks|usd|dlls?|d[oó]lares|pesos|quetzales|lempiras|euros?|eur\b|pounds?|quid|reais|"
    r"cents?|centavos|grand|k\b|"
    r"an hour|a hour|per hour|a night|per night|a day|per day|a week|per week|a month|per month|"
    r"a head|each|apiece|la hora|por hora|por noche|al d[ií]a|por d[ií]a|a la semana|por semana|"
    r"de l['\u2019]heure|par heure|par jour|por dia|"
    r"/\s*(?:hr|hour|h|night|day|week|wk|mo|month|head|hora|noche|d[ií]a)\b|"
    r"%|percent|per ?cent|por ?ciento|pour ?cent|por cento|degrees|grados|degr[eé]s|\u00b0|"
    r"miles?|mi\b|km\b|kms|kilomet(?:er|re)s?|kil[oó]metros|millas|blocks|cuadras|feet|ft\b|foot|"
    r"inches|yards|meters|metres|metros|pounds|lbs?|kilos?|kgs?|libras|gallons|liters|litros|"
    r"people|persons|men|women|workers|guys|girls|boys|ladies|kids|children|employees|others|"
    r"customers|clients|johns|victims|families|adults|migrants|laborers|farmworkers|"
    r"cars|trucks|vans|buses|vehicles|houses|homes|rooms|beds|units|apartments|trailers|"
    r"calls|texts|messages|ads|posts|photos|pictures|times|shifts|plates|passports|phones|acres|rows|"
    r"personas|hombres|mujeres|trabajadores|trabajadoras|chicas|chicos|muchachas|muchachos|ni[nñ]os|"
    r"ni[nñ]as|clientes|empleados|carros|coches|camiones|camionetas|casas|cuartos|camas|llamadas|"
    r"mensajes|anuncios|fotos|veces|turnos|v[ií]ctimas|familias|adultos|"
    r"personnes|hommes|femmes|travailleurs|filles|gar[cç]ons|enfants|voitures|fois|"
    r"pessoas|homens|mulheres|trabalhadores|meninas|meninos|crian[cç]as|carros|vezes)"
)
_MEASURED: Final = rf"(?<![\w.,])(?P<v>{_RANGE})\s*-?\s*{_UNITS_AFTER}(?![a-z])"
# "a shift of 14", "for 15 straight hours" are caught by the unit; these need the word before.
_MONEY: Final = rf"(?:[$\u20ac\u00a3]|r\$|us\$|mx\$)\s*(?P<v>{_RANGE})"
_CLOCK: Final = (
    r"(?<![\w.,:])(?P<v>\d{1,2}[:h.]\d{2})(?![\d:])|"
    r"(?<![\w.,])(?P<v2>\d{1,2}(?:[:.]\d{2})?)\s*(?:a\.?\s?m\b\.?|p\.?\s?m\b\.?|o['\u2019]?\s?clock|hrs\b|h\b)|"
    r"\b(?:a las|a la|desde las|hasta las|antes de las|despu[eé]s de las|[aà]s|vers)\s+"
    r"(?P<v3>\d{1,2})(?:\s*h\b|[:h]\d{2})?(?!\s*(?:a[ñn]os|ans|anos))"
)
_DATE: Final = (
    rf"\b(?:{_MONTHS})\.?\s+(?P<v>\d{{1,2}})(?:st|nd|rd|th)?\b(?![:])|"
    # "15 may" could be "15, may be 16": the ambiguous month names only before the day.
    rf"(?<![\w.,])(?P<v2>\d{{1,2}})(?:st|nd|rd|th|er|º|°)?\s+(?:de\s+|of\s+)?"
    rf"(?!may\b|mar\b|mai\b|mars\b)(?:{_MONTHS})\b|"
    # Two-part "15/16" is as often an age range as a date: only with three parts, or after "on".
    r"(?<![\w./-])(?P<v3>\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})(?![\w/-])|"
    r"\b(?:on|since|until|by|el|desde|hasta|le|depuis)\s+(?P<v6>\d{1,2}/\d{1,2})(?![\w/-])|"
    r"(?<![\w.,])(?P<v4>(?:19|20)\d{2})(?![\w])|"
    r"\b(?:on the|el d[ií]a|the)\s+(?P<v5>\d{1,2})(?:st|nd|rd|th)\b"
)
# A street number: "16 Main St", "1200 calle Ocho".
_ADDRESS: Final = (
    r"(?<![\w.,])(?P<v>\d{1,5})\s+(?:(?!(?:and|or|on|in|at|near|off|by|the|from|to|with|who|is|was|y|en|de)\b)"
    r"[a-z]+\s+){1,3}?(?:st|street|ave|avenue|rd|road|blvd|boulevard|ln|lane|pkwy|parkway)\b|"
    r"\b(?:calle|avenida|av\.?|rua|rue)\s+(?:[a-z]+\s+){0,2}?(?P<v2>\d{1,5})\b"
)

# What makes a number an age whatever comes before it.
_AGE_AFTER: Final = re.compile(
    r"\s*-?\s*(?:years?[- ]?old|yrs?[- ]?old|yr\b|y/?o\b|y\.o\b|[fm]\b|years? of age|a[ñn]os|ans\b|anos|"
    r"saal|sal\b|sana|let|lat|jahre|anni|tuổi|ya\b|ya\u015f\u0131nda)", re.IGNORECASE)

_SOURCES: Final = (_NAMED, _INTERSTATE, _MEASURED, _MONEY, _CLOCK, _DATE, _ADDRESS, _TEMPERATURE)
_PATTERNS: Final = tuple(re.compile(p, re.IGNORECASE) for p in _SOURCES)
# The same, for lower-cased text: a scan without case folding costs half as much.
_LOWERED: Final = tuple(re.compile(p) for p in _SOURCES)
_DIGIT_RUN: Final = re.compile(r"\d+")
_HAS_DIGIT: Final = re.compile(r"\d")
# Every pattern matches within this many characters before its number and after it.
_BEFORE: Final = 30
_AFTER: Final = 45


def spans(text: str) -> list[tuple[int, int]]:
    """The offsets of every digit run in ``text`` that counts, measures or names, sorted."""
    if _HAS_DIGIT.search(text) is None:
        return []
    return sorted(_marked(_PATTERNS, text, text, 0, len(text)))


def holds(text: str, start: int, end: int, lowered: str | None = None) -> bool:
    """The number at ``start``..``end`` of ``text`` names, counts or measures something.

    Looks only at the words around it (the age extractor asks this of the few numbers its patterns
    match, far cheaper than marking every number of every narrative); ``lowered`` is ``text``
    lower-cased, when that kept its length.
    """
    low, high = max(0, start - _BEFORE), min(len(text), end + _AFTER)
    patterns, haystack = (_LOWERED, lowered) if lowered is not None else (_PATTERNS, text)
    return any(begin <= start and end <= finish
               for begin, finish in _marked(patterns, haystack, text, low, high))


def _marked(patterns: tuple[re.Pattern[str], ...], haystack: str, text: str, low: int,
            high: int) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for pattern in patterns:
        for match in pattern.finditer(haystack, low, high):
            for group, number in match.groupdict().items():
                if number is None:
                    continue
                at = match.start(group)
                for run in _DIGIT_RUN.finditer(number):
                    begin, end = at + run.start(), at + run.end()
                    # A "t" group's letter is a unit or a flat's letter, not "female" or "male".
                    if group.startswith("t") or _AGE_AFTER.match(text, end) is None:
                        found.add((begin, end))
    return found
