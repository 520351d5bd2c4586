"""Scoring assessments against labels: precision, recall, F1 and confusion per flag, accuracy per class."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

FLAGS: Final = ("minor", "imminent_danger")
CLASSES: Final = ("call_type", "trafficking_type")


@dataclass
class FlagScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, predicted: bool, expected: bool) -> None:
        if predicted and expected:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif expected:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class ClassScore:
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (expected, predicted)

    def add(self, predicted: str, expected: str) -> None:
        self.confusion[(expected, predicted)] += 1

    @property
    def accuracy(self) -> float:
        total = sum(self.confusion.values())
        right = sum(n for (e, p), n in self.confusion.items() if e == p)
        return right / total if total else 1.0

    def per_class(self) -> dict[str, tuple[int, int]]:
        """Expected class -> (right, total): the accuracy within each class."""
        out: dict[str, tuple[int, int]] = {}
        for (expected, predicted), n in self.confusion.items():
            right, total = out.get(expected, (0, 0))
            out[expected] = (right + (n if expected == predicted else 0), total + n)
        return dict(sorted(out.items()))


@dataclass
class Report:
    cases: int = 0
    flags: dict[str, FlagScore] = field(default_factory=lambda: {f: FlagScore() for f in FLAGS})
    classes: dict[str, ClassScore] = field(default_factory=lambda: {c: ClassScore() for c in CLASSES})
    misses: list[dict[str, Any]] = field(default_factory=list)

    def add(self, case_id: object, predicted: Mapping[str, Any], labels: Mapping[str, Any]) -> None:
        self.cases += 1
        wrong = {}
        for name in FLAGS:
            self.flags[name].add(bool(predicted[name]), bool(labels[name]))
            if bool(predicted[name]) != bool(labels[name]):
                wrong[name] = predicted[name]
        for name in CLASSES:
            self.classes[name].add(str(predicted[name]), str(labels[name]))
            if predicted[name] != labels[name]:
                wrong[name] = predicted[name]
        if wrong:
            self.misses.append({"id": case_id, "predicted": wrong,
                                "expected": {k: labels[k] for k in wrong}})

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "flags": {name: {"precision": s.precision, "recall": s.recall, "f1": s.f1,
                             "tp": s.tp, "fp": s.fp, "fn": s.fn, "tn": s.tn}
                      for name, s in self.flags.items()},
            "classes": {name: {"accuracy": c.accuracy, "per_class": {
                k: {"right": r, "total": t} for k, (r, t) in c.per_class().items()}}
                        for name, c in self.classes.items()},
            "misses": self.misses,
        }

    def render(self) -> str:
        lines = [f"{self.cases} labelled cases"]
        for name, s in self.flags.items():
            lines += [
                f"{name:<16} precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}",
                f"{'':<16} confusion: TP {s.tp}  FP {s.fp}  FN {s.fn}  TN {s.tn}",
            ]
        for name, c in self.classes.items():
            lines.append(f"{name:<16} accuracy {c.accuracy:.3f}")
            for cls, (right, total) in c.per_class().items():
                lines.append(f"{'':<16} {cls:<14} {right:>3}/{total:<3} {right / total:.2f}")
        return "\n".join(lines)


def evaluate(pairs: Iterable[tuple[object, Mapping[str, Any], Mapping[str, Any]]]) -> Report:
    report = Report()
    for case_id, predicted, labels in pairs:
        report.add(case_id, predicted, labels)
    return report
