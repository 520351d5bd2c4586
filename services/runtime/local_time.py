"""Times as the hotline's staff read them: in the hotline's own zone, with the zone named. Pure.

Events, the APIs and the databases keep UTC; only what a person reads on a staff page is turned into
the hotline's clock (``HOTLINE_TIMEZONE``, America/New_York unless set), because a specialist on
the night shift should not have to subtract five hours at 3 a.m. to know whether a call is late.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DEFAULT_ZONE", "LocalClock", "checked_zone"]

DEFAULT_ZONE: Final = "America/New_York"


def checked_zone(name: str) -> str:
    """``name`` if it is an IANA time zone this machine knows, else ValueError (for settings)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name like America/Chicago)") from None
    return name


def _minutes(total: float) -> str:
    minutes = max(int(total // 60), 0)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
    return f"{hours // 24} days"


class LocalClock:
    """Formats aware datetimes on the hotline's clock; every string names its zone (EST, EDT...)."""

    def __init__(self, zone: str = DEFAULT_ZONE) -> None:
        self.zone_name = zone
        self.zone = ZoneInfo(zone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def when(self, moment: datetime | None, *, seconds: bool = False) -> str:
        """``Tue Dec 5, 3:12 AM EST``: the weekday and date always, since night shifts cross midnight."""
        if moment is None:
            return ""
        local = self.local(moment)
        clock = local.strftime("%I:%M:%S %p" if seconds else "%I:%M %p").lstrip("0")
        return f"{local.strftime('%a %b')} {local.day}, {clock} {local.tzname()}"

    def time_of_day(self, moment: datetime | None) -> str:
        """``3:12 AM EST``: for lists of today's times where the date would be noise."""
        if moment is None:
            return ""
        local = self.local(moment)
        return f"{local.strftime('%I:%M %p').lstrip('0')} {local.tzname()}"

    def zone_label(self, moment: datetime) -> str:
        """The zone's abbreviation at ``moment`` (EST or EDT) and its IANA name, for page footers."""
        return f"{self.local(moment).tzname()} ({self.zone_name})"

    @staticmethod
    def time_left(due: datetime | None, now: datetime) -> str:
        """``12 min left`` or ``overdue by 3 min``: the clock a person works against."""
        if due is None:
            return ""
        left = (due - now).total_seconds()
        if left >= 0:
            return f"{_minutes(left)} left"
        return f"overdue by {_minutes(-left)}"

    @staticmethod
    def overdue(due: datetime | None, now: datetime) -> bool:
        return due is not None and due < now

    @staticmethod
    def soon(due: datetime | None, now: datetime, within: timedelta = timedelta(minutes=15)) -> bool:
        return due is not None and now <= due <= now + within
