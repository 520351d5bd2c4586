"""The labelled corpus and the model made from it: coverage, reproducibility, the dev figures, evidence.

These are dev-split figures (thresholds are chosen there): a floor that catches a broken model or
a corpus that drifted from it. The figures that count are each blind batch's first score, in
``triage/corpus/ledger.jsonl``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from triage.evaluation import Report, evaluate
from triage.language import written_in
from triage.model import DEFAULT_PATH, TriageModel
from triage.offline import output_line, signal_from_line
from triage.rules import assess
from triage.training import Settings, fit, load_corpus

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 16, 14, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def cases() -> list[Any]:
    return load_corpus()


@pytest.fixture(scope="module")
def dev_report(cases: list[Any]) -> Report:
    pairs = []
    for case in cases:
        if case.split == "dev":
            triaged = assess(signal_from_line(case.line, now=NOW), now=NOW)
            pairs.append((case.id, output_line(triaged), case.labels))
    return evaluate(pairs)


def test_the_corpus_has_the_size_and_variety_the_guide_asks_for(cases: list[Any]) -> None:
    assert len(cases) >= 2000
    assert len({c.id for c in cases}) == len(cases)
    # Texts to the short code ("sms") joined the other three channels with the later rounds.
    channels = {c.line["channel"] for c in cases}
    assert {"webform", "email", "phone"} <= channels <= {"webform", "email", "phone", "sms"}
    assert {c.labels["call_type"] for c in cases} == {
        "crisis", "tip", "tta", "referral", "general_info", "at_risk", "unrelated"}
    assert {c.labels["trafficking_type"] for c in cases} == {"sex", "labor", "both", "unknown", "none"}
    # Crisis is imminent danger, and only that (LABELS.md).
    assert all((c.labels["call_type"] == "crisis") == c.labels["imminent_danger"] for c in cases)
    languages = Counter(written_in(c.line["text"]) for c in cases)
    assert languages["es"] >= 0.15 * len(cases)
    assert sum(n for lang, n in languages.items() if lang not in ("en", "es", None)) >= 0.05 * len(cases)
    # Hard negatives: marked by their writer as urgent-sounding, and labelled with neither flag
    # (a writer's mark on a case the guide labels otherwise does not count): at least 30 %.
    hard = [c for c in cases if (c.line.get("meta") or {}).get("hard_negative")
            and not (c.labels["minor"] or c.labels["imminent_danger"])]
    assert len(hard) >= 0.3 * len(cases)


# A whole fit: about a minute of one core, several on a machine shared with a full test run.
@pytest.mark.timeout(600)
def test_the_committed_model_is_fitted_from_the_corpus_byte_for_byte(cases: list[Any]) -> None:
    train = [c for c in cases if c.split == "train"]
    dev = [c for c in cases if c.split == "dev"]
    header, weights = fit(train, dev, Settings())
    fitted = hashlib.sha256(TriageModel.dump(header, weights)).hexdigest()
    committed = hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()
    assert fitted == committed, "the model is stale: run `hotline-triage train` and commit it"


@pytest.mark.parametrize("flag", ["minor", "imminent_danger"])
def test_dev_recall_first(dev_report: Report, flag: str) -> None:
    score = dev_report.flags[flag]
    assert score.recall >= 0.97, score
    # Floors below today's dev figures (minor 0.849, danger 0.915 on 1,633 dev cases that include the
    # hardest batches so far: texts and the hard evaluation set), to catch a broken model.
    assert score.precision >= {"minor": 0.8, "imminent_danger": 0.85}[flag], score


def test_dev_classes(dev_report: Report) -> None:
    assert "call_type" in dev_report.render() and "trafficking_type" in dev_report.render()
    assert dev_report.classes["call_type"].accuracy >= 0.85
    assert dev_report.classes["trafficking_type"].accuracy >= 0.85


def test_every_text_evidence_points_at_its_span(cases: list[Any]) -> None:
    for case in cases[::10]:
        signal = signal_from_line(case.line, now=NOW)
        for flag in assess(signal, now=NOW).flags:
            for evidence in flag.evidence:
                if evidence.origin != "text":
                    continue
                source = signal.narrative if evidence.field == "narrative" else signal.subject
                assert source is not None and evidence.start is not None
                assert source[evidence.start:evidence.end] == evidence.matched_text


def test_the_ledger_holds_one_first_score_per_batch() -> None:
    from triage.ledger import LEDGER, entries

    rows = entries(LEDGER)
    assert rows and len({r["batch"] for r in rows}) == len(rows)
    assert all(json.dumps(r) and 0 <= r["danger_r"] <= 1 for r in rows)


def test_a_batch_is_scored_once(tmp_path: Any) -> None:
    from datetime import date

    from triage import ledger

    report = evaluate([("a", {"minor": True, "imminent_danger": False, "call_type": "tip",
                              "trafficking_type": "sex"},
                        {"minor": True, "imminent_danger": True, "call_type": "crisis",
                         "trafficking_type": "sex"})])
    path = tmp_path / "ledger.jsonl"
    entry = ledger.add("b99-test", report, "2026.12.1+mtest", today=date(2026, 12, 5), path=path)
    assert (entry["minor_r"], entry["danger_r"], entry["call_type_acc"]) == (1.0, 0.0, 0.0)
    with pytest.raises(ledger.AlreadyScored):
        ledger.add("b99-test", report, "2026.12.1+mtest", today=date(2026, 12, 6), path=path)
    assert [r["batch"] for r in ledger.entries(path)] == ["b99-test"]
    assert "b99-test" in ledger.render(ledger.entries(path))


def test_the_fast_scoring_path_gives_the_same_rows_and_sums_as_the_features(cases: list[Any]) -> None:
    import numpy as np

    from triage.extract import extract
    from triage.features import extracted_features, features, words
    from triage.model import default_model

    model = default_model()
    for case in cases[::7]:
        signal = signal_from_line(case.line, now=NOW)
        found, tokens = extract(signal).found, words(signal)
        slow = model.score(features(signal, found, tokens))
        fast = model.score_words(tokens, extracted_features(signal, found))
        assert slow.text_rows == fast.text_rows
        assert np.array_equal(slow.logits, fast.logits)
