"""Pure translation of phone fragments into ``SignalReceived`` events (no I/O)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from datetime import datetime
from typing import Final, Literal

import phonenumbers
from phonenumbers import geocoder

from contracts import signal_id_for
from contracts.events import CallDetails, Channel, PhoneSource, SignalReceived
from contracts.events.signal_received import MAX_NARRATIVE_CHARS
from contracts.reference_numbers import reference_for
from intake_phone.cdr import CallRecord

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


def call_record_signal(
    record: CallRecord, *, raw_line: str, secret: bytes, default_region: str = "US", system: str = "asterisk"
) -> SignalReceived:
    """A CDR row as a signal. The caller's number travels only as a keyed hash and a region hint."""
    dedup_key = f"cdr:{hashlib.sha256(raw_line.rstrip(chr(10)).encode()).hexdigest()[:48]}"
    signal_id = signal_id_for(Channel.PHONE, dedup_key)
    number = e164(record.src, default_region)
    return SignalReceived(
        signal_id=signal_id,
        reference_number=reference_for(str(signal_id), secret),
        channel=Channel.PHONE,
        received_at=record.start,
        source=PhoneSource(
            call_id=record.call_key[:128], fragment="call_record", system=system,
            caller_key=caller_key(number, secret) if number else None,
            caller_region_hint=region_hint(number) if number else None,
            call=CallDetails(started_at=record.start, answered_at=record.answer, ended_at=record.end,
                             duration_s=record.duration, billable_s=record.billsec,
                             disposition=record.disposition),
        ),
        dedup_key=dedup_key,
    )


# ---------------------------------------------------------------- Twilio callbacks

Fragment = Literal["call_record", "recording", "transcription"]
TWILIO_FRAGMENTS: Final[dict[str, Fragment]] = {
    "status": "call_record", "recording": "recording", "transcription": "transcription"}


def twilio_signal(
    kind: str, params: dict[str, str], *, received_at: datetime, secret: bytes, default_region: str = "US"
) -> SignalReceived:
    """A Twilio Voice status, recording or transcription callback as a signal. The same callback
    repeated (same call, same kind, same status) is the same signal."""
    call_sid = params["CallSid"]
    status = (params.get("CallStatus") or params.get("RecordingStatus") or params.get("TranscriptionStatus")
              or "")
    dedup_key = f"twilio:{call_sid}:{kind}:{status}:{params.get('RecordingSid', '')}"[:256]
    signal_id = signal_id_for(Channel.PHONE, dedup_key)
    caller = e164(params.get("From", ""), default_region) if params.get("From") else None
    duration = params.get("CallDuration") or params.get("Duration") or params.get("RecordingDuration")
    direction = params.get("Direction", "")
    call = CallDetails(
        duration_s=int(duration) if duration and duration.isdigit() else None,
        disposition=status[:32] or None,
        direction="inbound" if direction == "inbound" else "outbound" if direction.startswith("outbound")
        else "unknown",
    )
    narrative = params.get("TranscriptionText", "") if kind == "transcription" else ""
    return SignalReceived(
        signal_id=signal_id,
        reference_number=reference_for(str(signal_id), secret),
        channel=Channel.PHONE,
        received_at=received_at,
        source=PhoneSource(call_id=call_sid[:128],
                           fragment=TWILIO_FRAGMENTS[kind],
                           system="twilio", caller_key=caller_key(caller, secret) if caller else None,
                           caller_region_hint=region_hint(caller) if caller else None, call=call),
        dedup_key=dedup_key,
        narrative=narrative[:MAX_NARRATIVE_CHARS],
    )
