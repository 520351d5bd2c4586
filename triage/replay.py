"""Replaying past signals through the current triage: what would change against what was decided, and
how the earlier and the current assessments each agree with a person's labels where there are some
(``hotline-review export-labels``).

Pure comparison; ``cli`` does the reading (a JSON-lines file or the topics).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

FIELDS: Final = ("minor", "imminent_danger", "urgency", "call_type", "trafficking_type")
LABELLED: Final = ("minor", "imminent_danger", "call_type", "trafficking_type")


@dataclass
class ReplayReport:
    rules_version: str
    signals: int = 0
    compared: int = 0
    changed: list[dict[str, Any]] = field(default_factory=list)
    transitions: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    labelled: int = 0
    # field -> [agreed with the person then, agreed now]
    agreement: dict[str, list[int]] = field(default_factory=lambda: {f: [0, 0] for f in LABELLED})

    def add(self, signal_ref: str, decided: Mapping[str, Any] | None, now: Mapping[str, Any],
            labels: Mapping[str, Any] | None = None) -> None:
        self.signals += 1
        if labels:
            self.labelled += 1
            for name in LABELLED:
                if name in labels:
                    self.agreement[name][0] += bool(decided and decided.get(name) == labels[name])
                    self.agreement[name][1] += now.get(name) == labels[name]
        if decided is None:
            return
        self.compared += 1
        diff = {}
        for name in FIELDS:
            if name in decided and decided[name] != now[name]:
                diff[name] = {"decided": decided[name], "now": now[name]}
                self.transitions[(name, str(decided[name]), str(now[name]))] += 1
        if diff:
            self.changed.append({"signal": signal_ref, "decided_by": decided.get("rules_version"),
                                 "changes": diff})

    def as_dict(self) -> dict[str, Any]:
        return {"rules_version": self.rules_version, "signals": self.signals, "compared": self.compared,
                "changed": len(self.changed), "labelled": self.labelled,
                "agreement_with_labels": {f: {"then": a, "now": b} for f, (a, b) in self.agreement.items()},
                "transitions": [{"field": f, "from": a, "to": b, "count": n}
                                for (f, a, b), n in sorted(self.transitions.items())],
                "changes": self.changed}

    def render(self) -> str:
        lines = [f"replayed {self.signals} signals under rules {self.rules_version}; "
                 f"{self.compared} had a decision to compare, {len(self.changed)} would change"]
        lines += [f"  {f:<17} {a} -> {b}: {n}" for (f, a, b), n in sorted(self.transitions.items())]
        if self.labelled:
            lines.append(f"agreement with a person's labels on {self.labelled} signals (then -> now):")
            lines += [f"  {f:<17} {a} -> {b}" for f, (a, b) in self.agreement.items()]
        for change in self.changed:
            parts = ", ".join(f"{k} {v['decided']} -> {v['now']}" for k, v in change["changes"].items())
            lines.append(f"  {change['signal']}: {parts}")
        return "\n".join(lines)


# signal, decided (if any), assessed now, and optionally a person's labels
Row = tuple[str, Mapping[str, Any] | None, Mapping[str, Any]] | tuple[
    str, Mapping[str, Any] | None, Mapping[str, Any], Mapping[str, Any] | None]


def replay(rules_version: str, rows: Iterable[Row]) -> ReplayReport:
    report = ReplayReport(rules_version=rules_version)
    for row in rows:
        report.add(*row)
    return report
