"""The web intake's counters: each outcome counted once per tip, however its children are found."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from intake_webform.metrics import WebformMetrics

pytestmark = pytest.mark.unit


def _value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    found = registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


def test_accepted_tips_are_counted_per_kind_and_outcome_in_both_counters() -> None:
    registry = CollectorRegistry()
    metrics = WebformMetrics(registry)
    for kind, outcome in [("tip", "published")] * 3 + [("tip", "spooled"), ("follow_up", "published"),
                                                        ("tip", "queued")]:
        metrics.accept(kind, outcome)
    assert _value(registry, "hotline_webform_accepted_total", kind="tip", outcome="published") == 3
    assert _value(registry, "hotline_webform_accepted_total", kind="tip", outcome="spooled") == 1
    assert _value(registry, "hotline_webform_accepted_total", kind="follow_up", outcome="published") == 1
    assert _value(registry, "hotline_intake_signals_total", channel="webform", outcome="published") == 4
    assert _value(registry, "hotline_intake_signals_total", channel="webform", outcome="spooled") == 1
    assert _value(registry, "hotline_intake_signals_total", channel="webform", outcome="queued") == 1


def test_two_intakes_count_in_their_own_registries() -> None:
    first, second = CollectorRegistry(), CollectorRegistry()
    one, other = WebformMetrics(first), WebformMetrics(second)
    one.accept("tip", "published")
    other.accept("tip", "published")
    other.accept("tip", "published")
    assert _value(first, "hotline_webform_accepted_total", kind="tip", outcome="published") == 1
    assert _value(second, "hotline_webform_accepted_total", kind="tip", outcome="published") == 2
