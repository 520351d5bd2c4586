"""A command that cannot reach the broker says so in one line and exits 69 (EX_UNAVAILABLE), as all do."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_phone.cli import main as phone_main


def test_the_cdr_import_without_a_broker_exits_69(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HOTLINE_ENVIRONMENT", "dev")
    monkeypatch.setenv("HOTLINE_KAFKA_BOOTSTRAP", "127.0.0.1:1")  # nothing listens on port 1
    monkeypatch.setenv("HOTLINE_STATE_DIR", str(tmp_path / "state"))
    cdr = tmp_path / "Master.csv"
    cdr.write_text("")
    assert phone_main(["import-cdr", str(cdr)]) == 69
    assert "cannot reach Kafka at 127.0.0.1:1" in capsys.readouterr().err


def test_a_replay_from_the_topics_without_a_broker_exits_69(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from triage.cli import main as triage_main

    monkeypatch.setenv("HOTLINE_ENVIRONMENT", "dev")
    monkeypatch.setenv("HOTLINE_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    assert triage_main(["replay", "--topics"]) == 69
    err = capsys.readouterr().err
    assert err.startswith("hotline-triage replay: ") and "Traceback" not in err
