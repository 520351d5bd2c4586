"""A reporter's safe times read from their words, and the refusal rules at the edges of the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.review.contact_rules import Outcome, Preferences, judge
from services.review.safe_times import DAY, EVERY_DAY, WEEKDAYS, Kind, Rule, read
from services.runtime.local_time import LocalClock

pytestmark = pytest.mark.unit

NEW_YORK = ZoneInfo("America/New_York")
CLOCK = LocalClock("America/New_York")
# Monday 16 March 2026 (EDT, UTC-4): 17:59 and 18:00 in New York.
BEFORE_SIX = datetime(2026, 3, 16, 21, 59, tzinfo=UTC)
AT_SIX = datetime(2026, 3, 16, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(("words", "rules"), [
    ("weekdays 9-5", [Rule(WEEKDAYS, 9 * 60, 17 * 60)]),
    ("after 6pm", [Rule(EVERY_DAY, 18 * 60, DAY)]),
    ("Weekdays after 6 p.m.", [Rule(WEEKDAYS, 18 * 60, DAY)]),
    ("mornings", [Rule(EVERY_DAY, 8 * 60, 12 * 60)]),
    ("evenings after 7", [Rule(EVERY_DAY, 19 * 60, 21 * 60)]),
    ("weekdays, after 6pm", [Rule(WEEKDAYS, 18 * 60, DAY)]),
    ("tues and thurs after 4", [Rule(frozenset({1, 3}), 16 * 60, DAY)]),
    ("weekdays 9-12, 2-5", [Rule(WEEKDAYS, 9 * 60, 12 * 60), Rule(WEEKDAYS, 14 * 60, 17 * 60)]),
    ("saturday mornings or weekday evenings", [Rule(frozenset({5}), 8 * 60, 12 * 60),
                                               Rule(WEEKDAYS, 17 * 60, 21 * 60)]),
    ("between 9:30 and 17:00", [Rule(EVERY_DAY, 9 * 60 + 30, 17 * 60)]),
    ("weekends", [Rule(frozenset({5, 6}), 0, DAY)]),
    ("de lunes a viernes después de las 6", [Rule(WEEKDAYS, 18 * 60, DAY)]),
    ("10pm-2am", [Rule(EVERY_DAY, 22 * 60, DAY), Rule(EVERY_DAY, 0, 2 * 60)]),
])
def test_safe_times_in_a_reporters_words_are_read_as_days_and_hours(words: str, rules: list[Rule]) -> None:
    read_as = read(words, NEW_YORK)
    assert read_as.kind is Kind.WINDOW, read_as
    assert list(read_as.rules) == rules
    assert read_as.zone == NEW_YORK and read_as.zone_source == "hotline"


@pytest.mark.parametrize(("words", "kind"), [
    ("anytime", Kind.ANYTIME), ("Any time", Kind.ANYTIME), ("24/7", Kind.ANYTIME),
    ("never call", Kind.NEVER), ("No calls", Kind.NEVER), ("nunca", Kind.NEVER),
    ("when my husband is at work", Kind.UNREAD),
    ("weekdays 9-5 when he is at work", Kind.UNREAD),  # half a reading would drop the condition
    ("never after 9pm", Kind.UNREAD),
    ("", Kind.NOT_GIVEN), (None, Kind.NOT_GIVEN),
])
def test_answers_that_are_not_a_window_say_what_they_are(words: str | None, kind: Kind) -> None:
    assert read(words, NEW_YORK).kind is kind


def test_a_zone_in_the_words_is_the_reporters_else_the_hotlines() -> None:
    pacific = read("mon-fri 9am to 5pm PST", NEW_YORK)
    assert pacific.zone == ZoneInfo("America/Los_Angeles") and pacific.zone_source == "words"
    nine_new_york = datetime(2026, 3, 16, 13, 0, tzinfo=UTC)  # 9:00 EDT, 6:00 PDT
    assert not pacific.allows(nine_new_york)
    assert read("mon-fri 9am to 5pm", NEW_YORK).allows(nine_new_york)
    assert pacific.next_safe(nine_new_york) == datetime(2026, 3, 16, 16, 0, tzinfo=UTC)  # 9:00 PDT


def test_the_zone_the_reporter_chose_counts_unless_the_words_name_one() -> None:
    chicago = ZoneInfo("America/Chicago")
    chosen = read("after 6pm", NEW_YORK, chicago)
    assert (chosen.zone, chosen.zone_source) == (chicago, "reporter")
    assert not chosen.allows(AT_SIX)  # 18:00 in New York is 17:00 in Chicago
    assert chosen.next_safe(AT_SIX) == AT_SIX + timedelta(hours=1)
    assert read("after 6pm Pacific", NEW_YORK, chicago).zone == ZoneInfo("America/Los_Angeles")
    loose = Preferences.of({"consent_to_contact": True, "safe_contact": {
        "safe_times": "after 6pm", "time_zone": "Not/A_Zone"}}, NEW_YORK)
    assert loose.times.zone == NEW_YORK  # an unknown name: the hotline's clock, never a crash


def test_the_window_opens_on_its_minute_and_the_next_safe_time_is_that_minute() -> None:
    times = read("weekdays after 6pm", NEW_YORK)
    assert not times.allows(BEFORE_SIX) and times.allows(AT_SIX)
    assert times.next_safe(BEFORE_SIX) == AT_SIX
    friday_night = datetime(2026, 3, 21, 3, 59, tzinfo=UTC)  # Fri 23:59 EDT
    assert times.allows(friday_night)
    saturday = friday_night + timedelta(minutes=1)
    assert not times.allows(saturday)
    assert times.next_safe(saturday) == datetime(2026, 3, 23, 22, 0, tzinfo=UTC)  # Monday 18:00


def prefs(safe_times: str | None, *, voicemail: bool = False, text: bool = False,
          consent: bool = True) -> Preferences:
    return Preferences.of({"consent_to_contact": consent, "contact": {"phone": "+1 555 0100"},
                           "safe_contact": {"safe_times": safe_times, "voicemail_ok": voicemail,
                                            "text_ok": text}}, NEW_YORK)


def test_a_call_is_refused_a_minute_before_the_window_and_allowed_on_it() -> None:
    reporter = prefs("weekdays after 6pm")
    early = judge(reporter, Outcome.NO_ANSWER, BEFORE_SIX, "", CLOCK)
    assert early.refusal is not None
    assert "outside the reporter's safe times" in early.refusal and "weekdays after 6pm" in early.refusal
    assert "Mon Mar 16, 6:00 PM EDT" in early.refusal  # the next safe time on the hotline's clock
    assert judge(reporter, Outcome.NO_ANSWER, AT_SIX, "", CLOCK).refusal is None


def test_a_stated_reason_lets_a_call_outside_the_window_be_logged_and_marks_it() -> None:
    reporter = prefs("weekdays after 6pm")
    assert judge(reporter, Outcome.SPOKE, BEFORE_SIX, "too short", CLOCK).refusal is not None
    verdict = judge(reporter, Outcome.SPOKE, BEFORE_SIX, "imminent danger: she is being moved", CLOCK)
    assert verdict.refusal is None and verdict.outside


def test_voicemail_and_texts_are_refused_unless_said_safe_whatever_the_reason() -> None:
    reporter = prefs("anytime")
    voicemail = judge(reporter, Outcome.VOICEMAIL, AT_SIX, "imminent danger, must reach", CLOCK)
    assert voicemail.refusal is not None and "voicemail" in voicemail.refusal
    text = judge(reporter, Outcome.TEXT, AT_SIX, "imminent danger, must reach", CLOCK)
    assert text.refusal is not None and "text messages" in text.refusal
    allowed = prefs("anytime", voicemail=True, text=True)
    assert judge(allowed, Outcome.VOICEMAIL, AT_SIX, "", CLOCK).refusal is None
    assert judge(allowed, Outcome.TEXT, AT_SIX, "", CLOCK).refusal is None


def test_never_call_refuses_calls_but_not_safe_texts_and_unread_words_are_not_enforced() -> None:
    never = prefs("never call", text=True)
    assert judge(never, Outcome.NO_ANSWER, AT_SIX, "", CLOCK).refusal is not None
    assert judge(never, Outcome.TEXT, AT_SIX, "", CLOCK).refusal is None
    loose = prefs("when my husband is at work")
    assert judge(loose, Outcome.SPOKE, BEFORE_SIX, "", CLOCK).refusal is None
    assert judge(prefs(None), Outcome.SPOKE, BEFORE_SIX, "", CLOCK).refusal is None


def test_no_consent_to_contact_refuses_every_outcome() -> None:
    verdict = judge(prefs("anytime", consent=False), Outcome.SPOKE, AT_SIX, "", CLOCK)
    assert verdict.refusal is not None and "did not ask or agree" in verdict.refusal
