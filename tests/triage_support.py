"""Helpers for triage's unit tests that need a model other than the shipped one."""

from __future__ import annotations

from contracts.events import FlagName
from tests.builders import T0, received
from triage.model import TriageModel, default_model
from triage.rules import assess


def minor_deaf_model() -> TriageModel:
    """The shipped model with a minor threshold it never reaches: only what stands after it (a form's
    age, a year of birth, a group with children in it, a school year the rules cannot read, a teen's
    milestone) raises."""
    model = default_model()
    return TriageModel({**model.header, "thresholds": {**model.thresholds, "minor": 1.01}}, model.weights)


def minor_evidence(text: str, model: TriageModel | None = None) -> list[str] | None:
    """The rule ids of the minor flag's evidence for a signal of ``text``; None when it is not raised."""
    minor = assess(received(narrative=text), now=T0, model=model).flag(FlagName.MINOR)
    assert minor is not None
    return [e.rule_id for e in minor.evidence] if minor.raised else None
