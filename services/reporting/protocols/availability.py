"""Whether a contact answers: in the hotline's business hours or after them, or at a given moment.

Business hours are the hotline's: 9am-7pm in its time zone (America/New_York), Monday to Friday,
US federal holidays (as observed) off. ``business_hours_only`` and ``after_hours_only`` contacts are
read against them: at a moment (``available_at``, when a step of a chain comes up, which may be
hours after the report was requested), or against a report's ``business_hours`` condition when no
moment is given (``serves``: checks and offline resolution). Weekly windows are in their own time
zone; they serve business hours when they overlap the hotline's, and after hours when they reach
outside them, in a winter or a summer week (daylight saving time moves one zone against another).
Windows know no holidays.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Final
from zoneinfo import ZoneInfo

import holidays

from services.reporting.protocols.model import WEEKDAYS, Availability, AvailabilityMode, WeeklyAvailability

HOTLINE_ZONE: Final = ZoneInfo("America/New_York")
_OPENS, _CLOSES = 9 * 60, 19 * 60
_WEEK: Final = 7 * 1440
# Weeks without a daylight saving change anywhere in the US or Europe: one in winter, one in summer.
_REFERENCE_MONDAYS: Final = (date(2025, 1, 6), date(2025, 7, 7))
_BUSINESS_MINUTES: Final = frozenset(day * 1440 + minute for day in range(5)
                                     for minute in range(_OPENS, _CLOSES))


def serves(availability: Availability, business_hours: bool) -> bool:
    """Can the contact be reached at some time of the hotline's business hours (or of the rest)?"""
    if isinstance(availability, WeeklyAvailability):
        in_hours, after_hours = _weekly_reach(availability.model_dump_json())
        return in_hours if business_hours else after_hours
    if availability is AvailabilityMode.ALWAYS:
        return True
    return (availability is AvailabilityMode.BUSINESS_HOURS_ONLY) == business_hours


@cache
def _federal_holidays(year: int) -> frozenset[date]:
    # As observed: a Saturday holiday is taken on the Friday, a Sunday one on the Monday.
    return frozenset(holidays.country_holidays("US", years=year, observed=True).keys())


def in_business_hours(moment: datetime) -> bool:
    """Whether ``moment`` (aware) falls in the hotline's business hours."""
    local = moment.astimezone(HOTLINE_ZONE)
    minute = local.hour * 60 + local.minute
    return (local.weekday() < 5 and local.date() not in _federal_holidays(local.year)
            and _OPENS <= minute < _CLOSES)


def available_at(availability: Availability, moment: datetime) -> bool:
    """At ``moment``: weekly windows are read at that time, the named modes against the hotline's
    business hours at that time."""
    if not isinstance(availability, WeeklyAvailability):
        return serves(availability, in_business_hours(moment))
    local = moment.astimezone(ZoneInfo(availability.timezone))
    day, minute = WEEKDAYS[local.weekday()], local.hour * 60 + local.minute
    return any(day in window.days and window.start <= minute < window.end for window in availability.windows)


@lru_cache(maxsize=1024)
def _weekly_reach(serialised: str) -> tuple[bool, bool]:
    availability = WeeklyAvailability.model_validate_json(serialised)
    in_hours = after_hours = False
    for monday in _REFERENCE_MONDAYS:
        covered = _hotline_minutes(availability, monday)
        in_hours = in_hours or not covered.isdisjoint(_BUSINESS_MINUTES)
        after_hours = after_hours or not covered <= _BUSINESS_MINUTES
    return in_hours, after_hours


def _hotline_minutes(availability: WeeklyAvailability, monday: date) -> set[int]:
    """The minutes of the hotline's week (Monday 00:00 Eastern is 0) that the windows cover."""
    zone = ZoneInfo(availability.timezone)
    origin = datetime(monday.year, monday.month, monday.day, tzinfo=HOTLINE_ZONE).astimezone(UTC)
    covered: set[int] = set()
    for window in availability.windows:
        for day in window.days:
            local_day = monday + timedelta(days=WEEKDAYS.index(day))
            start = datetime(local_day.year, local_day.month, local_day.day, tzinfo=zone) + timedelta(
                minutes=window.start)
            offset = int((start.astimezone(UTC) - origin).total_seconds() // 60)
            covered.update((offset + m) % _WEEK for m in range(window.end - window.start))
    return covered
