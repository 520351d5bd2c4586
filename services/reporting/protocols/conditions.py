"""Matching a cell's ``when`` against one victim's situation, and the situations coverage counts."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Final, Literal

from services.reporting.protocols.model import ProtocolModel, When

GenderCondition = Literal["male", "female"]
TraffickingCondition = Literal["sex", "labor", "both"]

# A situation of both sex and labor trafficking is also a sex case and a labor case; a cell for
# ``both`` is for the situations that are explicitly both.
_TRAFFICKING_MATCHES: Final[dict[str, frozenset[str]]] = {
    "sex": frozenset({"sex", "both"}),
    "labor": frozenset({"labor", "both"}),
    "both": frozenset({"both"}),
}


class Situation(ProtocolModel):
    """The matrix columns for one victim. ``None`` is unknown, and matches only cells silent on it."""

    urgent: bool
    business_hours: bool
    minor: bool
    foreign_national: bool | None = None
    gender: GenderCondition | None = None
    trafficking_type: TraffickingCondition | None = None


def matches(when: When, situation: Situation) -> bool:
    if when.urgent is not None and when.urgent != situation.urgent:
        return False
    if when.business_hours is not None and when.business_hours != situation.business_hours:
        return False
    if when.minor is not None and when.minor != situation.minor:
        return False
    if when.foreign_national is not None and when.foreign_national != situation.foreign_national:
        return False
    if when.gender is not None and when.gender != situation.gender:
        return False
    if when.trafficking_type is None:
        return True
    return situation.trafficking_type in _TRAFFICKING_MATCHES[when.trafficking_type]


def shadows(earlier: When, later: When) -> bool:
    """True when every situation ``later`` matches is already taken by ``earlier`` (first match wins)."""
    for name in ("urgent", "business_hours", "minor", "foreign_national", "gender"):
        wanted = getattr(earlier, name)
        if wanted is not None and getattr(later, name) != wanted:
            return False
    if earlier.trafficking_type is None:
        return True
    if later.trafficking_type is None:
        return False
    return _TRAFFICKING_MATCHES[later.trafficking_type] <= _TRAFFICKING_MATCHES[earlier.trafficking_type]


# The matrix's columns (seed 004), as coverage shows them: (heading, condition, value).
COLUMNS: Final = (
    ("urgent", "urgent", True), ("non-urgent", "urgent", False),
    ("business hours", "business_hours", True), ("after hours", "business_hours", False),
    ("foreign national", "foreign_national", True), ("US citizen", "foreign_national", False),
    ("minor", "minor", True), ("adult", "minor", False),
    ("male", "gender", "male"), ("female", "gender", "female"),
    ("labor", "trafficking_type", "labor"), ("sex", "trafficking_type", "sex"),
)


def all_situations() -> Iterator[Situation]:
    """The 64 combinations of the matrix's six pairs of columns, in a fixed order."""
    genders: tuple[GenderCondition, ...] = ("male", "female")
    types: tuple[TraffickingCondition, ...] = ("labor", "sex")
    for urgent, business, foreign, minor, gender, kind in itertools.product(
            (True, False), (True, False), (True, False), (True, False), genders, types):
        yield Situation(urgent=urgent, business_hours=business, foreign_national=foreign, minor=minor,
                        gender=gender, trafficking_type=kind)
