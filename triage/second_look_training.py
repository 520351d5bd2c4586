"""Fitting the second look (``triage.second_look``) for ``hotline-triage train``, on the dev split.

The trees are fitted on dev, which the first look never trains on; each dev case also gets the
probability of trees fitted without it (out of fold), which the flag's threshold is chosen on and the
dev figures the model reports are measured with. Imports scikit-learn only when called.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

import numpy as np
import numpy.typing as npt

from triage.second_look import LEAF, SecondLook, Tree

if TYPE_CHECKING:
    from triage.extract import Extraction
    from triage.model import Scores, TriageModel

# What the second look does not read: the language, the channel and a machine's reply. It reads what the
# signal says (the first look's outputs carry each language's words); a channel or a language the dev
# split has few of (texts on a new number, an auto-reply quoting an emergency) would otherwise be
# judged by a handful of cases.
_NOT_LOOKED_AT: Final = ("x:lang.", "x:channel.", "x:automated.", "x:raised.automated")


class LookSettings(Protocol):
    """The training settings the second look is fitted with (``training.Settings`` has them)."""

    seed: int
    look_trees: int
    look_rate: float
    look_leaves: int
    look_min_count: int
    look_folds: int
    look_repeats: int


@dataclass(frozen=True)
class DevRow:
    """A dev case as the first look sees it."""

    labels: dict[str, Any]
    extraction: Extraction
    scores: Scores
    extracted: list[str]


def fit_second_look(model: TriageModel, rows: Sequence[DevRow], head: str,
                    settings: LookSettings) -> tuple[SecondLook, npt.NDArray[np.float64]]:
    """The second look at ``head``, fitted on all of ``rows``, and each row's probability from trees
    fitted on the other folds (out of fold): the probabilities the threshold is chosen on."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    first = [model.first_look(r.scores) for r in rows]
    counts = Counter(name for r in rows for name in set(r.extracted) if not name.startswith(_NOT_LOOKED_AT))
    inputs = (*sorted(first[0]), *sorted(n for n, k in counts.items() if k >= settings.look_min_count))
    blank = SecondLook(head=head, inputs=inputs, baseline=0.0, trees=(), dev={})
    x = np.array([blank.values(f, r.extracted) for f, r in zip(first, rows, strict=True)], dtype=np.float64)
    y = np.array([bool(r.labels[head]) for r in rows])

    def trees() -> Any:
        return HistGradientBoostingClassifier(
            max_iter=settings.look_trees, learning_rate=settings.look_rate,
            max_leaf_nodes=settings.look_leaves, early_stopping=False, random_state=settings.seed)

    held_out = repeated_out_of_fold(trees, x, y, folds=settings.look_folds, repeats=settings.look_repeats,
                                    seed=settings.seed)
    return exported(trees().fit(x, y), head, inputs, x), held_out


def repeated_out_of_fold(trees: Callable[[], Any], x: npt.NDArray[np.float64], y: npt.NDArray[np.bool_], *,
                         folds: int, repeats: int, seed: int) -> npt.NDArray[np.float64]:
    """Each row's probability from trees fitted without it (stratified ``folds``-fold), the split
    repeated ``repeats`` times with seeds ``seed``, ``seed + 1``, ... and the probabilities averaged.

    The flag's threshold sits where a few of the hardest emergencies fall; with one split, refits that
    changed a few dozen dev cases' findings moved it from 0.135 to 0.094 or 0.122.
    """
    from sklearn.model_selection import StratifiedKFold

    probability = np.zeros(len(y))
    for repeat in range(repeats):
        split = StratifiedKFold(folds, shuffle=True, random_state=seed + repeat)
        for fit_on, held_out in split.split(x, y):
            probability[held_out] += trees().fit(x[fit_on], y[fit_on]).predict_proba(x[held_out])[:, 1]
    return probability / repeats


def exported(fitted: Any, head: str, inputs: Sequence[str], x: npt.NDArray[np.float64]) -> SecondLook:
    """A fitted binary ``HistGradientBoostingClassifier`` as a ``SecondLook``, checked on ``x``: the
    walk in ``SecondLook`` must give scikit-learn's own probabilities."""
    baseline = float(np.ravel(fitted._baseline_prediction)[0])
    look = SecondLook(head=head, inputs=tuple(inputs), baseline=baseline,
                      trees=tuple(_tree(predictors[0].nodes) for predictors in fitted._predictors), dev={})
    walked = np.array([look.probability(row) for row in x.tolist()])
    if not np.allclose(walked, fitted.predict_proba(x)[:, 1], rtol=0, atol=1e-9):
        raise RuntimeError("the second look's trees do not reproduce scikit-learn's predictions")
    return look


def _tree(nodes: Any) -> Tree:
    """A fitted scikit-learn tree (its predictor's node array) as the five lists ``SecondLook`` walks."""
    if bool(np.any(nodes["is_categorical"])):
        raise RuntimeError("the second look has numeric inputs only")
    leaf = nodes["is_leaf"].astype(bool).tolist()
    feature, threshold, value = (nodes[k].tolist() for k in ("feature_idx", "num_threshold", "value"))
    return (tuple(LEAF if is_leaf else int(f) for is_leaf, f in zip(leaf, feature, strict=True)),
            tuple(0.0 if is_leaf else float(t) for is_leaf, t in zip(leaf, threshold, strict=True)),
            tuple(int(v) for v in nodes["left"].tolist()), tuple(int(v) for v in nodes["right"].tolist()),
            tuple(float(v) if is_leaf else 0.0 for is_leaf, v in zip(leaf, value, strict=True)))


def out_of_fold(model: TriageModel, rows: Sequence[DevRow], head: str,
                probability: npt.NDArray[np.float64], threshold: float) -> dict[str, float]:
    """Precision and recall on dev at ``threshold`` with the out-of-fold probabilities, counting the
    cases the guide's precedence raises anyway and those it forbids the model to raise."""
    from triage.rules import informational, standing

    tp = fp = fn = 0
    for row, p in zip(rows, probability.tolist(), strict=True):
        stands = standing(row.extraction, head, asking=informational(row.scores, model))
        raised = stands.forced or (p >= threshold and not stands.vetoed)
        truth = bool(row.labels[head])
        tp, fp, fn = tp + (raised and truth), fp + (raised and not truth), fn + (truth and not raised)
    return {"precision": round(tp / max(1, tp + fp), 6), "recall": round(tp / max(1, tp + fn), 6),
            "cases": float(len(rows))}
