"""The schema snapshots against their last committed versions in git (the CI check of
``tests/unit/test_contract_history.py``).

Which committed version a snapshot is held against (``judged_change``):

- ``HOTLINE_CONTRACTS_BASE`` when set (in CI for a change under review: the branch it goes into,
  e.g. ``origin/main``), so every commit of the change is covered;
- else ``HEAD`` when the working copy differs from it (a change not committed yet);
- else the version before the last commit that changed the file (that commit is the change).

A snapshot whose version is unchanged must be compatible with its baseline
(``contracts.compatibility``). A bumped version needs an upcaster from the previous one in the
codec, and a golden example of the previous shape in ``contracts/examples/earlier/``, where the
earlier shapes are kept and decoded forever.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from contracts import Codec
from contracts.compatibility import breaking_changes

SCHEMAS = Path("contracts/schemas")
EARLIER = Path("contracts/examples/earlier")
BASE_VARIABLE = "HOTLINE_CONTRACTS_BASE"


# Changes reviewed and accepted as they are: the snapshot, the commit that made the change, and the
# problem as the check words it. History goes here, and a new value that only a new producer writes
# when the rollout order is written down (docs/operations.md, "Upgrading when a contract changes");
# any other breaking change gets a version bump and an upcaster instead.
ACCEPTED = (
    # The sms channel and SmsSource: written only by intake-sms, which is deployed after every
    # consumer of these events has been upgraded (they then read texts like any other channel).
    *((f"org.hotline.{name}.v1.json", "314bcb1", problem)
      for name in ("signal.received", "signal.triaged", "alert.urgent", "input.quarantined")
      for problem in ("channel: accepts new values sms", "source: changes its type",
                      "source: changes the kinds its discriminator names")),
    # UrgentAlert.reasons may be empty (a crisis call that raised neither urgent flag). Consumers
    # built before it would refuse such an alert; all were deployed together with this commit.
    ("org.hotline.alert.urgent.v1.json", "faf11ec", "reasons: changes minItems (1 -> absent)"),
)


class NoHistory(Exception):
    """Not a git checkout (or git is missing): there is nothing to compare with."""


def _git(root: Path, *args: str) -> str | None:
    try:
        # git with arguments of this module's making, on the project's own repository.
        result = subprocess.run(["git", "-C", str(root), *args], capture_output=True,  # noqa: S603, S607
                                text=True, timeout=60, check=False)
    except FileNotFoundError as error:
        raise NoHistory("git is not installed") from error
    return result.stdout if result.returncode == 0 else None


def require_history(root: Path) -> None:
    if _git(root, "rev-parse", "--verify", "HEAD") is None:
        raise NoHistory(f"{root} is not a git checkout with commits")


def _committed(root: Path, ref: str, path: Path) -> dict[str, Any] | None:
    text = _git(root, "show", f"{ref}:{path.as_posix()}")
    return json.loads(text) if text is not None else None


def judged_change(root: Path, path: Path) -> tuple[str, str | None] | None:
    """The ref the snapshot at ``path`` (relative to ``root``) is held against, and the commit whose
    change is judged (None: a change not committed, or the range up to the base); None when
    there is nothing earlier to hold it against."""
    base = os.environ.get(BASE_VARIABLE)
    if base:
        return base, None
    working = root / path
    current = json.loads(working.read_text(encoding="utf-8")) if working.exists() else None
    if _committed(root, "HEAD", path) != current:
        return "HEAD", None
    last = (_git(root, "log", "-n", "1", "--format=%H", "--", path.as_posix()) or "").strip()
    if not last or _git(root, "rev-parse", "--verify", "-q", f"{last}^") is None:
        return None  # added by the first commit
    return f"{last}^", last


def snapshot_problems(root: Path, codec: Codec) -> list[str]:
    """Every snapshot change under ``root`` that breaks the project's rules, one line each."""
    problems = []
    for event_type in codec.event_types:
        name, version = event_type.EVENT_TYPE, event_type.VERSION
        path = SCHEMAS / f"{name}.v{version}.json"
        if not (root / path).exists():
            continue  # the snapshot test names a missing snapshot
        judged = judged_change(root, path)
        if judged is None:
            continue
        ref, commit = judged
        current = json.loads((root / path).read_text(encoding="utf-8"))
        same = _committed(root, ref, path)
        if same is not None:
            problems += [f"{path.name}: {problem}; bump VERSION and add an Upcaster, or make the "
                         "change additive (a new field with a default)"
                         for problem in breaking_changes(same, current)
                         if not _accepted(path.name, commit, problem)]
            continue
        if version == 1 or _committed(root, ref, SCHEMAS / f"{name}.v{version - 1}.json") is None:
            continue  # a new event type
        if not codec.upcasts(name, version - 1):
            problems.append(f"{path.name}: bumped to v{version} without an Upcaster from v{version - 1} "
                            "in contracts.codec.CODEC")
        if not list((root / EARLIER).glob(f"{name}.v{version - 1}*.json")):
            problems.append(f"{path.name}: keep a golden example of the v{version - 1} shape in "
                            f"{EARLIER.as_posix()}/ (it must decode forever)")
    return problems


def _accepted(file: str, commit: str | None, problem: str) -> bool:
    return commit is not None and any(
        file == f and commit.startswith(c) and problem.startswith(p) for f, c, p in ACCEPTED)
