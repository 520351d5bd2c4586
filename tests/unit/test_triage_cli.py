"""``hotline-triage``: classify, evaluate and replay on files, as the console script runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.cli import main

pytestmark = pytest.mark.unit

LINES = [
    {"id": "a", "channel": "webform", "language": "en", "subject": None,
     "text": "My sister is 16 and her boyfriend is selling her at the motel tonight.",
     "form": {"victim_age": None, "immediate_danger": None, "location_state": "TX", "location_city": None}},
    {"id": "b", "text": "Automatic reply: I am out of the office until Monday."},
    {"id": "c", "channel": "phone", "language": None, "subject": None,
     "text": "TTA req: sheriff's office wants training for 40 deputies.", "form": None},
]


def _write(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_classify_writes_one_assessment_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", str(_write(tmp_path, LINES)), "--now", "2026-03-16T14:30:00Z"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c"]
    for o in out:
        assert {"minor", "imminent_danger", "trafficking_type", "call_type", "urgency", "evidence",
                "rules_version"} <= set(o)
    a, b, c = out
    assert a["minor"] and a["imminent_danger"] and a["urgency"] == "p1_act_now"
    assert {e["rule_id"] for e in a["evidence"]} >= {"minor.text_age", "danger.moved_soon"}
    assert a["jurisdiction"]["state"] == "TX" and a["business_hours"] is True
    assert (b["call_type"], b["automated"], b["required_actions"]) == ("unrelated", True, ["set_aside"])
    assert (c["call_type"], c["urgency"], c["trafficking_type"]) == ("tta", "p4_informational", "none")


def test_classify_refuses_a_line_without_text(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="line 1"):
        main(["classify", str(_write(tmp_path, [{"channel": "webform"}]))])


def test_evaluate_prints_scores_and_confusion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labelled = [
        {**LINES[0], "labels": {"minor": True, "imminent_danger": True, "trafficking_type": "sex",
                                "call_type": "crisis"}},
        {**LINES[1], "labels": {"minor": True, "imminent_danger": False, "trafficking_type": "none",
                                "call_type": "unrelated"}},  # a deliberately wrong label: one FN
    ]
    assert main(["evaluate", str(_write(tmp_path, labelled)), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    minor = figures["flags"]["minor"]
    assert (minor["tp"], minor["fn"], minor["fp"], minor["tn"]) == (1, 1, 0, 0)
    assert minor["recall"] == 0.5 and minor["precision"] == 1.0
    assert figures["classes"]["call_type"]["accuracy"] == 1.0
    assert figures["misses"] == [{"id": "b", "predicted": {"minor": False}, "expected": {"minor": True}}]


def test_evaluate_refuses_a_file_without_labelled_cases(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert main(["evaluate", str(empty)]) == 2
    captured = capsys.readouterr()
    assert "no labelled case" in captured.err and "precision" not in captured.out


def test_replay_reports_what_would_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decided = {"minor": False, "imminent_danger": False, "urgency": "p3_business_days", "call_type": "tip",
               "trafficking_type": "sex", "rules_version": "skeleton-1"}
    rows = [{**LINES[0], "decided": decided}, LINES[2]]
    assert main(["replay", "--file", str(_write(tmp_path, rows)), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["signals"], report["compared"], report["changed"]) == (2, 1, 1)
    [change] = report["changes"]
    assert change["signal"] == "a" and change["decided_by"] == "skeleton-1"
    assert change["changes"]["minor"] == {"decided": False, "now": True}
    assert change["changes"]["urgency"] == {"decided": "p3_business_days", "now": "p1_act_now"}
    assert "selling" not in json.dumps(report)


def test_classify_reads_a_text_message_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"id": "t", "channel": "sms", "text": "im 15 they locked me in the back room right now. help"},
            {"id": "u", "channel": "carrier-pigeon", "text": "hello"}]
    assert main(["classify", str(_write(tmp_path, rows[:1])), "--now", "2026-03-16T14:30:00Z"]) == 0
    [out] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out["id"] == "t" and out["minor"] and out["imminent_danger"] and out["urgency"] == "p1_act_now"
    with pytest.raises(SystemExit, match="webform, email, phone or sms"):
        main(["classify", str(_write(tmp_path, rows[1:]))])
