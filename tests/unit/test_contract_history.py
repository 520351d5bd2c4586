"""CI check: every JSON Schema snapshot against its last committed version in git.

The repository's own snapshots must pass; the rules are shown on throwaway repositories.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import ClassVar

import pytest

from contracts import CODEC, Codec, Event, Upcaster
from contracts.snapshots import render, schema_of
from tests.conftest import IN_CI
from tests.contract_history import (
    BASE_VARIABLE,
    EARLIER,
    SCHEMAS,
    NoHistory,
    require_history,
    snapshot_problems,
)
from tests.note_events import NoteV1, NoteV2, v1_to_v2

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def test_the_snapshots_are_compatible_with_their_last_committed_versions() -> None:
    try:
        require_history(ROOT)
    except NoHistory as missing:
        if IN_CI:
            pytest.fail(f"CI needs the git history to compare schema snapshots: {missing}", pytrace=False)
        pytest.skip(str(missing))
    assert snapshot_problems(ROOT, CODEC) == []


# ------------------------------------------------------------------ the rules, on throwaway repositories


class NoteV1WithTags(NoteV1):
    """Additive: an optional field."""

    tags: tuple[str, ...] = ()


class NoteV1WithoutText(Event):
    """Breaking: ``text`` removed without a version bump."""

    EVENT_TYPE: ClassVar[str] = "org.hotline.test.note"
    VERSION: ClassVar[int] = 1
    note_id: str

    def event_id(self) -> str:
        return self.note_id

    def partition_key(self) -> str:
        return self.note_id


class Repository:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._git("init", "-q")

    def _git(self, *args: str) -> str:
        # git in the test's own throwaway repository.
        return subprocess.run(["git", "-C", str(self.root), "-c", "user.name=Test", "-c",  # noqa: S603, S607
                               "user.email=test@example.org", *args],
                              capture_output=True, text=True, check=True, timeout=60).stdout

    def write(self, model: type[Event]) -> None:
        path = self.root / SCHEMAS / f"{model.ce_type()}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(schema_of(model)), encoding="utf-8")

    def keep_earlier_example(self, ce_type: str) -> None:
        path = self.root / EARLIER / f"{ce_type}.2026-12.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"value": {"note_id": "n1", "text": "a\nb"}}), encoding="utf-8")

    def commit(self, message: str) -> str:
        self._git("add", "-A")
        self._git("commit", "-q", "-m", message)
        return self._git("rev-parse", "HEAD").strip()


@pytest.fixture
def repository(tmp_path: Path) -> Repository:
    repository = Repository(tmp_path)
    repository.write(NoteV1)
    repository.commit("the note event")
    return repository


def test_an_optional_field_keeps_the_version(repository: Repository) -> None:
    repository.write(NoteV1WithTags)
    assert snapshot_problems(repository.root, Codec(events=(NoteV1WithTags,))) == []
    repository.commit("tags")
    assert snapshot_problems(repository.root, Codec(events=(NoteV1WithTags,))) == []


def test_a_removed_field_without_a_new_version_fails_before_and_after_the_commit(
    repository: Repository,
) -> None:
    repository.write(NoteV1WithoutText)
    codec = Codec(events=(NoteV1WithoutText,))
    [uncommitted] = snapshot_problems(repository.root, codec)
    assert uncommitted.startswith("org.hotline.test.note.v1.json: text: removed (or renamed)")
    repository.commit("drop text")
    assert snapshot_problems(repository.root, codec) == [uncommitted]


def test_against_a_base_branch_every_commit_of_a_change_counts(
    repository: Repository, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = repository._git("rev-parse", "HEAD").strip()
    repository.write(NoteV1WithoutText)
    repository.commit("drop text")

    class Again(NoteV1WithoutText):
        tags: tuple[str, ...] = ()

    repository.write(Again)
    repository.commit("and an additive change on top")
    assert snapshot_problems(repository.root, Codec(events=(Again,))) == []  # only the last commit
    monkeypatch.setenv(BASE_VARIABLE, base)
    assert len(snapshot_problems(repository.root, Codec(events=(Again,)))) == 1


def test_a_new_version_needs_an_upcaster_and_an_example_of_the_earlier_shape(
    repository: Repository,
) -> None:
    repository.write(NoteV2)
    problems = snapshot_problems(repository.root, Codec(events=(NoteV2,)))
    assert problems == [
        "org.hotline.test.note.v2.json: bumped to v2 without an Upcaster from v1 in contracts.codec.CODEC",
        "org.hotline.test.note.v2.json: keep a golden example of the v1 shape in contracts/examples/earlier/ "
        "(it must decode forever)",
    ]
    repository.keep_earlier_example(NoteV1.ce_type())
    upcasting = Codec(events=(NoteV2,), upcasters=(Upcaster(NoteV2.EVENT_TYPE, 1, v1_to_v2),))
    assert snapshot_problems(repository.root, upcasting) == []
    repository.commit("note v2")
    assert snapshot_problems(repository.root, upcasting) == []
