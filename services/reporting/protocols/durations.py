"""Durations as protocol owners write them (``15m``, ``2h``, ``1h30m``, ``180d``), and back."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Final

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

DURATION_PATTERN: Final = r"^([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$"
_DURATION: Final = re.compile(DURATION_PATTERN)
_UNITS: Final = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


def parse_duration(text: str) -> timedelta:
    """``1h30m`` to a timedelta. Raises ``ValueError`` naming the text when it does not parse."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None:
        raise ValueError(f"{text!r} is not a duration such as 15m, 2h, 1h30m or 180d")
    seconds = sum(int(part[:-1]) * factor
                  for part, (_, factor) in zip(match.groups(), _UNITS, strict=True) if part)
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The shortest spelling ``parse_duration`` reads back: ``timedelta(minutes=90)`` is ``1h30m``."""
    remaining = int(value.total_seconds())
    parts = []
    for unit, factor in _UNITS:
        count, remaining = divmod(remaining, factor)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def _validate(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        # An unquoted number in YAML: say what a duration looks like rather than guess a unit.
        raise ValueError(f"{value!r} is not a duration such as 15m, 2h, 1h30m or 180d (give a unit)")
    return parse_duration(value)


Duration = Annotated[
    timedelta,
    BeforeValidator(_validate),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN,
                    "description": "days, hours, minutes, seconds: 15m, 2h, 1h30m, 180d"}),
]
