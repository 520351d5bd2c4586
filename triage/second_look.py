"""A second look at a flag: small boosted trees over what the first look and the rules found.

The first look is the linear model over the text (``triage.model``): it weighs words and the
extractors' findings one by one, each the same wherever it is. The second look reads its outputs
together: the two flags' log-odds, the call-type and trafficking-type distributions and the
extractors' findings (``x:`` features), so that it can combine them as a linear model cannot ("a
threat" the rules found means one thing in a report the first look reads as a tip, another in
a song lyric it reads as unrelated).

It is fitted by ``hotline-triage train`` on the dev split, which the first look never saw; its
threshold is chosen on out-of-fold probabilities (each dev case scored by trees fitted without
it), so that the recall it promises is measured on cases it did not learn from. It is stored in
the model's header as trees of plain numbers and walked here in Python: about a hundred trees of
a few leaves, some tens of microseconds a signal, and nothing but the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

# A tree is five parallel lists: per node, the input it tests (-1 for a leaf), the threshold (at
# or below it goes left), the left and right children, and the leaf's value.
Tree = tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...], tuple[int, ...], tuple[float, ...]]
LEAF: Final = -1
# The same tree for walking: a split is (input, threshold, left, right), a leaf its value.
Node = tuple[int, float, "Node", "Node"] | float


@dataclass(frozen=True)
class SecondLook:
    head: str
    inputs: tuple[str, ...]  # "p:<flag>", "d:<head>.<class>", then extractor features ("x:...")
    baseline: float
    trees: tuple[Tree, ...]
    # Out-of-fold figures on dev at the threshold (precision, recall, cases): what it promises.
    dev: dict[str, float]
    index: dict[str, int] = field(init=False, repr=False, compare=False)
    roots: tuple[Node, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {name: i for i, name in enumerate(self.inputs)})
        object.__setattr__(self, "roots", tuple(_nested(tree, 0) for tree in self.trees))

    @classmethod
    def from_header(cls, raw: dict[str, Any]) -> SecondLook:
        trees = tuple((tuple(t["feature"]), tuple(t["threshold"]), tuple(t["left"]), tuple(t["right"]),
                       tuple(t["value"])) for t in raw["trees"])
        return cls(head=raw["head"], inputs=tuple(raw["inputs"]), baseline=float(raw["baseline"]),
                   trees=trees, dev=dict(raw.get("dev", {})))

    def to_header(self) -> dict[str, Any]:
        return {"head": self.head, "inputs": list(self.inputs), "baseline": self.baseline,
                "dev": self.dev,
                "trees": [{"feature": list(f), "threshold": list(t), "left": list(a), "right": list(b),
                           "value": list(v)} for f, t, a, b, v in self.trees]}

    def values(self, first_look: dict[str, float], extracted: Iterable[str]) -> list[float]:
        """The trees' inputs: the first look's numbers by name, 1.0 for each extractor feature present."""
        index = self.index
        values = [0.0] * len(self.inputs)
        for name, value in first_look.items():
            at = index.get(name)
            if at is not None:
                values[at] = value
        for name in extracted:
            at = index.get(name)
            if at is not None:
                values[at] = 1.0
        return values

    def probability(self, values: Sequence[float]) -> float:
        # The trees as nested tuples: a step is one test and one index, not four lookups by node
        # number. The same comparisons and the same leaves, summed in the same order.
        total = self.baseline
        for node in self.roots:
            while isinstance(node, tuple):
                node = node[2] if values[node[0]] <= node[1] else node[3]
            total += node
        return 1.0 / (1.0 + math.exp(-total))


def _nested(tree: Tree, node: int) -> Node:
    feature, threshold, left, right, value = tree
    if feature[node] == LEAF:
        return value[node]
    return (feature[node], threshold[node], _nested(tree, left[node]), _nested(tree, right[node]))
