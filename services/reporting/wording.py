"""Words for the reporting pages: call outcomes, and what a call is for (needs as the contracts say). Pure."""

from __future__ import annotations

from typing import Any, Final

from contracts.events import need_words

CALL_OUTCOMES: Final = {
    "reached": "Reached them (the written report follows)",
    "no_answer": "No answer",
    "voicemail_left": "Left a voicemail",
    "callback_promised": "They promised to call back",
}


def purpose(task: dict[str, Any]) -> str:
    """What a call is for: the need, or the mandatory report it delivers."""
    if task.get("obligation"):
        return "mandatory report (" + str(task["obligation"]).replace("-", " ").replace("_", " ") + ")"
    return need_words(str(task.get("need", "")))
