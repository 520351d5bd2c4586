"""The ledger of first scores: each labelled batch is scored once, blind, before anything is tuned on it.

A batch is written by someone who has not read the rules, the model's features or the training
cases (``triage/corpus/README.md``). ``add`` scores it with the triage of the moment and appends
the figures to ``triage/corpus/ledger.jsonl``; it refuses a batch it has already scored, so the
first score is the only one recorded. After that the batch may become training or dev data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, Final

from triage.evaluation import Report

LEDGER: Final = Path(__file__).resolve().parent / "corpus" / "ledger.jsonl"
COLUMNS: Final = (("minor_p", "minor P"), ("minor_r", "minor R"), ("danger_p", "danger P"),
                  ("danger_r", "danger R"), ("call_type_acc", "call type"),
                  ("trafficking_type_acc", "trafficking type"))


class AlreadyScored(ValueError):
    """The batch has its first score; a second would not be blind."""


def entries(path: Path = LEDGER) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def figures(report: Report) -> dict[str, float]:
    minor, danger = report.flags["minor"], report.flags["imminent_danger"]
    return {"minor_p": minor.precision, "minor_r": minor.recall, "danger_p": danger.precision,
            "danger_r": danger.recall, "call_type_acc": report.classes["call_type"].accuracy,
            "trafficking_type_acc": report.classes["trafficking_type"].accuracy}


def add(batch: str, report: Report, scored_with: str, *, today: date, note: str = "",
        path: Path = LEDGER) -> dict[str, Any]:
    if any(entry["batch"] == batch for entry in entries(path)):
        raise AlreadyScored(f"batch {batch} was scored before: its first score stands")
    entry: dict[str, Any] = {"date": today.isoformat(), "batch": batch, "cases": report.cases,
                             "scored_with": scored_with,
                             **{k: round(v, 3) for k, v in figures(report).items()}}
    if note:
        entry["note"] = note
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def render(rows: Iterable[dict[str, Any]]) -> str:
    head = f"{'date':<11}{'batch':<26}{'cases':>6}  {'scored with':<24}" + "".join(
        f"{label:>17}" for _, label in COLUMNS)
    lines = [head]
    for row in rows:
        lines.append(f"{row['date']:<11}{row['batch']:<26}{row['cases']:>6}  {row['scored_with']:<24}"
                     + "".join(f"{row[key]:>17.3f}" for key, _ in COLUMNS))
    return "\n".join(lines)
