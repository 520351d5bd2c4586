"""Business hours of the hotline (9am-7pm Eastern, Mon-Fri, US federal holidays off) and SLA clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo

import holidays

from contracts.events import Urgency

HOTLINE_ZONE: Final = ZoneInfo("America/New_York")
OPENS: Final = time(9, 0)
CLOSES: Final = time(19, 0)

# Urgent work is answered 24/7; non-urgent work within 1-3 business days (seed 002).
_URGENT_SLA: Final = {Urgency.P1_ACT_NOW: timedelta(minutes=15), Urgency.P2_SAME_DAY: timedelta(hours=4)}
# Seed 001: a non-urgent request is answered "within two to three business days, allowing for
# holidays"; an informational one is a non-urgent request like any other.
_BUSINESS_DAYS_SLA: Final = {Urgency.P3_BUSINESS_DAYS: 3, Urgency.P4_INFORMATIONAL: 3}


@cache
def _federal_holidays(year: int) -> frozenset[date]:
    # The federal calendar as observed (a Saturday holiday is taken on Friday, a Sunday one on Monday).
    return frozenset(holidays.country_holidays("US", years=year, observed=True).keys())


def is_holiday(day: date) -> bool:
    return day in _federal_holidays(day.year)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def is_business_hours(moment: datetime) -> bool:
    local = moment.astimezone(HOTLINE_ZONE)
    return is_business_day(local.date()) and OPENS <= local.time() < CLOSES


def add_business_days(moment: datetime, days: int) -> datetime:
    """Closing time of the ``days``-th business day after ``moment`` (Eastern), as an aware datetime."""
    day = moment.astimezone(HOTLINE_ZONE).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day):
            counted += 1
    return datetime.combine(day, CLOSES, tzinfo=HOTLINE_ZONE)


def sla_due(received_at: datetime, urgency: Urgency) -> datetime:
    if urgency in _URGENT_SLA:
        return received_at + _URGENT_SLA[urgency]
    return add_business_days(received_at, _BUSINESS_DAYS_SLA[urgency]).astimezone(UTC)
