"""Triage's outputs on every corpus case are the recorded ones, and every output is a valid event.

The record (``triage/corpus/outputs.jsonl``) is written by ``python -m triage.outputs write``; a
change meant to keep outputs (a speed-up, a refactor) must pass this test without rewriting it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.events import ReportRequested, SignalTriaged, UrgentAlert
from triage import outputs

pytestmark = pytest.mark.unit


@pytest.mark.timeout(900)
def test_every_recorded_case_gives_the_recorded_outputs() -> None:
    compared, differences = outputs.check()
    changed = [d.case_id for d in differences if d.recorded is not None and d.now is not None]
    assert compared >= 8000  # the record covers the corpus, blind batches included
    assert changed == [], f"{len(changed)} cases changed, the first: {changed[:20]}"


def test_a_changed_output_is_reported(tmp_path: Path) -> None:
    record = tmp_path / "outputs.jsonl"
    root = tmp_path / "corpus"
    (root / "train").mkdir(parents=True)
    first = next(iter(outputs.load_corpus(outputs.CORPUS, ("train",))))
    source = outputs.CORPUS / "train" / first.source
    (root / "train" / first.source).write_text(source.read_text(encoding="utf-8").splitlines()[0] + "\n",
                                               encoding="utf-8")
    # The first case recorded with another digest, and a case the corpus no longer has.
    record.write_text(f'{{"id": "{first.id}", "sha256": "0"}}\n{{"id": "gone-1", "sha256": "1"}}\n',
                      encoding="utf-8")
    compared, differences = outputs.check(record, root)
    assert compared == 1
    assert [(d.case_id, d.recorded) for d in differences] == [(first.id, "0"), ("gone-1", "1")]


def test_outputs_are_valid_events_as_decoded_from_their_json() -> None:
    # Triage builds its events without validating them again (their parts are its own); each must
    # still be exactly what validation of its JSON gives, or a consumer would read something else.
    models = {"triaged": SignalTriaged, "urgent_alert": UrgentAlert, "break_glass": ReportRequested}
    for case in outputs.load_corpus(outputs.CORPUS, ("blind",))[:400]:
        made = outputs.outputs(case.line)
        for name, model in models.items():
            if made[name] is not None:
                assert model.model_validate(made[name]).model_dump(mode="json") == made[name], (case.id, name)
