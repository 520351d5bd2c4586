"""The recorded outputs of triage on every corpus case: a change meant to keep them must match it.

    python -m triage.outputs check        # every recorded case still gives the same outputs
    python -m triage.outputs write        # record the outputs of the code as it is now
    python -m triage.outputs show CASE_ID # one case's outputs, as recorded digests are made from

For each case of ``triage/corpus`` (train, dev and blind) the record keeps one digest of everything
triage makes of it: the whole ``SignalTriaged`` (flags, evidence spans, priority, call type,
trafficking type, language, jurisdiction, routes, human triage, reporting conditions), the urgent
alert and break-glass report it fans out, and the entities correlation would key. A speed-up or
a refactor must leave every digest as it was; a rule change or a retrained model changes them on
purpose, and the record is then written again in the same commit (``write``) so that the diff
shows which cases moved. Cases added to the corpus after the record was written are reported by
``check`` as unrecorded, not as failures.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from triage.entities import extract as entities
from triage.fanout import break_glass_report, urgent_alert
from triage.offline import signal_from_line
from triage.rules import assess
from triage.training import CORPUS, load_corpus

RECORD: Final = CORPUS / "outputs.jsonl"
SPLITS: Final = ("train", "dev", "blind")
# The clock of every recorded assessment (and the receipt time of cases that carry none).
NOW: Final = datetime(2026, 3, 16, 14, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Difference:
    case_id: str
    recorded: str | None  # None: the case is not in the record
    now: str | None  # None: the case is no longer in the corpus


def outputs(line: dict[str, Any]) -> dict[str, Any]:
    """Everything triage makes of one corpus line, as JSON."""
    triaged = assess(signal_from_line(line, now=NOW), now=NOW)
    alert, report = urgent_alert(triaged), break_glass_report(triaged)
    signal = signal_from_line(line, now=NOW)
    return {
        "triaged": triaged.model_dump(mode="json"),
        "urgent_alert": None if alert is None else alert.model_dump(mode="json"),
        "break_glass": None if report is None else report.model_dump(mode="json"),
        "entities": [[e.kind.value, e.value] for e in entities(signal)],
    }


def digest(line: dict[str, Any]) -> str:
    canonical = json.dumps(outputs(line), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def current(root: Path = CORPUS) -> Iterator[tuple[str, str]]:
    """(case id, digest) for every case of the corpus, in corpus order."""
    for case in load_corpus(root, SPLITS):
        yield case.id, digest(case.line)


def recorded(path: Path = RECORD) -> dict[str, str]:
    rows = (json.loads(raw) for raw in path.read_text(encoding="utf-8").splitlines() if raw.strip())
    return {row["id"]: row["sha256"] for row in rows}


def write(path: Path = RECORD, root: Path = CORPUS) -> int:
    rows = [json.dumps({"id": case_id, "sha256": value}) for case_id, value in current(root)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return len(rows)


def check(path: Path = RECORD, root: Path = CORPUS) -> tuple[int, list[Difference]]:
    """(cases compared, differences): changed and dropped cases, and cases not yet recorded."""
    record = recorded(path)
    differences, compared, seen = [], 0, set()
    for case_id, value in current(root):
        seen.add(case_id)
        before = record.get(case_id)
        if before is None:
            differences.append(Difference(case_id, None, value))
            continue
        compared += 1
        if before != value:
            differences.append(Difference(case_id, before, value))
    differences += [Difference(case_id, value, None)
                    for case_id, value in record.items() if case_id not in seen]
    return compared, differences


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["write"]:
        print(f"recorded the outputs of {write()} cases in {RECORD}")
        return 0
    if len(args) == 2 and args[0] == "show":
        case = next((c for c in load_corpus(CORPUS, SPLITS) if c.id == args[1]), None)
        if case is None:
            print(f"no case {args[1]} in the corpus", file=sys.stderr)
            return 2
        print(json.dumps(outputs(case.line), indent=2, sort_keys=True, ensure_ascii=False))
        return 0
    if args != ["check"]:
        print(__doc__, file=sys.stderr)
        return 2
    compared, differences = check()
    changed = [d for d in differences if d.recorded is not None and d.now is not None]
    for d in differences:
        what = "unrecorded" if d.recorded is None else "gone" if d.now is None else "CHANGED"
        print(f"{what:<10} {d.case_id}")
    print(f"{compared} cases compared, {len(changed)} changed")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
