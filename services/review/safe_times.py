"""A reporter's "safe times to contact me", read tolerantly from their own words. Pure.

The web form takes the safe times as free text ("weekdays 9-5", "after 6pm", "mornings",
"anytime", "never call"). This module reads what it can into days and hours of the day, in the
zone the words name ("after 6pm Pacific"), else the zone the reporter chose on the form, else
the hotline's. Whatever it cannot read in full
is ``UNREAD``: shown to staff as written and not enforced, because enforcing half a sentence
("weekdays 9-5 when he is at work") would drop the half that keeps the reporter safe.

A bare hour with no am/pm is read as people write office hours: 7 to 11 in the morning, 12 noon,
1 to 6 in the afternoon or evening ("9-5", "after 6"); staff see the reading next to the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

__all__ = ["Kind", "Rule", "SafeTimes", "read"]

DAY: Final = 24 * 60
EVERY_DAY: Final = frozenset(range(7))
WEEKDAYS: Final = frozenset(range(5))
WEEKEND: Final = frozenset({5, 6})
_DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Kind(StrEnum):
    NOT_GIVEN = "not_given"  # the reporter left the field empty
    ANYTIME = "anytime"
    NEVER = "never"  # "never call": no calls at all
    WINDOW = "window"  # days and hours, enforced
    UNREAD = "unread"  # words this module cannot read in full: shown, not enforced


@dataclass(frozen=True)
class Rule:
    """Safe on ``days`` (0 is Monday) from ``start`` to ``end`` minutes after midnight (``end`` may
    be ``DAY``; a span past midnight is two rules)."""

    days: frozenset[int]
    start: int
    end: int

    def describe(self) -> str:
        return f"{_days_words(self.days)} {_hhmm(self.start)}-{_hhmm(self.end)}"


@dataclass(frozen=True)
class SafeTimes:
    kind: Kind
    words: str | None
    zone: ZoneInfo
    zone_source: str = "hotline"  # words ("after 6pm Pacific") | reporter (the form's field) | hotline
    rules: tuple[Rule, ...] = ()

    @property
    def enforced(self) -> bool:
        return self.kind in (Kind.WINDOW, Kind.NEVER)

    def allows(self, at: datetime) -> bool:
        """Whether a call or text at ``at`` (aware) is inside the reporter's safe times."""
        if self.kind is Kind.NEVER:
            return False
        if self.kind is not Kind.WINDOW:
            return True
        local = at.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(local.weekday() in r.days and r.start <= minute < r.end for r in self.rules)

    def next_safe(self, at: datetime) -> datetime | None:
        """``at`` if it is safe now, else the next moment it is (minute precision); None if never."""
        if self.allows(at):
            return at
        if self.kind is not Kind.WINDOW:
            return None
        local = at.astimezone(self.zone)
        best: datetime | None = None
        for offset in range(8):
            date = (local + timedelta(days=offset)).date()
            for rule in self.rules:
                if date.weekday() not in rule.days or rule.start >= DAY:
                    continue
                start = datetime.combine(date, time(rule.start // 60, rule.start % 60), self.zone)
                if start > at and (best is None or start < best):
                    best = start
            if best is not None:
                return best
        return best

    def reading(self) -> str:
        """How the words were read, for the page next to the words themselves."""
        if self.kind is Kind.WINDOW:
            zone = f"{self.zone.key}" + {"words": ", named in the words", "reporter": ", the reporter's zone",
                                         "hotline": ", the hotline's zone"}[self.zone_source]
            return "; ".join(r.describe() for r in self.rules) + f" ({zone})"
        return {Kind.NOT_GIVEN: "no safe times given", Kind.ANYTIME: "any time",
                Kind.NEVER: "never by phone", Kind.UNREAD: "not read: follow the reporter's words"}[self.kind]


# ------------------------------------------------------------------ reading

_ZONES: Final = {
    "America/New_York": r"e[sd]t|eastern|et",
    "America/Chicago": r"c[sd]t|central|ct",
    "America/Denver": r"m[sd]t|mountain|mt",
    "America/Los_Angeles": r"p[sd]t|pacific|pt",
    "America/Anchorage": r"ak[sd]t|alaska",
    "Pacific/Honolulu": r"hst|hawaii",
    "America/Puerto_Rico": r"ast|atlantic|puerto rico",
    "UTC": r"utc|gmt",
}
_NEVER: Final = re.compile(r"\b(never|do not call|don'?t call|no calls?|nunca|no llamar)\b")
_ANYTIME: Final = re.compile(
    r"(\bany ?time\b|\b24/7|\b24 hours\b|\bwhenever\b|\ball day\b|\bcualquier hora\b|\bcuando sea\b)")
_DAY_WORDS: Final = {
    0: r"mon(day)?s?|lunes", 1: r"tue(s|sday)?s?|martes", 2: r"wed(nesday)?s?|mi[eé]rcoles",
    3: r"thu(r|rs|rsday)?s?|jueves", 4: r"fri(day)?s?|viernes", 5: r"sat(urday)?s?|s[aá]bados?",
    6: r"sun(day)?s?|domingos?",
}
_ANY_DAY: Final = "|".join(f"(?:{p})" for p in _DAY_WORDS.values())
_DAY_RANGE: Final = re.compile(rf"\b(?P<first>{_ANY_DAY})\s*(?:-|to|through|thru|a)\s*(?P<last>{_ANY_DAY})\b")
_LATE: Final = re.compile(r"\b(evenings?|nights?|noches?|tardes?)\b")
_GROUPS: Final = (
    (re.compile(r"\b(week ?days?|weekdays|entre semana|d[ií]as de semana|m-f)\b"), WEEKDAYS),
    (re.compile(r"\b(week ?ends?|fines? de semana)\b"), WEEKEND),
    (re.compile(r"\b(every ?day|daily|todos los d[ií]as)\b"), EVERY_DAY),
)
_PERIODS: Final = (
    (re.compile(r"\b(business|office|work(ing)?) hours\b"), (9 * 60, 17 * 60)),
    (re.compile(r"\b(mornings?|(por )?las? mañanas?)\b"), (8 * 60, 12 * 60)),
    (re.compile(r"\b(lunch ?(time|hour|break)?|mid ?day|noon ?time)\b"), (12 * 60, 13 * 60)),
    (re.compile(r"\b(afternoons?|(por )?las? tardes?)\b"), (12 * 60, 17 * 60)),
    (re.compile(r"\b(evenings?)\b"), (17 * 60, 21 * 60)),
    (re.compile(r"\b(nights?|at night|(por )?las? noches?)\b"), (20 * 60, 23 * 60)),
)
_CLOCK: Final = r"(noon|midnight|mediod[ií]a|\d{1,2}(?:[:.h]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)?)"
_RANGE: Final = re.compile(
    rf"\b(?:from |between |entre |de )?{_CLOCK}\s*(?:-|to|till|until|and|a|y)\s*{_CLOCK}")
_AFTER: Final = re.compile(
    rf"\b(?:after|from|past|since|despu[eé]s de( las)?|desde( las)?)\s+(?P<t>{_CLOCK})")
_BEFORE: Final = re.compile(
    rf"\b(?:before|until|till|up to|antes de( las)?|hasta( las)?)\s+(?P<t>{_CLOCK})")
# Words that say nothing about when: what is left after reading must be only these.
_FILLER: Final = frozenset({
    "only", "call", "me", "please", "the", "in", "on", "at", "any", "time", "from", "between", "is",
    "are", "best", "ok", "okay", "fine", "safe", "to", "and", "or", "good", "calls", "texts", "text",
    "you", "can", "may", "it", "its", "it's", "after", "before", "hours", "hour", "a", "an",
    "if", "but", "of", "solo", "llamar", "llamame", "llámame", "por", "favor", "en", "la", "las",
    "los", "el", "de", "y", "o", "es", "son", "mejor", "horas", "hora",
})
_CLAUSES: Final = re.compile(r"[;,\n]|\bor\b|\bo\b|\balso\b|\bplus\b|\band\b(?!\s*(?:\d|noon|midnight))")


def read(words: str | None, hotline_zone: ZoneInfo, reporter_zone: ZoneInfo | None = None) -> SafeTimes:
    """The reporter's safe times as rules, or what kind of answer they are when not a window. The
    zone is the one the words name, else the reporter's (``reporter_zone``), else the hotline's."""
    fallback = (reporter_zone, "reporter") if reporter_zone is not None else (hotline_zone, "hotline")
    if words is None or not words.strip():
        return SafeTimes(Kind.NOT_GIVEN, None, *fallback)
    text = " " + words.lower().replace("\u2013", "-").replace("\u2014", "-") + " "
    zone, named = _zone(text, fallback)
    text = _strip_zone(text)
    if _NEVER.search(text) and not _has_times(text):
        return SafeTimes(Kind.NEVER, words, zone, named)
    parts: list[tuple[frozenset[int], list[tuple[int, int]]]] = []
    for clause in _split(text):
        found = _clause(clause)
        if found is None:
            return SafeTimes(Kind.UNREAD, words, zone, named)
        parts.append(found)
    rules = _rules(parts)
    if rules is None:
        return SafeTimes(Kind.UNREAD, words, zone, named)
    if all(r.days == EVERY_DAY and (r.start, r.end) == (0, DAY) for r in rules):
        return SafeTimes(Kind.ANYTIME, words, zone, named)
    return SafeTimes(Kind.WINDOW, words, zone, named, tuple(rules))


def _zone(text: str, fallback: tuple[ZoneInfo, str]) -> tuple[ZoneInfo, str]:
    for name, pattern in _ZONES.items():
        if re.search(rf"\b({pattern})\b(?!-)", text):
            return ZoneInfo(name), "words"
    return fallback


def _strip_zone(text: str) -> str:
    for pattern in _ZONES.values():
        text = re.sub(rf"\b({pattern})\b(\s+time)?", " ", text)
    return text


def _has_times(text: str) -> bool:
    return (bool(re.search(r"\d", text)) or any(p.search(text) for p, _ in _PERIODS)
            or any(p.search(text) for p, _ in _GROUPS)
            or any(re.search(rf"\b({p})\b", text) for p in _DAY_WORDS.values()))


def _split(text: str) -> list[str]:
    return [part for part in _CLAUSES.split(text) if part and part.strip()]


def _clause(clause: str) -> tuple[frozenset[int], list[tuple[int, int]]] | None:
    """One clause's days and hours (several hours in one clause narrow each other: "evenings
    after 7" is 19:00-21:00); None if words are left that this module does not understand."""
    text = f" {clause} "
    days: set[int] = set()
    match = _DAY_RANGE.search(text)
    if match:
        first, last = _day_of(match["first"]), _day_of(match["last"])
        days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
        text = text.replace(match[0], " ")
    for group_re, group in _GROUPS:
        if group_re.search(text):
            days.update(group)
            text = group_re.sub(" ", text)
    for day, words in _DAY_WORDS.items():
        day_re = re.compile(rf"\b({words})\b")
        if day_re.search(text):
            days.add(day)
            text = day_re.sub(" ", text)
    spans: list[tuple[int, int]] = []
    late = bool(_LATE.search(text))  # "evenings after 7": seven in the evening
    ranged = _RANGE.search(text)
    if ranged:
        start, end = _minute(ranged[1], first=True, late=late), _minute(ranged[2], first=False, late=late)
        if start is None or end is None:
            return None
        if end <= start and not _has_meridiem(ranged[2]) and end + 12 * 60 > start:
            end += 12 * 60  # "9-5": five in the afternoon
        spans.append((start, end))
        text = text.replace(ranged[0], " ")
    for pattern, after in ((_AFTER, True), (_BEFORE, False)):
        found = pattern.search(text)
        if found:
            moment = _minute(found["t"], first=True, late=late)
            if moment is None:
                return None
            spans.append((moment, DAY) if after else (0, moment))
            text = text.replace(found[0], " ")
    for pattern, span in _PERIODS:
        if pattern.search(text):
            spans.append(span)
            text = pattern.sub(" ", text)
    if _ANYTIME.search(text):
        spans.append((0, DAY))
        text = _ANYTIME.sub(" ", text)
    leftover = [w for w in re.findall(r"[^\W_]+", text) if w not in _FILLER]
    if leftover or not (days or spans):
        return None
    return frozenset(days), spans


def _rules(parts: list[tuple[frozenset[int], list[tuple[int, int]]]]) -> list[Rule] | None:
    """Clauses as rules. Days alone join the hours that follow ("weekdays, after 6pm"; "tues and
    thurs after 4"), and hours alone take the days of the clause before ("weekdays 9-12, 2-5"):
    each time the narrower reading. Days with no hours after them are whole days ("weekends")."""
    rules: list[Rule] = []
    days_before: frozenset[int] = frozenset()
    pending_days: frozenset[int] | None = None
    for days, spans in parts:
        if days and not spans:
            if pending_days is not None:
                rules += _as_rules(pending_days, [(0, DAY)])
            pending_days = days
            continue
        # "tues and thurs after 4": days left open join the next clause's (the narrower reading).
        chosen = (days | (pending_days or frozenset())) or days_before or EVERY_DAY
        pending_days = None
        span = _narrowest(spans)
        if span is None:
            return None
        rules += _as_rules(chosen, [span])
        days_before = chosen
    if pending_days is not None:
        rules += _as_rules(pending_days, [(0, DAY)])
    return rules or None


def _narrowest(spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The hours every span in a clause allows (a span past midnight stands alone)."""
    if len(spans) == 1:
        return spans[0]
    if any(end <= start for start, end in spans):
        return None
    start, end = max(s for s, _ in spans), min(e for _, e in spans)
    return (start, end) if end > start else None


def _as_rules(days: frozenset[int], spans: list[tuple[int, int]]) -> list[Rule]:
    rules: list[Rule] = []
    for start, end in spans:
        if end > start:
            rules.append(Rule(days, start, min(end, DAY)))
        else:  # past midnight: the evening part, and the early hours of the next day
            rules.append(Rule(days, start, DAY))
            rules.append(Rule(frozenset((d + 1) % 7 for d in days), 0, end))
    return rules


def _day_of(word: str) -> int:
    for day, pattern in _DAY_WORDS.items():
        if re.fullmatch(pattern, word):
            return day
    raise ValueError(word)  # pragma: no cover - the day range matched a day word


def _has_meridiem(raw: str) -> bool:
    return bool(re.search(r"[ap]\.?m", raw))


def _minute(raw: str, *, first: bool, late: bool = False) -> int | None:
    """Minutes after midnight of a written clock time, or None if it is not one. A bare hour
    from 1 to 6 opening a span is the afternoon ("after 6", "2-4"); a span's end is settled by
    the span ("9-5"); in an evening or night clause every bare hour is."""
    raw = raw.strip()
    if raw in ("noon", "mediodía", "mediodia"):
        return 12 * 60
    if raw == "midnight":
        return 0 if first else DAY
    found = re.fullmatch(r"(\d{1,2})(?:[:.h](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?", raw)
    if found is None:
        return None
    hour, minute = int(found[1]), int(found[2] or 0)
    meridiem = (found[3] or "").replace(".", "")
    if minute > 59 or hour > 24 or (meridiem and not 1 <= hour <= 12):
        return None
    if meridiem == "am":
        hour = 0 if hour == 12 else hour
    elif meridiem == "pm":
        hour = 12 if hour == 12 else hour + 12
    elif found[2] is None and ((1 <= hour <= 6 and first) or (late and 1 <= hour <= 11)):
        hour += 12
    return hour * 60 + minute


def _hhmm(minute: int) -> str:
    return "24:00" if minute >= DAY else f"{minute // 60:02d}:{minute % 60:02d}"


def _days_words(days: frozenset[int]) -> str:
    if days == EVERY_DAY:
        return "every day"
    if days == WEEKDAYS:
        return "Mon-Fri"
    if days == WEEKEND:
        return "Sat-Sun"
    return ",".join(_DAY_NAMES[d] for d in sorted(days))
