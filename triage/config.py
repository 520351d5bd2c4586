"""Settings of the triage service."""

from __future__ import annotations

from pathlib import Path

from services.runtime import RuntimeSettings


class TriageSettings(RuntimeSettings):
    # Seconds between faust's offset commits; an event is committed only after its outputs
    # were acknowledged, so a longer interval means more redelivery after a crash, not loss.
    commit_interval_s: float = 1.0
    max_consecutive_dead_letters: int = 10
    # faust keeps its (here unused) table state under a data dir; never the working directory.
    faust_datadir: Path = Path(".local/faust")
