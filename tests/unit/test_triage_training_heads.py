"""The flags' heads: a plain fit and a naive-Bayes-weighted one, averaged in their log-odds into one
set of weights over the plain features."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix, diags
from sklearn.linear_model import LogisticRegression

from triage.training import Settings, flag_head, log_count_ratio


def _data(seed: int = 3) -> tuple[csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    dense = (rng.random((300, 40)) < 0.15).astype(float)
    y = rng.random(300) < 0.3
    dense[y, 0] = 1.0  # a feature of the positive cases
    dense[~y, 1] = 1.0  # one of the negative ones
    return csr_matrix(dense), y


def test_the_log_count_ratio_favours_what_the_positive_cases_have() -> None:
    x, y = _data()
    ratio = log_count_ratio(x, y, alpha=1.0)
    assert ratio.shape == (40,)
    assert ratio[0] > 1.0 and ratio[1] < -1.0
    assert np.abs(ratio[2:]).max() < ratio[0]  # the others, present by chance, weigh less


def test_features_no_case_has_weigh_alike_and_little() -> None:
    x, y = _data()
    dense = x.toarray()
    dense[:, [5, 6]] = 0.0
    ratio = log_count_ratio(csr_matrix(dense), y, alpha=1.0)
    assert ratio[5] == ratio[6]  # the smoothing alone: the same for every absent feature
    assert abs(ratio[5]) < abs(ratio[0])


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_the_head_is_the_two_fits_averaged_in_their_log_odds(share: float) -> None:
    x, y = _data()
    settings = Settings(nb_alpha=1.0, nb_share=share)
    coef, bias = flag_head(x, y, settings, LogisticRegression)
    plain = LogisticRegression(C=settings.c_flags, class_weight="balanced", solver="liblinear",
                               random_state=0, max_iter=1000).fit(x, y)
    ratio = log_count_ratio(x, y, 1.0)
    weighted = LogisticRegression(C=settings.c_nb, class_weight="balanced", solver="liblinear",
                                  random_state=0, max_iter=1000).fit(x @ diags(ratio), y)
    expected = (1 - share) * plain.decision_function(x) + share * weighted.decision_function(x @ diags(ratio))
    assert np.allclose(x @ coef[0] + bias[0], expected)


def test_without_the_weighting_the_head_is_the_plain_fit() -> None:
    x, y = _data()
    coef, bias = flag_head(x, y, Settings(nb_alpha=None), LogisticRegression)
    plain = LogisticRegression(C=16.0, class_weight="balanced", solver="liblinear", random_state=0,
                               max_iter=1000).fit(x, y)
    assert np.array_equal(coef, plain.coef_) and np.array_equal(bias, plain.intercept_)
