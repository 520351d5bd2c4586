"""The second look at a flag: boosted trees stored as plain numbers and walked without scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from triage.model import default_model
from triage.second_look import LEAF, SecondLook
from triage.second_look_training import exported

pytestmark = pytest.mark.unit


def _stump() -> SecondLook:
    # One tree: input 0 at or below 1.5 goes left (a leaf of -1.0), above it right (a leaf of 2.0).
    tree = ((0, LEAF, LEAF), (1.5, 0.0, 0.0), (1, 0, 0), (2, 0, 0), (0.0, -1.0, 2.0))
    return SecondLook(head="imminent_danger", inputs=("p:imminent_danger", "x:danger.threat"), baseline=0.5,
                      trees=(tree,), dev={"precision": 0.9, "recall": 0.99, "cases": 10.0})


def test_a_tree_is_walked_to_its_leaf_and_added_to_the_baseline() -> None:
    look = _stump()
    assert look.probability([1.5, 0.0]) == pytest.approx(1 / (1 + math.exp(-(0.5 - 1.0))))
    assert look.probability([1.6, 0.0]) == pytest.approx(1 / (1 + math.exp(-(0.5 + 2.0))))


def test_inputs_are_the_first_looks_numbers_and_the_extractors_findings_present() -> None:
    look = _stump()
    values = look.values({"p:imminent_danger": 2.5, "p:unknown": 9.0}, ["x:danger.threat", "x:not.an.input"])
    assert values == [2.5, 1.0]  # names the trees do not test are left out
    assert look.values({}, []) == [0.0, 0.0]


def test_the_header_form_reads_back_the_same() -> None:
    look = _stump()
    assert SecondLook.from_header(look.to_header()) == look


def test_exported_trees_give_scikit_learns_probabilities() -> None:
    rng = np.random.default_rng(7)
    x = np.column_stack([rng.normal(size=400), (rng.random(400) < 0.3).astype(float), rng.random(400)])
    y = (x[:, 0] + 2 * x[:, 1] * (x[:, 2] > 0.5) + rng.normal(scale=0.5, size=400)) > 0.8
    fitted = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=7, early_stopping=False,
                                            random_state=0).fit(x, y)
    look = exported(fitted, "imminent_danger", ["a", "b", "c"], x)
    fresh = rng.normal(size=(50, 3))
    walked = [look.probability(row) for row in fresh.tolist()]
    assert walked == pytest.approx(fitted.predict_proba(fresh)[:, 1].tolist(), abs=1e-9)
    assert len(look.trees) == 30


def test_the_committed_model_takes_a_second_look_at_danger_only() -> None:
    model = default_model()
    assert set(model.second_looks) == {"imminent_danger"}
    look = model.second_looks["imminent_danger"]
    assert look.inputs[:2] == ("d:call_type.at_risk", "d:call_type.general_info")  # the first look's, sorted
    assert any(name.startswith("x:danger.") for name in look.inputs)
    # What it promised on dev, out of fold: the recall target, and a precision a broken fit would not have.
    assert look.dev["recall"] >= 0.97 and look.dev["precision"] >= 0.85


def test_out_of_fold_probabilities_are_averaged_over_repeated_splits() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from triage.second_look_training import repeated_out_of_fold

    rng = np.random.default_rng(3)
    x = rng.normal(size=(120, 2))
    y = (x[:, 0] + rng.normal(scale=0.8, size=120)) > 0.3

    def single(seed: int) -> np.ndarray:
        out = np.zeros(len(y))
        for fit_on, held_out in StratifiedKFold(4, shuffle=True, random_state=seed).split(x, y):
            out[held_out] = LogisticRegression().fit(x[fit_on], y[fit_on]).predict_proba(x[held_out])[:, 1]
        return out

    once = repeated_out_of_fold(LogisticRegression, x, y, folds=4, repeats=1, seed=5)
    thrice = repeated_out_of_fold(LogisticRegression, x, y, folds=4, repeats=3, seed=5)
    assert once.tolist() == pytest.approx(single(5).tolist())
    assert thrice.tolist() == pytest.approx(((single(5) + single(6) + single(7)) / 3).tolist())
    assert not np.allclose(once, thrice)  # other splits give other held-out probabilities
