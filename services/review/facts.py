"""What a reporter or call specialist declared, in words for the case page. Pure.

A signal's ``facts`` (the stored ``DeclaredFacts``) become labelled groups: the situation, the
place, and each person or group of people. What was not declared (``unknown``, ``not_stated``,
``not_asked``) is left out rather than shown as a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from contracts.events import (
    Answer,
    CallType,
    DeclaredTraffickingType,
    Gender,
    Nationality,
    Urgency,
)

ANSWERS: Final = {Answer.YES: "yes", Answer.NO: "no", Answer.UNSURE: "not sure"}
TRAFFICKING: Final = {DeclaredTraffickingType.SEX: "sex", DeclaredTraffickingType.LABOR: "labor",
                      DeclaredTraffickingType.BOTH: "sex and labor",
                      DeclaredTraffickingType.UNSURE: "not sure"}
CALL_TYPES: Final = {CallType.CRISIS: "crisis", CallType.TIP: "tip",
                     CallType.TTA: "training or technical assistance", CallType.REFERRAL: "referral",
                     CallType.GENERAL_INFO: "general information", CallType.AT_RISK: "at risk",
                     CallType.UNRELATED: "unrelated"}
URGENCIES: Final = {Urgency.P1_ACT_NOW: "P1 act now", Urgency.P2_SAME_DAY: "P2 same day",
                    Urgency.P3_BUSINESS_DAYS: "P3 1-3 business days",
                    Urgency.P4_INFORMATIONAL: "P4 informational"}
GENDERS: Final = {Gender.FEMALE: "female", Gender.MALE: "male", Gender.NON_BINARY: "non-binary"}
NATIONALITIES: Final = {Nationality.US_CITIZEN: "US citizen",
                        Nationality.FOREIGN_NATIONAL: "foreign national"}
_NOT_DECLARED: Final = frozenset({None, "", "unknown", "not_stated", "not_asked"})
_OLDEST: Final = 120  # an age range open at the top (a call report's "15 or older") is stored up to 120


@dataclass(frozen=True)
class FactGroup:
    title: str
    rows: tuple[tuple[str, str], ...]


def _word(words: dict[Any, str], value: Any) -> str | None:
    """The words for a stored enum value (a ``StrEnum`` member equals its value); None when the
    value says nothing was declared. A value newer than this table is shown without underscores."""
    if value in _NOT_DECLARED:
        return None
    return words.get(value) or str(value).replace("_", " ")


def _age_range(age_range: dict[str, Any]) -> str:
    low, high = int(age_range["low"]), int(age_range["high"])
    if high >= _OLDEST:
        return f"{low} or older"
    if low == 0:
        return f"up to {high}"
    return f"{low} to {high}" if low != high else str(low)


def _rows(*pairs: tuple[str, str | None]) -> tuple[tuple[str, str], ...]:
    return tuple((label, value) for label, value in pairs if value)


def declared(facts: dict[str, Any] | None) -> list[FactGroup]:
    """The declared facts as groups of (label, words), empty groups left out."""
    if not facts:
        return []
    groups = [FactGroup("The situation", _rows(
        ("Danger now", _word(ANSWERS, facts.get("danger_now"))),
        ("Type of trafficking", _word(TRAFFICKING, facts.get("trafficking_type"))),
        ("Call type", _word(CALL_TYPES, facts.get("call_type"))),
        ("Urgency as judged by the call specialist", _word(URGENCIES, facts.get("urgency"))),
    ))]
    place = facts.get("location") or {}
    groups.append(FactGroup("Where", _rows(
        ("Country", place.get("country") if place.get("country") not in (None, "US") else None),
        ("State", place.get("state")), ("City", place.get("city")), ("ZIP code", place.get("zip_code")),
        ("More about the place", place.get("description")),
    )))
    victims = facts.get("victims") or []
    for number, victim in enumerate(victims, start=1):
        title = "The people involved" if len(victims) == 1 else f"The people involved, group {number}"
        age_range = victim.get("age_range")
        groups.append(FactGroup(title, _rows(
            ("How many people", str(victim.get("count", 1))),
            ("Age", str(victim["age"]) if victim.get("age") is not None else None),
            ("Age range", _age_range(age_range) if age_range else None),
            ("Gender", _word(GENDERS, victim.get("gender"))),
            ("Citizenship", _word(NATIONALITIES, victim.get("nationality"))),
        )))
    return [group for group in groups if group.rows]
