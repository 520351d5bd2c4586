"""The labelled evaluation set: its coverage, and the quality bars of the triage issue on it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from triage.evaluation import Report, evaluate
from triage.offline import output_line, signal_from_line
from triage.rules import assess

pytestmark = pytest.mark.unit

CASES = Path(__file__).resolve().parents[1] / "eval" / "triage_cases.jsonl"
NOW = datetime(2026, 3, 16, 14, 30, tzinfo=UTC)


def load() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def report() -> Report:
    pairs = []
    for case in load():
        triaged = assess(signal_from_line(case, now=NOW), now=NOW)
        pairs.append((case["id"], output_line(triaged), case["labels"]))
    return evaluate(pairs)


def test_the_set_covers_languages_channels_call_types_and_hard_negatives() -> None:
    cases = load()
    assert len(cases) >= 200
    assert len({c["id"] for c in cases}) == len(cases)
    languages = Counter(c["id"].split("-")[0] for c in cases)
    assert languages["en"] >= 100 and languages["es"] >= 70
    assert {c["channel"] for c in cases} == {"webform", "email", "phone"}
    assert {c["labels"]["call_type"] for c in cases} == {
        "crisis", "tip", "tta", "referral", "general_info", "at_risk", "unrelated"}
    assert {c["labels"]["trafficking_type"] for c in cases} == {"sex", "labor", "both", "unknown", "none"}
    minors = sum(c["labels"]["minor"] for c in cases)
    dangers = sum(c["labels"]["imminent_danger"] for c in cases)
    assert 40 <= minors <= len(cases) - 100 and 40 <= dangers <= len(cases) - 100


@pytest.mark.parametrize("flag", ["minor", "imminent_danger"])
def test_flag_meets_the_quality_bar(report: Report, flag: str) -> None:
    score = report.flags[flag]
    misses = [m for m in report.misses if flag in m["predicted"]]
    assert score.recall >= 0.97, misses
    assert score.precision >= 0.9, misses


def test_classes_are_reported_per_class(report: Report) -> None:
    rendered = report.render()
    assert "call_type" in rendered and "trafficking_type" in rendered
    # Not a bar of the issue, but a floor that catches a broken classifier.
    assert report.classes["call_type"].accuracy >= 0.75
    assert report.classes["trafficking_type"].accuracy >= 0.65


def test_every_text_evidence_points_at_its_span() -> None:
    for case in load()[:120]:
        signal = signal_from_line(case, now=NOW)
        for flag in assess(signal, now=NOW).flags:
            for evidence in flag.evidence:
                if evidence.origin != "text":
                    continue
                source = signal.narrative if evidence.field == "narrative" else signal.subject
                assert source is not None and evidence.start is not None
                assert source[evidence.start:evidence.end] == evidence.matched_text
