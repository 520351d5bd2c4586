"""Percentiles of a benchmark's sample, as every benchmark reports them."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def pcts(values: Sequence[float]) -> tuple[float, float, float]:
    """p50, p95, p99 (inclusive method: a small sample is not extrapolated past its maximum)."""
    q = statistics.quantiles(values, n=100, method="inclusive")
    return q[49], q[94], q[98]
