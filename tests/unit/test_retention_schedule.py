"""The retention schedule's arithmetic: a period runs from closing, ``never`` keeps, a hold stops all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.runtime.retention import DEFAULT_DAYS, DataClass, RetentionSettings, Schedule

CLOSED = datetime(2026, 1, 31, 18, 0, tzinfo=UTC)


def test_the_defaults_are_the_documented_ones() -> None:
    schedule = RetentionSettings().retention_schedule()
    assert schedule.periods == {DataClass.CONTACT: timedelta(days=90),
                                DataClass.ATTACHMENTS: timedelta(days=365),
                                DataClass.RAW_EMAIL: timedelta(days=365),
                                DataClass.NARRATIVE: timedelta(days=1095)}
    assert schedule.earliest() == timedelta(days=90)


def test_a_class_falls_due_its_period_after_closing_and_not_a_moment_before() -> None:
    schedule = Schedule.from_days(DEFAULT_DAYS)
    assert schedule.due_at(DataClass.CONTACT, CLOSED) == CLOSED + timedelta(days=90)
    just_before = CLOSED + timedelta(days=90) - timedelta(microseconds=1)
    assert schedule.due(CLOSED, just_before, held=False) == []
    assert schedule.due(CLOSED, CLOSED + timedelta(days=90), held=False) == [DataClass.CONTACT]
    assert schedule.due(CLOSED, CLOSED + timedelta(days=365), held=False) == [
        DataClass.CONTACT, DataClass.ATTACHMENTS, DataClass.RAW_EMAIL]
    assert schedule.due(CLOSED, CLOSED + timedelta(days=1095), held=False) == list(DataClass)


def test_a_held_case_an_open_case_and_classes_already_purged_are_never_due() -> None:
    schedule = Schedule.from_days(DEFAULT_DAYS)
    years_later = CLOSED + timedelta(days=4000)
    assert schedule.due(CLOSED, years_later, held=True) == []
    assert schedule.due(None, years_later, held=False) == []
    assert schedule.due(CLOSED, years_later, held=False, done={DataClass.CONTACT, DataClass.NARRATIVE}) == [
        DataClass.ATTACHMENTS, DataClass.RAW_EMAIL]


def test_never_keeps_a_class_and_zero_purges_it_at_closing() -> None:
    schedule = Schedule.from_days({DataClass.CONTACT: 0, DataClass.NARRATIVE: "never",
                                   DataClass.ATTACHMENTS: "never", DataClass.RAW_EMAIL: "never"})
    assert schedule.due_at(DataClass.NARRATIVE, CLOSED) is None
    assert schedule.due(CLOSED, CLOSED, held=False) == [DataClass.CONTACT]
    assert schedule.due(CLOSED, CLOSED + timedelta(days=10_000), held=False) == [DataClass.CONTACT]
    assert Schedule.from_days({c: "never" for c in DataClass}).earliest() is None


@pytest.mark.parametrize("value", [-1, True, "forever", 1.5])
def test_a_period_that_is_not_whole_days_or_never_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="whole days"):
        Schedule.from_days({DataClass.CONTACT: value})  # type: ignore[dict-item]


def test_naive_closing_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Schedule.from_days(DEFAULT_DAYS).due_at(DataClass.CONTACT, CLOSED.replace(tzinfo=None))


def test_periods_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_RETAIN_CONTACT_DAYS", "30")
    monkeypatch.setenv("HOTLINE_RETAIN_NARRATIVE_DAYS", "never")
    monkeypatch.setenv("HOTLINE_RETAIN_ATTACHMENTS_DAYS", "0")
    schedule = RetentionSettings().retention_schedule()
    assert schedule.periods[DataClass.CONTACT] == timedelta(days=30)
    assert schedule.periods[DataClass.NARRATIVE] is None
    assert schedule.periods[DataClass.ATTACHMENTS] == timedelta(0)
    monkeypatch.setenv("HOTLINE_RETAIN_CONTACT_DAYS", "-5")
    with pytest.raises(ValueError, match="whole days"):
        RetentionSettings().retention_schedule()
