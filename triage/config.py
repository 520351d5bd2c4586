"""Settings of the triage service."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator

from services.runtime import RuntimeSettings

_DEV_SECRET = "dev-only-entity-key-secret"  # noqa: S105 - refused outside dev below


class TriageSettings(RuntimeSettings):
    # Seconds between faust's offset commits; an event is committed only after its outputs
    # were acknowledged, so a longer interval means more redelivery after a crash, not loss.
    commit_interval_s: float = 1.0
    max_consecutive_dead_letters: int = 10
    # faust keeps its (here unused) table state under a data dir; never the working directory.
    faust_datadir: Path = Path(".local/faust")
    # The agent takes up to batch_max records, or what arrived within batch_window_s, triages
    # them, publishes every output concurrently and acks the batch only once all are durable.
    batch_max: int = Field(default=500, ge=1, le=10_000)
    batch_window_s: float = Field(default=0.002, gt=0, le=1.0)
    # Readiness: not ready once records have waited this long on a held partition with no
    # progress, or a rebalance has not given this process its partitions in this long. Checked
    # (and the broker asked for the group's offsets and members) every progress_check_s.
    progress_stall_s: float = Field(default=30.0, gt=0, le=3600)
    progress_check_s: float = Field(default=5.0, gt=0, le=300)
    # Keys entity hashes for correlation; whoever holds it can test a phone number against them.
    entity_key_secret: SecretStr = SecretStr(_DEV_SECRET)
    correlation_window_hours: float = Field(default=24 * 30, gt=0)
    correlation_max_keys: int = Field(default=200_000, ge=100)
    # How long a starting worker may spend reading the shared window (entities.sighted) before it
    # takes signals anyway (links to older signals may then be missing until it has caught up).
    correlation_load_s: float = Field(default=30.0, gt=0, le=600)

    @model_validator(mode="after")
    def _refuse_dev_secret_outside_dev(self) -> Self:
        if self.environment != "dev" and self.entity_key_secret.get_secret_value() == _DEV_SECRET:
            raise ValueError("set HOTLINE_ENTITY_KEY_SECRET outside dev (32+ random bytes)")
        if len(self.entity_key_secret.get_secret_value()) < 16:
            raise ValueError("HOTLINE_ENTITY_KEY_SECRET needs at least 16 characters")
        return self

    @property
    def correlation_window(self) -> timedelta:
        return timedelta(hours=self.correlation_window_hours)
