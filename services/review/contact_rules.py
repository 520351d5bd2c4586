"""What a reporter asked of anyone who contacts them, and whether a logged attempt respects it. Pure.

The web form asks for safe times, whether voicemail and texts are safe, and free instructions
(``SafeContact`` on ``SignalReceived``). Logging an attempt that breaks them is refused with the
reason in staff's words: a voicemail where voicemail is unsafe, a text where texts are unsafe (no
override: the reporter said it could expose them), a call or text outside their safe times unless
a stated reason overrides (imminent danger). What the reporter did not say is not invented: no
safe times, or words too loose to read, are shown as written and not enforced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.review.safe_times import Kind, SafeTimes, read
from services.runtime.local_time import LocalClock

__all__ = ["MIN_OVERRIDE_CHARS", "OUTCOME_WORDS", "Outcome", "Preferences", "Verdict", "judge"]

MIN_OVERRIDE_CHARS: Final = 10


class Outcome(StrEnum):
    SPOKE = "spoke_with_them"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "left_voicemail"
    TEXT = "sent_text"
    WRONG_PERSON = "wrong_person_answered"


OUTCOME_WORDS: Final = {
    Outcome.SPOKE: "Spoke with them",
    Outcome.NO_ANSWER: "No answer (no voicemail left)",
    Outcome.VOICEMAIL: "Left a voicemail",
    Outcome.TEXT: "Sent a text",
    Outcome.WRONG_PERSON: "Someone else answered",
}
CALLS: Final = frozenset({Outcome.SPOKE, Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.WRONG_PERSON})


@dataclass(frozen=True)
class Preferences:
    """One reporter's declared safe-contact preferences (defaults: nothing is safe unless said)."""

    consent: bool
    voicemail_ok: bool
    text_ok: bool
    times: SafeTimes
    instructions: str | None

    @classmethod
    def of(cls, reporter: dict[str, Any] | None, hotline_zone: ZoneInfo) -> Preferences:
        reporter = reporter or {}
        safe = reporter.get("safe_contact") or {}
        return cls(consent=reporter.get("consent_to_contact") is True,
                   voicemail_ok=safe.get("voicemail_ok") is True, text_ok=safe.get("text_ok") is True,
                   times=read(safe.get("safe_times"), hotline_zone, _zone(safe.get("time_zone"))),
                   instructions=safe.get("instructions"))


@dataclass(frozen=True)
class Verdict:
    """``refusal`` is None when the attempt may be logged; ``outside`` says it was outside the
    reporter's safe times (then only with an override reason)."""

    refusal: str | None
    outside: bool = False


def judge(prefs: Preferences, outcome: Outcome, at: datetime, override_reason: str,
          clock: LocalClock) -> Verdict:
    """Whether logging ``outcome`` at ``at`` keeps to what the reporter asked."""
    if not prefs.consent:
        return Verdict("Not logged: the reporter did not ask or agree to be contacted.")
    if outcome is Outcome.VOICEMAIL and not prefs.voicemail_ok:
        return Verdict("Not logged: the reporter did not say voicemail is safe for them, so no voicemail "
                       "may be left. Log the call as \u201cno answer\u201d only if none was left.")
    if outcome is Outcome.TEXT and not prefs.text_ok:
        return Verdict("Not logged: the reporter did not say text messages are safe for them, so no "
                       "text may be sent.")
    times = prefs.times
    if times.kind is Kind.NEVER and outcome is Outcome.TEXT:
        return Verdict(None)  # "never call" speaks of calls; texts follow text_ok
    if times.allows(at):
        return Verdict(None)
    reason = override_reason.strip()
    if len(reason) >= MIN_OVERRIDE_CHARS:
        return Verdict(None, outside=True)
    what = "a call" if outcome in CALLS else "a text"
    if times.kind is Kind.NEVER:
        return Verdict(f"Not logged: the reporter asked never to be called (\u201c{times.words}\u201d). "
                       f"To log {what} anyway, give the reason (at least {MIN_OVERRIDE_CHARS} characters), "
                       "for example imminent danger.")
    upcoming = times.next_safe(at)
    return Verdict(f"Not logged: it is {clock.when(at)}, outside the reporter's safe times "
                   f"(\u201c{times.words}\u201d, read as {times.reading()}). The next safe time is "
                   f"{clock.when(upcoming)}. To log {what} outside them, give the reason (at least "
                   f"{MIN_OVERRIDE_CHARS} characters), for example imminent danger.")


def _zone(name: Any) -> ZoneInfo | None:
    """The reporter's zone, if it is one this machine knows (else the hotline's is used)."""
    if not isinstance(name, str):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
