"""Settings of the triage service."""

from __future__ import annotations

from services.runtime import RuntimeSettings


class TriageSettings(RuntimeSettings):
    # Seconds between faust's offset commits; an event is committed only after its outputs
    # were acknowledged, so a longer interval means more redelivery after a crash, not loss.
    commit_interval_s: float = 1.0
    max_consecutive_dead_letters: int = 10
