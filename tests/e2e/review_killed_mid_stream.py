"""``python -m tests.e2e.review_killed_mid_stream``: review that kills itself (SIGKILL: no shutdown, no
offset commit) right after its case store has committed ``REVIEW_TEST_KILL_AFTER`` records, and applies
nothing until the file ``REVIEW_TEST_GO`` exists (so that it is ready first). The crash lands mid-stream
by construction, between a commit to the store and the offsets' commit, however fast the machine."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from contracts.events import SignalTriaged
from services.review.cases import CaseChange, CaseStore, Streamed

_AFTER = int(os.environ.get("REVIEW_TEST_KILL_AFTER", "1"))
_GO = Path(os.environ.get("REVIEW_TEST_GO", "/nonexistent"))
_lock = threading.Lock()
_applied = 0
_apply_batch = CaseStore.apply_batch
_apply_triaged = CaseStore.apply_triaged


def _wait_for_go() -> None:
    while not _GO.exists():
        time.sleep(0.01)


def _count(records: int) -> None:
    global _applied
    with _lock:
        _applied += records
        if _applied >= _AFTER:
            os.kill(os.getpid(), signal.SIGKILL)


def apply_batch(self: CaseStore, topic: str,
                events: Sequence[tuple[str, Streamed]]) -> list[CaseChange | None]:
    _wait_for_go()
    changes = _apply_batch(self, topic, events)
    _count(len(events))
    return changes


def apply_triaged(self: CaseStore, event_id: str, triaged: SignalTriaged) -> CaseChange | None:
    _wait_for_go()
    change = _apply_triaged(self, event_id, triaged)
    _count(1)
    return change


if __name__ == "__main__":
    CaseStore.apply_batch = apply_batch  # type: ignore[method-assign]
    CaseStore.apply_triaged = apply_triaged  # type: ignore[method-assign]
    from services.review.main import main

    sys.exit(main())
