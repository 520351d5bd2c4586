"""``hotline-email parse``: what an operator sees for .eml and mbox files, without IMAP or Kafka."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

import pytest

from contracts.events import SignalReceived
from intake_email.cli import main
from tests.email_corpus import corpus

CASES = {c.name: c for c in corpus()}


def test_eml_and_mbox_files_print_one_line_per_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tip.eml").write_bytes(CASES["plain-6"].raw)
    (tmp_path / "nothing.eml").write_bytes(CASES["body-only"].raw)
    box = mailbox.mbox(tmp_path / "box.mbox")
    for name in ("auto-reply-0", "html-1", "reply-es-reference-in-subject"):
        box.add(CASES[name].raw)
    box.flush()
    assert (
        main(["parse", str(tmp_path / "tip.eml"), str(tmp_path / "nothing.eml"), str(tmp_path / "box.mbox")])
        == 0
    )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 5
    tip = SignalReceived.model_validate(lines[0]["signal"])
    assert tip.narrative.startswith("Hay unas muchachas") and tip.channel.value == "email"
    assert lines[1] == {
        "input": str(tmp_path / "nothing.eml"),
        "quarantine": "no_headers",
        "raw_sha256": lines[1]["raw_sha256"],
    }
    assert lines[2]["input"].endswith("box.mbox#1")
    assert lines[2]["signal"]["source"]["automated"] == "auto_reply"
    assert lines[3]["signal"]["narrative"] and "<p>" not in lines[3]["signal"]["narrative"]


def test_an_unreadable_path_is_reported_and_the_rest_still_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tip.eml").write_bytes(CASES["plain-0"].raw)
    assert main(["parse", str(tmp_path / "missing.eml"), str(tmp_path / "tip.eml")]) == 66  # EX_NOINPUT
    captured = capsys.readouterr()
    assert "cannot read" in captured.err and "missing.eml" in captured.err
    assert len(captured.out.splitlines()) == 1
