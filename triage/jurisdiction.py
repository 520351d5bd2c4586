"""Where a situation is: declared location, else a state or city named in the text, else a phone-number hint.

The phone hint uses the area code of a US number (the reporter's contact number or one quoted in
the text) through phonenumbers' geocoder. It names where a number was issued, not where anyone
is, so it ranks last and says so in ``origin``.
"""

from __future__ import annotations

import re
from typing import Final

import phonenumbers
from phonenumbers import geocoder

from contracts.events import Jurisdiction, PhoneSource, SignalReceived
from triage.text import Scan

STATES: Final = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID",
    "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR",
    "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC",
    "puerto rico": "PR", "nueva york": "NY", "nuevo méxico": "NM", "nuevo mexico": "NM",
    "carolina del norte": "NC", "carolina del sur": "SC", "florída": "FL", "tejas": "TX",
}
CODES: Final = frozenset(STATES.values())
_CITY_MAX: Final = 200  # Jurisdiction.city's bound
# Large cities whose name alone places a signal (ambiguous names like Portland or Springfield are left out).
CITIES: Final = {
    "houston": "TX", "dallas": "TX", "san antonio": "TX", "austin": "TX", "el paso": "TX", "laredo": "TX",
    "fort worth": "TX", "mcallen": "TX", "los angeles": "CA", "los ángeles": "CA", "san diego": "CA",
    "san francisco": "CA", "san jose": "CA", "san josé": "CA", "fresno": "CA", "sacramento": "CA",
    "oakland": "CA", "chicago": "IL", "phoenix": "AZ", "tucson": "AZ", "philadelphia": "PA",
    "las vegas": "NV", "miami": "FL", "orlando": "FL", "tampa": "FL", "jacksonville": "FL", "atlanta": "GA",
    "detroit": "MI", "seattle": "WA", "denver": "CO", "boston": "MA", "baltimore": "MD", "nashville": "TN",
    "memphis": "TN", "new orleans": "LA", "albuquerque": "NM", "oklahoma city": "OK", "tulsa": "OK",
    "minneapolis": "MN", "milwaukee": "WI", "indianapolis": "IN", "columbus": "OH", "cleveland": "OH",
    "louisville": "KY", "charlotte": "NC", "raleigh": "NC", "omaha": "NE", "wichita": "KS",
    "salt lake city": "UT", "brooklyn": "NY", "queens": "NY", "bronx": "NY", "manhattan": "NY",
    "newark": "NJ", "anchorage": "AK", "honolulu": "HI", "boise": "ID", "des moines": "IA",
}
_CITY_STATE: Final = re.compile(
    r"\b([A-Z][a-zA-Z.'-]+(?: [A-Z][a-zA-Z.'-]+){0,2}),\s*([A-Z]{2})\b")
_CODE_AFTER_COMMA: Final = re.compile(r",\s*[A-Z]{2}\b")  # a cheap gate for _CITY_STATE
# Names as word tuples, looked up in the signal's tokens (longest first): a dictionary, not a scan.
_STATE_WORDS: Final = {tuple(name.split()): code for name, code in STATES.items()}
_CITY_WORDS: Final = {tuple(name.split()): code for name, code in CITIES.items()}
_FIRST_WORDS: Final = frozenset(k[0] for k in (*_STATE_WORDS, *_CITY_WORDS))
# Phone-like runs with an area code; parsed and validated by phonenumbers.
PHONE: Final = re.compile(r"(?<![\w+])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)")


def state_code(value: str | None) -> str | None:
    """``TX``, ``tx`` or ``Texas`` to ``TX``; None when it names no state."""
    if not value:
        return None
    cleaned = value.strip()
    if cleaned.upper() in CODES:
        return cleaned.upper()
    return STATES.get(cleaned.lower())


def jurisdiction(signal: SignalReceived, scan: Scan) -> Jurisdiction:
    location = signal.facts.location
    if location is not None and (location.state or location.city):
        state = location.state or (CITIES.get(location.city.lower()) if location.city else None)
        # The form takes 500 characters for a city; the assessment carries at most 200 (a longer
        # "city" is a sentence typed in the wrong box): clipped, never a failed assessment.
        city = location.city[:_CITY_MAX] if location.city else None
        return Jurisdiction(country=location.country, state=state, city=city, origin="declared")
    found = _from_text(scan)
    if found is not None:
        return found
    return _from_phone(signal, scan) or Jurisdiction()


def _from_text(scan: Scan) -> Jurisdiction | None:
    for segment in scan.segments:
        if _CODE_AFTER_COMMA.search(segment.text) is None:
            continue
        for match in _CITY_STATE.finditer(segment.text):
            if match.group(2) in CODES:
                return Jurisdiction(state=match.group(2), city=match.group(1)[:_CITY_MAX], origin="text")
    words = scan.tokens()
    starts = [i for i, word in enumerate(words) if word in _FIRST_WORDS]
    for table, is_city in ((_CITY_WORDS, True), (_STATE_WORDS, False)):
        for i in starts:
            for n in (3, 2, 1):
                key = tuple(words[i:i + n])
                code = table.get(key) if len(key) == n else None
                if code is not None:
                    city = " ".join(key).title() if is_city else None
                    return Jurisdiction(state=code, city=city, origin="text")
    return None


def _from_phone(signal: SignalReceived, scan: Scan) -> Jurisdiction | None:
    # The phone intake's hint for the caller's number (``US-TX``) comes first: it is the number
    # the call came from, where the text only quotes numbers.
    hint = signal.source.caller_region_hint if isinstance(signal.source, PhoneSource) else None
    if hint is not None and hint.startswith("US-") and hint[3:] in CODES:
        return Jurisdiction(state=hint[3:], origin="phone_number")
    candidates = []
    contact = signal.reporter.contact
    if contact is not None and contact.phone:
        candidates.append(contact.phone)
    for segment in scan.segments:
        candidates.extend(m.group(0) for m in PHONE.finditer(segment.text))
    for raw in candidates:
        state = phone_state(raw)
        if state is not None:
            return Jurisdiction(state=state, origin="phone_number")
    return None


def phone_state(raw: str) -> str | None:
    """The US state of a number's area code, or None (not US, not valid, or not geographic)."""
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 1 or not phonenumbers.is_valid_number(number):
        return None
    place = geocoder.description_for_number(number, "en")
    if not place:
        return None
    tail = place.rsplit(",", 1)[-1].strip()
    return state_code(tail)
