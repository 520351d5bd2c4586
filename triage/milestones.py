"""A teen's milestones, and the years-ago that makes an age or a milestone the past (``triage.minor``).

A milestone is an event that puts someone under 18 now: "her quinceañera in March", "got her
learner's permit", "can't even drive yet", "not 18 til August", "supposed to be in 9 grade". The rules'
own (``TEEN_MILESTONE``) are also among the model's inputs; turning 18 later and the grade a child
should be in now are read after the model only (``later_milestones``, ``triage.minor.milestones``).
"""

from __future__ import annotations

import re
from typing import Final

from triage.text import Hit, Scan, negated, reported

_I = re.IGNORECASE

YEARS_AGO: Final = re.compile(
    r"\b(?:years? ago|years? back|back in (?:19|20)\d\d|when (?:i|she|he|we) was|hace (?:\w+ )?a[ñn]os|"
    r"cuando (?:yo )?(?:era|ten[ií]a))\b", _I)
# A milestone of the teens: "her quinceañera in March", "sweet sixteen", "got her learner's permit".
TEEN_MILESTONE: Final = re.compile(
    r"\b(?:her|his|my|their|su|sus|mi)\s+(?:\w+\s+)?(?:quincea[ñn]eras?|quince a[ñn]os|sweet (?:sixteen|16)|"
    r"learner[\u2019']?s permit|learner permit|(?:driver[\u2019']?s|driving) permit)\b|"
    # "ensayando el vals para sus quince", "cumplió sus quince": the party, not fifteen of something
    r"\b(?:sus|mis|tus)\s+(?:quince|xv)\b(?!\s+(?:d[ií]as|minutos|horas|semanas|meses|d[oó]lares|pesos|mil|"
    r"hijos|nietos|trabajadores|personas|empleados|veces|a[ñn]os\s+de\s+(?:trabajo|servicio|casad\w*)))|"
    # too young to drive: "she can't even drive yet", "not old enough to drive"
    r"\b(?:can[\u2019']?t|cannot|can not)\s+(?:even\s+)?drive\s+yet\b|"
    r"\b(?:not\s+old\s+enough|too\s+young)\s+to\s+"
    r"(?:drive|have\s+a\s+(?:driver[\u2019']?s\s+)?license)\b|"
    # a parent's curfew: "she has a 10 oclock curfew", "her curfew is 10:30", "missed his 9pm curfew"
    r"\b(?:her|his|my|(?:daughter|son|sister|brother)[\u2019']?s)\s+(?:(?:strict|usual|new|\w+[\u2019']?s)\s+)?"
    r"(?:(?:\d{1,2}(?::?\d\d)?\s*(?:o[\u2019']?clock|oclock|pm|p\.m\.)?|midnight)\s+)?curfew\b|"
    r"\b(?:has|had|have|got)\s+an?\s+(?:\d{1,2}(?::?\d\d)?\s*(?:o[\u2019']?clock|oclock|pm|p\.m\.)?|midnight)\s+"
    r"curfew\b", _I)

# Someone turns 18 (or a younger age: "i turn 16 in march") later: "she won't be 18 til August", "not 18
# until March", "turns 18 in May", "I just have my permit", and in other languages "todavía no cumple
# 18", "mag-18 pa lang", "এখনো ১৮ হয়নি".
# Read after the model only (``triage.minor.milestones``), so the model's inputs stay as fitted.
_TURNING_18: Final = re.compile(
    r"\b(?:not|isn[\u2019']?t|aren[\u2019']?t|wasn[\u2019']?t|won[\u2019']?t\s+be)\s+(?:even\s+)?"
    r"(?:18|eighteen)\s+(?:til|till|until|[\u2019']til)\b|"
    r"\b(?:turns?|turning)\s+(?:18|eighteen)\s+(?:in|next|this|on)\b|"
    # a younger birthday ahead, of someone or oneself: "i turn 16 in march", "she turns fifteen next month"
    r"\b(?:i|she|he|they|we|you|u)\s+(?:turn|turns|will\s+turn|[\u2019']ll\s+turn|ll\s+turn)\s+"
    r"(?:1[3-7]|thirteen|fourteen|fifteen|sixteen|seventeen)\s+(?:in|next|this|on)\b|"
    # "doesn't turn 18 until August", "i dont turn 18 for 2 more months"
    r"\b(?:doesn[\u2019']?t|doesnt|don[\u2019']?t|dont|does\s+not|do\s+not|won[\u2019']?t|wont)\s+turn\s+"
    r"(?:18|eighteen)\s+(?:until|till|til|for|in)\b|"
    r"\b(?:just|only|still)\s+(?:have|has|got)\s+(?:my|her|his|their)\s+(?:learner[\u2019']?s?\s+)?"
    r"permit\b|"
    # Spanish: "todavía no cumplen los 17", "aún no tiene 18", "no cumple 18 hasta marzo", "cumple 18 en mayo"
    r"\b(?:todav[ií]a|a[uú]n)\s+no\s+(?:cumple|cumplen|cumplo|cumplimos|tiene|tienen|tengo)\s+(?:los\s+)?"
    r"(?:1[3-8]|dieciocho|diecisiete)\b|"
    r"\bno\s+cumple(?:n)?\s+(?:los\s+)?(?:18|dieciocho)\s+hasta\b|"
    r"\bcumple(?:n)?\s+(?:los\s+)?(?:18|dieciocho)\s+(?:en|el\s+pr[oó]ximo|este|esta|hasta)\b|"
    # Tagalog: "mag-18 pa lang siya sa Nobyembre" (turns 18 only in November), "hindi pa siya 18"
    r"\bmag-?\s?(?:18|labing-?walo)\s+pa\s+(?:lang|lamang)\b|"
    r"\bhindi\s+pa\s+(?:siya\s+|ako\s+)?(?:18|labing-?walo)\b|"
    # Bengali "এখনো ১৮ হয়নি" (not 18 yet), its ya with the nukta as two letters or one; Hindi, Urdu, Punjabi
    # "18 साल का नहीं हुआ", "18 سال کی نہیں ہوئی", "18 ਸਾਲ ਦਾ ਨਹੀਂ ਹੋਇਆ" (has not become 18); Nepali
    # "१८ वर्ष पुगेको छैन" (has not reached 18)
    r"(?:18|১৮)\s*(?:বছর\s*)?হ(?:য়|\u09df)নি|"
    r"(?:18|१८)\s*(?:साल|वर्ष|बर्ष)\s+(?:का|की|के)\s+नहीं\s+हु(?:आ|ई|ए)|"
    r"(?:18|१८)\s*(?:वर्ष|बर्ष|साल)\s+(?:पुगेको|पुगेकी|पुगेका)\s+छैन|"
    r"18\s*سال\s+(?:کا|کی|کے)\s+نہیں\s+ہو(?:ا|ئی|ئے)|"  # noqa: RUF001 (Urdu letters)
    r"(?:18|੧੮)\s*ਸਾਲ\s+(?:ਦਾ|ਦੀ|ਦੇ)\s+ਨਹੀਂ\s+ਹੋ(?:ਇਆ|ਈ|ਏ)", _I)
# The school grade a child should be in now, or one named by a bare number as in broken English: "was
# supposed to start 10th grade this year", "she supposed to be in 9 grade", "he in 10 grade". Read after
# the model only (``triage.minor.milestones``): a child kept out of school to work is told of this way.
_GRADE_NOW: Final = re.compile(
    r"\b(?:supposed\s+to|should|meant\s+to)\s+(?:be\s+)?(?:in|start|starting|be\s+starting|go\s+into|"
    r"be\s+going\s+into|enter)\s+(?:the\s+)?(?:[5-9]|1[0-2])(?:st|nd|rd|th)?\s+grade\b|"
    r"\bin\s+(?:the\s+)?(?:[5-9]|1[01])\s+grade\b", _I)


# Too young for what 18, or a driving licence, brings: "not old enough to vote", "todavía no tiene edad
# para votar", "le faltan 2 años para sacar la licencia", "nem tinha idade para tirar carteira", "n'a
# pas l'âge de voter". Not "can't vote yet", which a newcomer says of citizenship, nor drinking, which
# is 21, nor buying tobacco. Read after the model only (``triage.minor.milestones``), as turning 18
# later is.
_TOO_YOUNG_FOR: Final = re.compile(
    r"\b(?:not\s+(?:even\s+)?old\s+enough|too\s+young)\s+to\s+vote\b|"
    r"\b(?:no|ni|todav[ií]a\s+no|a[uú]n\s+no)\s+(?:siquiera\s+)?tiene(?:n)?\s+(?:la\s+)?edad\s+(?:para|de)\s+"
    r"(?:votar|manejar|conducir|sacar\s+(?:la\s+)?licencia)\b|"
    r"\bfalta(?:n)?\s+(?:\w+\s+){0,2}a[ñn]os?\s+(?:pa|para)\s+(?:poder\s+)?(?:sacar\s+(?:la\s+)?licencia|votar|"
    r"cumplir\s+(?:los\s+)?(?:18|dieciocho)|ser\s+mayor\s+de\s+edad)|"
    r"\b(?:não|nao|nem|ainda\s+não|ainda\s+nem)\s+(?:tinha|tem)\s+idade\s+(?:para|de|pra)\s+"
    r"(?:votar|dirigir|tirar\s+(?:a\s+)?carteira)|"
    r"\bn[\u2019']?a\s+(?:même\s+)?pas\s+(?:encore\s+)?l[\u2019']?âge\s+de\s+(?:voter|conduire)\b", _I)


def later_milestones(scan: Scan) -> list[Hit]:
    """Someone turning 18 later, too young to vote or drive, and the grade a child should be in now,
    live (``milestone_live``)."""
    later = (*scan.find("minor.turning_18", _TURNING_18), *scan.find("minor.too_young_for", _TOO_YOUNG_FOR),
             *scan.find("minor.grade_now", _GRADE_NOW))
    return [hit for hit in later if milestone_live(hit)]


def milestone_live(hit: Hit) -> bool:
    """A milestone is an event ("her quinceañera in March"): past, yet she is that age now, unless
    it was years ago."""
    if negated(hit.segment, hit.start) or reported(hit.segment, hit.start):
        return False
    return YEARS_AGO.search(hit.segment.sentence_text(hit.start)) is None
