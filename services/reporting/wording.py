"""Words for the reporting pages: needs, call outcomes and whom a chain is for, as staff say them. Pure."""

from __future__ import annotations

from typing import Any, Final

from contracts.events import ReportNeed

NEEDS: Final[dict[str, str]] = {
    ReportNeed.TIP_REPORTING: "tip report to law enforcement",
    ReportNeed.VICTIM_EXTRACTION: "law-enforcement intervention (victim extraction)",
    ReportNeed.SHELTER_EMERGENCY: "emergency shelter",
    ReportNeed.SHELTER_TRANSITIONAL: "transitional shelter",
    ReportNeed.CASE_MANAGEMENT: "case management",
    ReportNeed.LEGAL_SERVICES: "legal services",
    ReportNeed.MENTAL_HEALTH: "mental health services",
    ReportNeed.IMMIGRATION_SERVICES: "immigration services",
}
CALL_OUTCOMES: Final = {
    "reached": "Reached them (the written report follows)",
    "no_answer": "No answer",
    "voicemail_left": "Left a voicemail",
    "callback_promised": "They promised to call back",
}


def need_words(need: str) -> str:
    """A matrix need in words; one newer than this table without its underscores."""
    return NEEDS.get(need) or need.replace("_", " ")  # a StrEnum member is looked up by its value


def purpose(task: dict[str, Any]) -> str:
    """What a call is for: the need, or the mandatory report it delivers."""
    if task.get("obligation"):
        return "mandatory report (" + str(task["obligation"]).replace("-", " ").replace("_", " ") + ")"
    return need_words(str(task.get("need", "")))
