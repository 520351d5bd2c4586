"""Entities that may link signals to each other: phones, e-mails, URLs, street addresses, businesses.

Values are normalised (E.164 phones, lower-case e-mails, host+path URLs, abbreviated street
suffixes) so that the same thing written two ways yields the same key. Raw values never leave
this module's callers unhashed: ``correlation`` keys them with a secret before storing them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import phonenumbers

from contracts.events import EntityKind, SignalReceived
from triage.jurisdiction import PHONE
from triage.prefilter import gate

_EMAIL: Final = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL: Final = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"')\]]+|\b[a-z0-9-]+\.(?:com|net|org|info|biz|xyz|me|co|io|app)/[^\s<>\"')\]]*",
    re.IGNORECASE)
_LOCAL_PHONE: Final = re.compile(r"(?<![\w+-])\d{3}[\s.-]\d{4}(?![\w-])")
_STREET_SUFFIXES: Final = {
    "street": "st", "st": "st", "avenue": "ave", "ave": "ave", "road": "rd", "rd": "rd",
    "boulevard": "blvd", "blvd": "blvd", "drive": "dr", "dr": "dr", "lane": "ln", "ln": "ln", "way": "way",
    "highway": "hwy", "hwy": "hwy", "court": "ct", "ct": "ct", "place": "pl", "pl": "pl",
    "parkway": "pkwy", "pkwy": "pkwy", "circle": "cir", "cir": "cir", "route": "rte",
}
_ADDRESS: Final = re.compile(
    r"\b(\d{1,6})\s+((?:[A-Z][A-Za-z0-9'-]*\s+){1,3}?)(Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|"
    r"Lane|Ln|Way|Highway|Hwy|Court|Ct|Place|Pl|Parkway|Pkwy|Circle|Cir)\b\.?")
_BUSINESS: Final = re.compile(
    r"\b((?:[A-Z][\w'&-]*\s+){1,3})((?i:Spa|Massage|Nails?|Salon|Restaurant|Bar|Cantina|Motel|Hotel|Inn|Farms?|"
    r"Club|Lounge|Diner|Car Wash|Ranch))\b")
_NOT_A_NAME: Final = frozenset({"the", "a", "an", "at", "in", "on", "el", "la", "los", "las", "my", "our",
                                "this"})


@dataclass(frozen=True, slots=True)
class Entity:
    kind: EntityKind
    value: str  # normalised; never logged, never published


def extract(signal: SignalReceived) -> list[Entity]:
    texts = [t for t in (signal.subject, signal.narrative) if t]
    location = signal.facts.location
    if location is not None and location.description:
        texts.append(location.description)
    found: dict[tuple[EntityKind, str], Entity] = {}
    for text in texts:
        for entity in _from_text(text):
            found.setdefault((entity.kind, entity.value), entity)
    return list(found.values())


def _from_text(text: str) -> list[Entity]:
    lowered = text.lower()
    out: list[Entity] = []
    if gate(_EMAIL).may_match(lowered):
        out.extend(Entity(EntityKind.EMAIL, m.group(0).lower().rstrip(".")) for m in _EMAIL.finditer(text))
    full_spans = []
    for match in PHONE.finditer(text):
        full_spans.append(match.span())
        e164 = _e164(match.group(0))
        if e164 is not None:
            out.append(Entity(EntityKind.PHONE, e164))
    out.extend(Entity(EntityKind.PHONE, "local:" + re.sub(r"\D", "", m.group(0)))
               for m in _LOCAL_PHONE.finditer(text)
               if not any(start <= m.start() < end for start, end in full_spans))
    if gate(_URL).may_match(lowered):
        out.extend(Entity(EntityKind.URL, _url(m.group(0))) for m in _URL.finditer(text))
    for match in _ADDRESS.finditer(text):
        name = " ".join(match.group(2).lower().split())
        suffix = _STREET_SUFFIXES[match.group(3).lower()]
        out.append(Entity(EntityKind.ADDRESS, f"{match.group(1)} {name} {suffix}"))
    for match in _BUSINESS.finditer(text):
        words = [w for w in match.group(1).lower().split() if w not in _NOT_A_NAME]
        if words:
            out.append(Entity(EntityKind.BUSINESS, " ".join([*words, match.group(2).lower()])))
    return out


def _e164(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _url(raw: str) -> str:
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", raw.lower())
    return url.rstrip("/.,;")
