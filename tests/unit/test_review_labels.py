"""Supervisors' corrections become labelled cases that triage's replay compares itself with."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from contracts.events import Answer, DeclaredFacts, FlagName, Victim
from contracts.reference_numbers import reference_for
from services.review import labels
from services.review.cases import CaseStore
from services.review.db import SCHEMA, Database
from services.review.decisions import Actor, Decisions
from services.review.models import AuditEntry
from tests.builders import received
from tests.databases import sqlite_db
from triage import cli as triage_cli
from triage.rules import assess

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ANA = Actor("ana", "analyst")


db = sqlite_db(SCHEMA)


def _case(store: CaseStore, text: str, **facts: object) -> tuple[object, object]:
    signal = received(narrative=text, facts=DeclaredFacts(**facts))  # type: ignore[arg-type]
    signal = signal.model_copy(update={"reference_number": reference_for(str(signal.signal_id), b"t"),
                                       "received_at": NOW})
    store.apply_received(f"r{signal.signal_id}", signal)
    change = store.apply_triaged(f"t{signal.signal_id}", assess(signal, now=NOW))
    assert change is not None
    return change.case_id, signal


def test_an_override_is_exported_as_a_label_audited_and_replayed(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = CaseStore(db, urgent_ack=timedelta(minutes=5), now=lambda: NOW)
    decisions = Decisions(db, now=lambda: NOW, claim_ttl=timedelta(minutes=30))
    corrected, signal = _case(store, "My cousin is 16 and the manager keeps her passport.",
                              danger_now=Answer.NO, victims=[Victim(age=16)])
    _case(store, "Is there training for our nurses?")  # no correction: not exported by default
    decisions.claim(corrected, ANA)  # type: ignore[arg-type]
    decisions.override_flag(corrected, ANA, FlagName.MINOR, False, "she is 22, ID seen")  # type: ignore[arg-type]

    lines = list(labels.export(db, actor="cli:test", now=lambda: NOW))
    assert len(lines) == 1
    [line] = lines
    assert line["id"] == str(signal.signal_id)  # type: ignore[attr-defined]
    assert line["text"].startswith("My cousin is 16") and line["form"]["victim_age"] == 16
    assert line["form"]["immediate_danger"] is False
    assert line["labels"]["minor"] is False and line["decided"]["minor"] is True
    assert line["meta"]["human"] == ["minor"]
    assert "reporter" not in line and "contact" not in json.dumps(line)
    with db.read() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "export_labels")))
    assert [(e.case_id, e.detail) for e in entries] == [(corrected, {"signals": 1})]
    assert len(list(labels.export(db, actor="cli:test", now=lambda: NOW, everything=True))) == 2

    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    assert triage_cli.main(["replay", "--file", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["labelled"] == 1
    # Triage then said minor (the declared 16); the person said no; today's triage still says minor.
    assert report["agreement_with_labels"]["minor"] == {"then": 0, "now": 0}
    assert report["agreement_with_labels"]["imminent_danger"] == {"then": 1, "now": 1}
