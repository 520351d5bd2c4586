"""Helpers for triage's unit tests that need a model other than the shipped one."""

from __future__ import annotations

from triage.model import TriageModel, default_model


def minor_deaf_model() -> TriageModel:
    """The shipped model with a minor threshold it never reaches: only what stands after it (a form's
    age, a year of birth, a group with children in it, a school year the rules cannot read) raises."""
    model = default_model()
    return TriageModel({**model.header, "thresholds": {**model.thresholds, "minor": 1.01}}, model.weights)
