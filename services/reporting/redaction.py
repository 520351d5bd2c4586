"""What each class of recipient is sent of a report: pure functions, no I/O.

- Law enforcement and federal agencies get the narrative, the declared facts, the victims and the
  full location; the reporter's role and contact details only if the reporter consented to share
  them (without consent they are not even stored: ``store.record_signal``), and with the details
  always the reporter's safe-contact instructions: safe times, whether voicemail and texts are
  safe, their own words.
- A mandatory report (NCMEC, the FBI, when a minor may be a victim) is owed the facts whatever the
  recipient's kind: it gets what law enforcement gets, with the obligation and its basis.
- Service providers, NGOs and hotlines get what they need to act: the need, the urgency, the
  victims' age, gender and nationality, the city and state, whether danger was declared. Never
  the narrative, the address or the reporter.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.reporting.protocols.model import ContactKind


class Audience(StrEnum):
    LAW_ENFORCEMENT = "law_enforcement"
    SERVICE_PROVIDER = "service_provider"


_AUDIENCE = {ContactKind.LAW_ENFORCEMENT: Audience.LAW_ENFORCEMENT,
             ContactKind.FEDERAL_AGENCY: Audience.LAW_ENFORCEMENT}


def audience_of(kind: ContactKind) -> Audience:
    return _AUDIENCE.get(kind, Audience.SERVICE_PROVIDER)


@dataclass(frozen=True)
class SignalView:
    """The signal as the ledger kept it (``None`` fields: not declared, or not consented)."""

    victims: list[dict[str, Any]]
    narrative: str
    location: dict[str, Any] | None
    facts: dict[str, Any]
    reporter: dict[str, Any] | None


@dataclass(frozen=True)
class Header:
    reference_number: str
    need: str
    urgency: str
    kind: str  # break_glass or approved
    ack_url: str
    obligation: tuple[str, str] | None = None  # a mandatory report's (id, basis)


_VICTIM_FIELDS = ("count", "age", "age_range", "gender", "nationality")


def redact(audience: Audience, header: Header, signal: SignalView | None) -> dict[str, Any]:
    """The document one recipient receives (the webhook body; the email renders it as text)."""
    document: dict[str, Any] = {
        "reference_number": header.reference_number, "need": header.need, "urgency": header.urgency,
        "kind": header.kind, "acknowledge": header.ack_url,
        "victims": [], "location": None, "danger_now": None,
    }
    if header.obligation is not None:
        document["obligation"] = {"id": header.obligation[0], "basis": header.obligation[1]}
        audience = Audience.LAW_ENFORCEMENT
    if signal is None:
        return document  # the signal never arrived: ids and conditions only
    document["victims"] = [{k: v.get(k) for k in _VICTIM_FIELDS} for v in signal.victims]
    document["danger_now"] = signal.facts.get("danger_now")
    location = signal.location or {}
    if audience is Audience.LAW_ENFORCEMENT:
        document["location"] = signal.location
        document["narrative"] = signal.narrative
        document["trafficking_type"] = signal.facts.get("trafficking_type")
        document["reporter"] = signal.reporter if signal.reporter is not None else {"shared": False}
    else:
        wanted = ("country", "state", "city")
        document["location"] = {k: location.get(k) for k in wanted} if location else None
    return document


def render_text(document: dict[str, Any]) -> str:
    """The email body: the same fields as the webhook, as lines a person reads."""
    lines = [f"Hotline report {document['reference_number']} ({document['kind']}): {document['need']}",
             f"Urgency: {document['urgency']}", ""]
    if "obligation" in document:
        lines += [f"Mandatory report {document['obligation']['id']}: {document['obligation']['basis']}", ""]
    for index, victim in enumerate(document["victims"], 1):
        shown = ", ".join(f"{k}: {v}" for k, v in victim.items() if v not in (None, "unknown"))
        lines.append(f"Victim {index}: {shown or 'no details declared'}")
    if document.get("location"):
        shown = ", ".join(f"{k}: {v}" for k, v in document["location"].items() if v)
        lines.append(f"Location: {shown}")
    if document.get("danger_now"):
        lines.append(f"Danger now (declared): {document['danger_now']}")
    if "narrative" in document:
        lines += ["", "Narrative:", document["narrative"] or "(none)"]
    if "reporter" in document:
        lines += ["", *_reporter_lines(document["reporter"])]
    lines += ["", "Please confirm you have received this report (one-time link):", document["acknowledge"]]
    return "\n".join(lines) + "\n"


_CONTACT_LABELS = (("name", "Name"), ("phone", "Phone"), ("email", "Email"), ("other", "Other"))


def _reporter_lines(reporter: dict[str, Any]) -> list[str]:
    """Who reported, and, with their contact details, how they asked to be contacted safely."""
    if reporter.get("shared") is False:
        return ["Reporter: not shared (no consent)"]
    lines = [f"Reporter: {str(reporter.get('role') or 'unknown').replace('_', ' ')}; "
             f"may be contacted: {'yes' if reporter.get('consent_to_contact') else 'no'}"]
    contact = reporter.get("contact") or {}
    lines += [f"{label}: {contact[key]}" for key, label in _CONTACT_LABELS if contact.get(key)]
    safe = reporter.get("safe_contact")
    if contact and safe is not None:
        lines += ["", "Contacting the reporter safely (their own instructions: contact can endanger them):",
                  f"Safe times: {safe.get('safe_times') or 'none given'} (in the reporter's words"
                  + (f"; their time zone: {safe['time_zone']})" if safe.get("time_zone") else ")"),
                  "Voicemail: " + ("safe" if safe.get("voicemail_ok") else "NOT safe - do not leave one"),
                  "Text messages: " + ("safe" if safe.get("text_ok") else "NOT safe - do not send one"),
                  f"Instructions: {safe.get('instructions') or 'none given'}"]
    return lines
