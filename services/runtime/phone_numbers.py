"""Callers' and texters' phone numbers: E.164, the keyed hash that stands for a number in events,
and the region hint derived from it. Pure (no I/O); shared by the intakes that see numbers.

A number never travels in an event: only ``caller_key`` (an HMAC under the reference secret, so
the same person correlates across calls and texts and nobody can reverse it) and the region hint.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from typing import Final

import phonenumbers
from phonenumbers import geocoder

_CITY_STATE: Final = re.compile(r",\s*([A-Z]{2})$")
US_STATE_NAMES: Final = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA", "Colorado": "CO",
    "Connecticut": "CT", "Delaware": "DE", "District of Columbia": "DC", "Washington D.C.": "DC",
    "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN",
    "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO",
    "Montana": "MT", "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ",
    "New Mexico": "NM", "New York": "NY", "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH",
    "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA",
    "Washington": "WA", "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY", "Puerto Rico": "PR",
}


@functools.lru_cache(maxsize=65_536)  # repeat callers are common; parsing a number is not cheap
def e164(number: str, default_region: str = "US") -> str | None:
    """The number in E.164, or None when it is not a possible phone number (extensions, 'anonymous')."""
    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def caller_key(number_e164: str, secret: bytes) -> str:
    """Keyed hash of a caller's number: the same caller correlates, nobody can reverse it."""
    return hmac.new(secret, b"caller\x00" + number_e164.encode(), hashlib.sha256).hexdigest()[:32]


@functools.lru_cache(maxsize=65_536)
def region_hint(number_e164: str) -> str | None:
    """Where the number is from (area code for US numbers): a hint, never a declared location."""
    parsed = phonenumbers.parse(number_e164, None)
    country = phonenumbers.region_code_for_number(parsed)
    if country is None or country == "ZZ":
        return None
    if country == "US":
        description = geocoder.description_for_number(parsed, "en")
        match = _CITY_STATE.search(description)
        state = match.group(1) if match else US_STATE_NAMES.get(description)
        return f"US-{state}" if state else "US"
    return country
