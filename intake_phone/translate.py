"""Pure translation of phone fragments into ``SignalReceived`` events (no I/O)."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any, Final, Literal

from contracts import signal_id_for
from contracts.events import CallDetails, Channel, PhoneSource, SignalReceived
from contracts.events.signal_received import MAX_NARRATIVE_CHARS
from contracts.reference_numbers import reference_for
from contracts.text import kept_as_is
from intake_phone.cdr import CallRecord
from services.runtime.phone_numbers import caller_key, e164, region_hint


def call_record_signal(
    record: CallRecord, *, raw_line: str, secret: bytes, default_region: str = "US", system: str = "asterisk"
) -> SignalReceived:
    """A CDR row as a signal. The caller's number travels only as a keyed hash and a region hint."""
    dedup_key = f"cdr:{hashlib.sha256(raw_line.rstrip(chr(10)).encode()).hexdigest()[:48]}"
    signal_id = signal_id_for(Channel.PHONE, dedup_key)
    number = e164(record.src, default_region)
    fields: dict[str, Any] = {
        "signal_id": signal_id,
        "reference_number": reference_for(str(signal_id), secret),
        "channel": Channel.PHONE,
        "received_at": record.start,
        "dedup_key": dedup_key,
    }
    source: dict[str, Any] = {
        "call_id": record.call_key[:128], "fragment": "call_record", "system": system,
        "caller_key": caller_key(number, secret) if number else None,
        "caller_region_hint": region_hint(number) if number else None,
    }
    call: dict[str, Any] = {"started_at": record.start, "answered_at": record.answer, "ended_at": record.end,
            "duration_s": record.duration, "billable_s": record.billsec, "disposition": record.disposition}
    if _trusted(source):
        # Every value is the parser's (aware times, counts checked >= 0, a known disposition) or
        # derived here; the one free-text value was checked above. Validating the three models
        # again was most of a row's translation (the import's rate against raw produce).
        return SignalReceived.trusted(**fields, source=PhoneSource.trusted(
            **source, call=CallDetails.trusted(**call)))
    return SignalReceived(**fields, source=PhoneSource(**source, call=CallDetails(**call)))


def _trusted(source: dict[str, Any]) -> bool:
    """Whether validation could only confirm this row's source: the call id and system (from the
    file and the caller) are text that cleaning and stripping keep as it is, within their limits,
    and the region hint is one the contract takes (a non-geographic number's region is "001").
    Otherwise the row is built with validation, which refuses it as it always did."""
    call_id, system, hint = source["call_id"] or "", source["system"] or "", source["caller_region_hint"]
    return (kept_as_is(call_id, 128) and kept_as_is(system, 64)
            and (hint is None or _REGION.fullmatch(hint) is not None))


_REGION: Final = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")


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
