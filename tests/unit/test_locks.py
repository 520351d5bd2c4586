"""The two hash-pinned locks: the image's runtime lock is the development lock minus the dev tools."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)")
_HASH = re.compile(r"--hash=(sha256:[0-9a-f]{64})")
_REGENERATE = "run: ./dev lock"


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _pins(path: Path) -> dict[str, tuple[str, frozenset[str]]]:
    pins: dict[str, tuple[str, set[str]]] = {}
    current: str | None = None
    for line in path.read_text().splitlines():
        match = _PIN.match(line)
        if match:
            current = _name(match.group(1))
            pins[current] = (match.group(2), set())
        if current is not None:
            pins[current][1].update(_HASH.findall(line))
    return {name: (version, frozenset(hashes)) for name, (version, hashes) in pins.items()}


def _project() -> dict[str, list[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {"runtime": project["dependencies"], "dev": project["optional-dependencies"]["dev"]}


def test_every_pin_in_both_locks_carries_hashes() -> None:
    for lock in ("requirements.lock", "requirements-runtime.lock"):
        pins = _pins(ROOT / lock)
        assert pins, lock
        assert [name for name, (_, hashes) in pins.items() if not hashes] == [], lock


def test_the_runtime_lock_runs_exactly_what_the_tests_ran() -> None:
    full, runtime = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-runtime.lock")
    differing = sorted(name for name, pin in runtime.items() if full.get(name) != pin)
    assert differing == [], _REGENERATE


def test_the_runtime_lock_has_every_runtime_dependency_and_no_dev_tool() -> None:
    runtime = _pins(ROOT / "requirements-runtime.lock")
    declared = _project()
    assert sorted({_name(r) for r in declared["runtime"]} - set(runtime)) == [], _REGENERATE
    assert sorted({_name(r) for r in declared["dev"]} & set(runtime)) == []
