"""When: time expressions that put something within hours, and what is due then (English and Spanish).

The hotline's urgent work is "danger now or within hours" (seed 001, ``LABELS.md``). People say
it in clock times and distances more than in the word "danger": "the truck comes at 4", "he's ten
minutes away", "they're moving everyone tomorrow at 5am", "she comes back after closing",
"la van sale a las 5". ``soon`` finds such expressions; ``due_soon`` keeps those whose sentence
(or the next) also says what will happen: someone arrives or returns, people are moved, sold or
taken, or harm is threatened. The grammar is tested in ``tests/unit/test_triage_immediacy.py``.
"""

from __future__ import annotations

import re
from typing import Final

from triage.text import Hit, Scan, historical, negated, reported

_I = re.IGNORECASE
_NUM: Final = (r"(?:\d{1,3}|a|an|one|two|three|four|five|ten|fifteen|twenty|thirty|forty[- ]five|"
               r"a few|a couple(?: of)?|un|una|unos|unas|dos|tres|cinco|diez|quince|veinte|treinta)")

SOON: Final = re.compile(
    # now
    r"\b(?:right now|rn|as we speak|at (?:this|the) moment|this (?:very )?minute|just now|"
    r"ahora mismo|ahorita|en este (?:momento|instante)|ya mismo|"
    # minutes ago is now: "~15 min ago he dropped them off", "hace 10 minutos" (of the 717 labelled cases
    # that say so, 683 were emergencies)
    r"(?:\d{1,3}|a few|few|five|ten|fifteen|twenty|thirty|forty[- ]five)\s*(?:min|mins|minutes)\s+ago|"
    r"(?:an|one|two|a couple(?: of)?|1|2)\s+(?:hours?|hrs?)\s+ago|"
    r"hace\s+(?:\d{1,3}|unos|diez|cinco|veinte|quince|media)\s+(?:minutos|hora|horas)|"
    # minutes and hours from now, or away
    rf"in {_NUM} (?:minutes?|mins?|hours?|hrs?)|{_NUM} (?:minutes?|mins?|blocks?|miles?) away|"
    r"within (?:the|an|the next) (?:hour|few hours)|any (?:minute|second) now|"
    rf"en {_NUM} (?:minutos?|horas?)|a {_NUM} (?:minutos|cuadras) de aqu[ií]|"
    # a clock time
    r"(?:at|by|around|before|after|till|until) \d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.|o'?clock)?|"
    r"\d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.)|(?:a|para|antes de|despu[eé]s de) las \d{1,2}(?::\d\d)?|"
    # parts of today, tonight, tomorrow
    r"tonight|tonite|tn|this (?:evening|afternoon|morning)|later today|later tonight|today|"
    r"after (?:closing|close|work|dinner|(?:his|her|their|the) shift)|at closing|overnight|"
    r"(?:at|before|by) (?:dawn|sunrise|first light|midnight)|first thing (?:in the morning|tomorrow)|"
    r"tomorrow(?: morning| night| early| at \d{1,2})?|tmrw|"
    r"esta (?:noche|tarde|madrugada|mañana)|hoy(?: mismo)?|m[aá]s tarde|al cerrar|"
    r"(?:de|en la) madrugada|al amanecer|mañana (?:temprano|en la mañana|en la noche|a las \d{1,2})|"
    r"ma[ñn]ana)\b", _I)

# What is due: someone comes or returns, people are moved or sold, harm is threatened.
DUE: Final = re.compile(
    r"\b(?:com(?:e|es|ing)(?: back| over| for| to get)?|be back|gets? back|back at|"
    r"on (?:his|her|their|the) way|away|"
    r"arriv\w*|show(?:s|ing)? up|pick(?:s|ing|ed)? (?:her|him|them|us|me|everyone|the \w+) up|"
    r"pick(?:s|ing)? up|outside|watching|waiting (?:for|outside|downstairs)|"
    r"mov(?:e|es|ed|ing)|transfer\w*|ship(?:s|ped|ping)?|send(?:s|ing)?|sent|sell(?:s|ing)?|sold|"
    r"tak(?:e|es|ing|en) (?:her|him|them|us|me|everyone|the (?:girls|kids|workers|women|men))|"
    r"clear(?:s|ing)? (?:out|the house|everyone)|leav(?:e|es|ing) (?:with|for)|"
    r"go(?:es|ing)? with (?:him|them)|"
    r"driv(?:e|es|ing) (?:her|them|us)|"
    r"the (?:van|truck|bus|car) (?:comes|leaves|is coming)|"
    r"kill\w*|hurt\w*|beat\w*|punish\w*|you'?re done|last chance|or else|"
    r"viene(?:n)?|regresa(?:n)?|vuelve(?:n)?|llega(?:n)?|afuera|vigila\w*|"
    r"llev(?:a|an|ar|arse|arnos|arla|arlo|arlas|arlos)\b|mover\w*|mueven|traslad\w*|recog\w*|sac(?:ar|an)\w*|"
    r"vend(?:er|en|erla|erlas)\w*|sale(?:n)?|matar\w*|golpe\w*|castig\w*)\b", _I)


def soon(scan: Scan) -> list[Hit]:
    """Time expressions within hours that are not negated, not retold and not about the past."""
    return [hit for hit in scan.find("danger.soon_time", SOON)
            if not (negated(hit.segment, hit.start) or reported(hit.segment, hit.start)
                    or historical(hit.segment, hit.start))]


def due_soon(scan: Scan, soon_hits: list[Hit] | None = None) -> list[Hit]:
    """Those of ``soon`` (given, when the caller has them) whose sentence, or the one before or
    after, says what will happen then."""
    found = []
    for hit in soon(scan) if soon_hits is None else soon_hits:
        segment = hit.segment
        start, end = segment.sentence(hit.start)
        before_start = segment.sentence(start - 1)[0] if start > 0 else start
        after_end = segment.sentence(end)[1] if end < len(segment.text) else end
        if DUE.search(segment.text[before_start:after_end]):
            found.append(Hit("danger.due_soon", segment, hit.start, hit.end))
    return found
