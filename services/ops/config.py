"""The ops service's settings (``HOTLINE_OPS_*`` on top of the runtime's)."""

from __future__ import annotations

from pydantic import Field

from services.runtime import RuntimeSettings


class OpsSettings(RuntimeSettings):
    ops_poll_s: float = Field(default=15.0, gt=0)
    # An urgent alert unanswered this long is an SLA breach, reported once per signal.
    ops_urgent_ack_s: float = Field(default=300.0, gt=0)
    ops_lag_warn_records: int = Field(default=1_000, ge=1)
    ops_history_minutes: int = Field(default=30, ge=1)
