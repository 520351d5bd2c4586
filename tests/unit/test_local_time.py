"""The hotline's clock on staff pages: local times with the zone named, and the time left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.runtime import RuntimeSettings
from services.runtime.local_time import LocalClock

pytestmark = pytest.mark.unit

WINTER = datetime(2026, 12, 5, 8, 12, 30, tzinfo=UTC)  # 3:12 a.m. in New York
SUMMER = datetime(2026, 7, 4, 7, 5, tzinfo=UTC)


def test_times_are_the_hotlines_with_the_zone_named_in_winter_and_summer() -> None:
    clock = LocalClock()
    assert clock.when(WINTER) == "Sat Dec 5, 3:12 AM EST"
    assert clock.when(WINTER, seconds=True) == "Sat Dec 5, 3:12:30 AM EST"
    assert clock.when(SUMMER) == "Sat Jul 4, 3:05 AM EDT"
    assert clock.time_of_day(SUMMER) == "3:05 AM EDT"
    assert clock.zone_label(WINTER) == "EST (America/New_York)"
    assert LocalClock("America/Chicago").when(WINTER) == "Sat Dec 5, 2:12 AM CST"
    assert clock.when(None) == ""


def test_the_time_left_reads_as_people_say_it() -> None:
    left = LocalClock.time_left
    assert left(WINTER + timedelta(seconds=30), WINTER) == "less than a minute left"
    assert left(WINTER + timedelta(minutes=12, seconds=59), WINTER) == "12 min left"
    assert left(WINTER + timedelta(hours=2), WINTER) == "2 h left"
    assert left(WINTER + timedelta(hours=1, minutes=5), WINTER) == "1 h 05 min left"
    assert left(WINTER + timedelta(days=3), WINTER) == "3 days left"
    assert left(WINTER - timedelta(minutes=3), WINTER) == "overdue by 3 min"
    assert LocalClock.overdue(WINTER - timedelta(seconds=1), WINTER)
    assert LocalClock.soon(WINTER + timedelta(minutes=10), WINTER)
    assert not LocalClock.soon(WINTER + timedelta(minutes=20), WINTER)


def test_the_zone_is_a_setting_refused_when_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_TIMEZONE", raising=False)
    assert RuntimeSettings().timezone == "America/New_York"
    monkeypatch.setenv("HOTLINE_TIMEZONE", "America/Denver")
    assert RuntimeSettings().timezone == "America/Denver"
    monkeypatch.setenv("HOTLINE_TIMEZONE", "Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="unknown time zone"):
        RuntimeSettings()
