"""Pure translation of phone fragments into ``SignalReceived`` events (no I/O)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Final, Literal

from contracts import signal_id_for
from contracts.events import CallDetails, Channel, PhoneSource, SignalReceived
from contracts.events.signal_received import MAX_NARRATIVE_CHARS
from contracts.reference_numbers import reference_for
from intake_phone.cdr import CallRecord
from services.runtime.phone_numbers import caller_key, e164, region_hint


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
