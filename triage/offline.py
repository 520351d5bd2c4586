"""The line format of ``hotline-triage``: a JSON line in becomes a ``SignalReceived``; an assessment goes out.

Input (fields other than ``text`` may be missing or null)::

    {"channel": "webform"|"email"|"phone"|"sms", "language": "en"|"es"|null, "subject": str|null, "text": str,
     "form": {"victim_age": int|null, "immediate_danger": bool|null, "location_state": str|null,
              "location_city": str|null}}

plus, optionally, ``id`` (echoed back) and ``received_at`` (ISO 8601; default: now).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from contracts import signal_id_for
from contracts.events import (
    Answer,
    Channel,
    DeclaredFacts,
    EmailSource,
    FlagName,
    Location,
    PhoneSource,
    Reporter,
    SignalReceived,
    SignalTriaged,
    SmsSource,
    Victim,
    WebformSource,
)
from triage.jurisdiction import state_code

OFFLINE_REFERENCE = "OFF-LINE"


class LineError(ValueError):
    """An input line that cannot be read as a signal; the message names the field, never the content."""


def signal_from_line(line: dict[str, Any], *, now: datetime) -> SignalReceived:
    text = line.get("text")
    if not isinstance(text, str):
        raise LineError("each line needs a string 'text'")
    try:
        channel = Channel(line.get("channel") or "webform")
    except ValueError:
        raise LineError("'channel' must be webform, email, phone or sms") from None
    digest = hashlib.sha256(json.dumps(line, sort_keys=True, default=str).encode()).hexdigest()
    dedup_key = f"offline:{digest}"
    signal_id = signal_id_for(channel.value, dedup_key)
    form = line.get("form") or {}
    if not isinstance(form, dict):
        raise LineError("'form' must be an object")
    language = line.get("language")
    subject = line.get("subject")
    try:
        return SignalReceived(
            signal_id=signal_id,
            reference_number=OFFLINE_REFERENCE,
            channel=channel,
            received_at=_time(line.get("received_at"), now),
            source=_source(channel, digest, signal_id),
            dedup_key=dedup_key,
            reporter=Reporter(preferred_language=language if isinstance(language, str) and language
                              else None),
            subject=subject[:1000] if isinstance(subject, str) and subject.strip() else None,
            narrative=text,
            facts=_facts(form),
        )
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise LineError(f"line is not a valid signal ({type(error).__name__})") from None


def _time(raw: object, now: datetime) -> datetime:
    if isinstance(raw, str) and raw:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return now


def _source(
    channel: Channel, digest: str, signal_id: UUID
) -> WebformSource | EmailSource | PhoneSource | SmsSource:
    if channel is Channel.SMS:  # a text on its own: the first of its conversation
        return SmsSource(message_sid=f"SM{digest[:32]}", system="offline", conversation_id=signal_id)
    if channel is Channel.EMAIL:
        return EmailSource(mailbox="offline", uidvalidity=1, uid=1)
    if channel is Channel.PHONE:
        return PhoneSource(call_id=digest[:32], fragment="specialist_report", system="offline")
    return WebformSource(submission_id=digest[:32])


def _facts(form: dict[str, Any]) -> DeclaredFacts:
    victims = []
    age = form.get("victim_age")
    if isinstance(age, int) and not isinstance(age, bool) and 0 <= age <= 120:
        victims.append(Victim(age=age))
    danger = form.get("immediate_danger")
    danger_now = Answer.YES if danger is True else Answer.NO if danger is False else Answer.NOT_ASKED
    state = state_code(form.get("location_state"))
    city = form.get("location_city")
    city = city[:500] if isinstance(city, str) and city.strip() else None
    location = Location(state=state, city=city) if state or city else None
    return DeclaredFacts(victims=victims, danger_now=danger_now, location=location)


def output_line(triaged: SignalTriaged, line_id: object = None) -> dict[str, Any]:
    """The assessment as one JSON object: the issue's fields first, then the rest of the decision."""
    evidence = [
        {"flag": flag.name.value, **e.model_dump(mode="json", exclude_none=True)}
        for flag in triaged.flags if flag.raised for e in flag.evidence
    ]
    out: dict[str, Any] = {} if line_id is None else {"id": line_id}
    out.update({
        "minor": triaged.is_raised(FlagName.MINOR),
        "imminent_danger": triaged.is_raised(FlagName.IMMINENT_DANGER),
        "trafficking_type": triaged.trafficking_type.value,
        "call_type": triaged.call_type.value,
        "urgency": triaged.urgency.value,
        "evidence": evidence,
        "automated": triaged.is_raised(FlagName.AUTOMATED),
        "foreign_national": triaged.is_raised(FlagName.FOREIGN_NATIONAL),
        "language": triaged.language,
        "jurisdiction": triaged.jurisdiction.model_dump(mode="json"),
        "business_hours": triaged.business_hours,
        "sla_due_at": triaged.sla_due_at.isoformat(),
        "required_actions": [r.target.value for r in triaged.routes],
        "needs_human_triage": (None if triaged.needs_human_triage is None
                               else triaged.needs_human_triage.model_dump(mode="json")),
        "rules_version": triaged.rules_version,
    })
    return out
