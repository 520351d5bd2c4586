"""What texts say and what they may say: carrier keywords, the hotline's names, the fixed replies. Pure.

A phone can be read by the person a texter is afraid of. So the intake answers nobody on its own
except as carriers require (STOP, HELP, and START after a STOP), or a texter who opted in; and
nothing it sends names the hotline unless the texter named it first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

Keyword = Literal["stop", "help", "start"]

# The whole message, any case, give or take spaces and a full stop: the carriers' and Twilio's
# standard keywords (CTIA's opt-out list includes OPTOUT and REVOKE).
KEYWORDS: Final[dict[str, Keyword]] = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"), "stop"),
    **dict.fromkeys(("HELP", "INFO"), "help"),
    **dict.fromkeys(("START", "YES", "UNSTOP"), "start"),
}
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class CarrierReplies:
    """The only automatic texts. None of them names the hotline or says what it is about."""

    stop: str = "You will get no more messages from this number. Reply START to get them again."
    help: str = ("This number reads every message. Reply STOP to stop messages, START to allow replies. "
                 "In immediate danger, call 911.")
    start: str = "You can get replies at this number now. Reply STOP at any time to stop them."
    acknowledge: str = "Received. Your reference number is {reference}. Reply STOP to stop messages."

    def for_keyword(self, keyword: Keyword) -> str:
        return {"stop": self.stop, "help": self.help, "start": self.start}[keyword]


def keyword_of(body: str) -> Keyword | None:
    """The carrier keyword the whole message is, if it is one."""
    word = unicodedata.normalize("NFKC", body).strip().rstrip(".!").strip().upper()
    return KEYWORDS.get(word)


def _words(text: str) -> str:
    return " " + _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip() + " "


def hotline_names_in(text: str, names: Iterable[str]) -> set[str]:
    """Which of the hotline's ``names`` ``text`` contains, as whole words in any case and spacing."""
    words = _words(text)
    return {name for name in names if _words(name).strip() and _words(name) in words}
