"""The call report form as a specialist sees it: choices in words, rows of people, errors in words. Pure.

The form posts flat fields (``victims-0-age``); ``report_data`` turns them into the body of a
``SpecialistReport`` and ``form_errors`` turns the model's complaints back into one plain sentence
per form field, keyed by the field's id, so the page can tie each to its field and list them in an
error summary that links to them. Every value typed is echoed back unchanged when the form has a
problem: nothing a specialist wrote during a call is lost to a typo in an age.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError

from contracts.events import (
    Answer,
    CallType,
    DeclaredTraffickingType,
    Gender,
    Nationality,
    ReporterRole,
    Urgency,
)

MAX_ROWS: Final = 20  # people or groups on one report (the model takes 50)
VICTIM_FIELDS: Final = ("count", "age", "age_low", "age_high", "gender", "nationality")

CALL_TYPES: Final = [
    (CallType.TIP, "Tip (reporting a situation)"), (CallType.CRISIS, "Crisis (someone needs help now)"),
    (CallType.REFERRAL, "Referral (asking for services)"), (CallType.AT_RISK, "At risk"),
    (CallType.GENERAL_INFO, "General information"), (CallType.TTA, "Training or technical assistance"),
    (CallType.UNRELATED, "Unrelated to trafficking")]
ROLES: Final = [
    (ReporterRole.UNKNOWN, "Not known"), (ReporterRole.VICTIM, "The person being exploited"),
    (ReporterRole.FAMILY_FRIEND, "A family member or friend"),
    (ReporterRole.COMMUNITY_MEMBER, "A community member"),
    (ReporterRole.PROFESSIONAL, "A professional (social worker, teacher, nurse...)"),
    (ReporterRole.LAW_ENFORCEMENT, "Law enforcement"), (ReporterRole.OTHER, "Other")]
DANGER: Final = [(Answer.NOT_ASKED, "Not asked"), (Answer.YES, "Yes"), (Answer.NO, "No"),
                 (Answer.UNSURE, "Caller is not sure")]
TRAFFICKING: Final = [
    (DeclaredTraffickingType.NOT_STATED, "Not stated"), (DeclaredTraffickingType.SEX, "Sex trafficking"),
    (DeclaredTraffickingType.LABOR, "Labor trafficking"), (DeclaredTraffickingType.BOTH, "Both"),
    (DeclaredTraffickingType.UNSURE, "Caller is not sure")]
GENDERS: Final = [("", "Not known"), (Gender.FEMALE, "Female"), (Gender.MALE, "Male"),
                  (Gender.NON_BINARY, "Non-binary")]
NATIONALITIES: Final = [("", "Not known"), (Nationality.US_CITIZEN, "US citizen"),
                        (Nationality.FOREIGN_NATIONAL, "Foreign national")]
URGENCIES: Final = [("", "Not judged"), (Urgency.P1_ACT_NOW, "P1: act now"),
                    (Urgency.P2_SAME_DAY, "P2: same day"),
                    (Urgency.P3_BUSINESS_DAYS, "P3: 1-3 business days"),
                    (Urgency.P4_INFORMATIONAL, "P4: informational")]

LABELS: Final = {
    "form": "The form", "call_id": "Call id", "related_reference": "Reference number the caller quotes",
    "call_type": "Call type", "caller_role": "Who called", "narrative": "What happened",
    "danger_now": "Is anyone in danger now?", "trafficking_type": "Type of trafficking",
    "location_state": "State", "location_city": "City", "location_zip": "ZIP code",
    "location_details": "More about the place", "language": "Caller's language",
    "interpreter_language": "Interpreter's language", "interpreter_minutes": "Interpreter minutes",
    "urgency": "Urgency as you judge it", "consent_to_share": "Consent to share",
    "victims": "People involved",
}
VICTIM_LABELS: Final = {"count": "How many people", "age": "Age", "age_low": "Youngest age",
                        "age_high": "Oldest age", "gender": "Gender", "nationality": "Citizenship"}
# Radio groups: an error links to the first choice, which is the element with the id.
FIRST_CHOICE: Final = {"danger_now": f"danger_now-{Answer.NOT_ASKED.value}"}
_PATTERNS: Final = {
    "location_state": "Use the state's two-letter code, like TX.",
    "location_zip": "Use a 5-digit ZIP code, like 77002 (or ZIP+4, like 77002-1234).",
    "language": "Use a two- or three-letter language code, like es for Spanish.",
    "interpreter_language": "Use a two- or three-letter language code, like vi for Vietnamese.",
}


@dataclass(frozen=True)
class Problem:
    field: str  # the form field's id (``victims-1-age``), or ``form``
    message: str


def row_count(values: Mapping[str, str], *, adding: bool = False) -> int:
    """How many people rows the page shows: what the form had (at least every row with input)."""
    try:
        shown = int(values.get("victim_rows", "1"))
    except ValueError:
        shown = 1
    filled = [int(k.split("-")[1]) for k, v in values.items()
              if k.startswith("victims-") and k.count("-") == 2 and k.split("-")[1].isdigit() and v.strip()]
    rows = max([shown, *[index + 1 for index in filled]])
    return max(1, min(rows + (1 if adding else 0), MAX_ROWS))


def label_of(field: str) -> str:
    parts = field.split("-")
    if len(parts) == 3 and parts[0] == "victims":
        return f"Person or group {int(parts[1]) + 1}: {VICTIM_LABELS.get(parts[2], parts[2]).lower()}"
    return LABELS.get(field, field.replace("_", " "))


def report_data(values: Mapping[str, str]) -> tuple[dict[str, Any], list[int]]:
    """The ``SpecialistReport`` body of the posted fields, and the form row of each victim in it."""
    data: dict[str, Any] = {k: v for k, v in values.items()
                            if k in LABELS and k not in ("form", "victims", "consent_to_share") and v.strip()}
    data["report_id"] = values.get("report_id", "")
    if "location_state" in data:
        data["location_state"] = data["location_state"].strip().upper()
    for code in ("language", "interpreter_language"):
        if code in data:
            data[code] = data[code].strip().lower()
    data["consent_to_share"] = values.get("consent_to_share") == "yes"
    victims, rows = [], []
    for row in range(row_count(values)):
        victim = {name: values[f"victims-{row}-{name}"].strip() for name in VICTIM_FIELDS
                  if values.get(f"victims-{row}-{name}", "").strip()}
        if victim:
            victims.append(victim)
            rows.append(row)
    if victims:
        data["victims"] = victims
    return data, rows


def _sentence(error: Mapping[str, Any], name: str) -> str:
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and name == "narrative"):
        return "Write what the caller told you." if name == "narrative" else "Fill this in."
    if kind == "int_parsing":
        return "Enter a whole number, like 2."
    if kind in ("greater_than_equal", "less_than_equal"):
        low = {"count": 1}.get(name, 0)
        high = {"count": 10_000, "interpreter_minutes": 1440}.get(name, 120)
        return f"Enter a number from {low} to {high}."
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(name, "Check the format of this field.")
    if kind == "string_too_long":
        return f"Shorten this to {context.get('max_length')} characters or fewer."
    if kind == "enum":
        return "Choose one of the options."
    if kind == "value_error":
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        if "age_low must not exceed age_high" in message:
            return "The youngest age must not be above the oldest."
        return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
    return "Check this field."


def form_errors(error: ValidationError, rows: list[int]) -> list[Problem]:
    """One sentence per form field, in the form's order, tied to the field's id."""
    problems: dict[str, Problem] = {}
    for item in error.errors(include_input=False, include_url=False):
        location = [str(part) for part in item["loc"]]
        if location[:1] == ["victims"] and len(location) >= 2 and location[1].isdigit():
            row = rows[int(location[1])] if int(location[1]) < len(rows) else int(location[1])
            name = location[2] if len(location) > 2 else "age_low"  # a row-wide check: the range
            field = f"victims-{row}-{name}"
        else:
            name = location[0] if location else "form"
            field = name if name in LABELS else "form"
        problems.setdefault(field, Problem(field, _sentence(item, name)))
    return list(problems.values())
