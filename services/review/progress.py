"""What reporting did with each report of a case, in words for the case page. Pure.

``reports.outcomes`` arrives as one record per event of a step (delivered, acknowledged, a call's
outcome...). A supervisor reads it per report: its need, each chain of contacts (one per group of
victims in the same situation, and one per mandatory report) and, per contact tried, what happened
so far. A phone step's "delivered" only means a call task was opened for a specialist; it says so
until the specialist logs what the call gave.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol

# need_words is the pages' import from here; the words themselves are the contracts'.
from contracts.events import need_words as need_words

_EVENTS: Final = {
    "acknowledged": "acknowledged by the contact",
    "reached": "reached by phone (the written report follows)",
    "no_answer": "called: no answer",
    "voicemail_left": "called: voicemail left",
    "callback_promised": "called: callback promised",
    "skipped_unavailable": "skipped: outside the contact's hours",
    "timed_out": "not acknowledged in time: moved on",
    "failed": "could not be delivered",
    "exhausted": "every contact tried, nobody acknowledged",
    "completed": "done: somebody has it",
}
_DELIVERED: Final = {"phone": "call task opened (waiting for a specialist's call)", "email": "emailed",
                     "webhook": "sent to the contact's system"}
_CHANNELS: Final = {"phone": "phone", "email": "email", "webhook": "their system (webhook)"}


class OutcomeRecord(Protocol):
    report_id: uuid.UUID
    need: str
    victim: int | None
    step: int | None
    contact_id: str | None
    channel: str | None
    obligation: str | None
    kind: str
    reason: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class Happening:
    words: str
    at: datetime


@dataclass
class StepProgress:
    number: int  # 1-based: the first contact tried is 1
    contact_id: str
    channel: str
    events: list[Happening] = field(default_factory=list)

    @property
    def now(self) -> str:
        return self.events[-1].words if self.events else ""


@dataclass
class ChainProgress:
    title: str
    steps: list[StepProgress] = field(default_factory=list)
    end: Happening | None = None  # completed or exhausted


@dataclass
class ReportProgress:
    report_id: uuid.UUID
    need: str
    chains: list[ChainProgress] = field(default_factory=list)


def event_words(kind: str, channel: str | None, reason: str | None) -> str:
    words = _DELIVERED.get(channel or "", "delivered") if kind == "delivered" else _EVENTS.get(
        kind, kind.replace("_", " "))
    if reason and kind in ("failed", "timed_out"):  # the others' words already say why
        return f"{words} ({reason.replace('_', ' ')})"
    return words


def _chain_titles(records: list[OutcomeRecord]) -> dict[int | None, str]:
    obligations = {r.victim: r.obligation for r in records if r.obligation}
    chains = sorted({r.victim for r in records if r.victim not in obligations}, key=lambda v: v or 0)
    titles: dict[int | None, str] = {}
    for number, index in enumerate(chains, start=1):
        titles[index] = "Contacts" if len(chains) == 1 else f"Contacts for victim group {number}"
    for index, obligation in obligations.items():
        titles[index] = "Mandatory report: " + obligation.replace("-", " ").replace("_", " ")
    return titles


def report_progress(records: Iterable[OutcomeRecord]) -> list[ReportProgress]:
    """Per report (in the order they began), per chain, per step: what happened, in words."""
    reports: dict[uuid.UUID, list[OutcomeRecord]] = {}
    for record in sorted(records, key=lambda r: r.occurred_at):
        reports.setdefault(record.report_id, []).append(record)
    shown = []
    for report_id, rows in reports.items():
        titles = _chain_titles(rows)
        chains: dict[int | None, ChainProgress] = {}
        for index in sorted(titles, key=lambda v: (titles[v].startswith("Mandatory"), v or 0)):
            chains[index] = ChainProgress(titles[index])
        for row in rows:
            chain = chains[row.victim]
            happening = Happening(event_words(row.kind, row.channel, row.reason), row.occurred_at)
            if row.step is None:
                chain.end = happening
                continue
            step = next((s for s in chain.steps if s.number == row.step + 1), None)
            if step is None:
                step = StepProgress(row.step + 1, row.contact_id or "", _CHANNELS.get(row.channel or "", ""))
                chain.steps.append(step)
                chain.steps.sort(key=lambda s: s.number)
            if row.channel and step.channel != _CHANNELS.get(row.channel, row.channel):
                step.channel = _CHANNELS.get(row.channel, row.channel)  # the contact's next channel
            step.events.append(happening)
        shown.append(ReportProgress(report_id, need_words(rows[0].need), list(chains.values())))
    return shown
