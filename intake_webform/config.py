"""Settings of the web intake."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from services.runtime import RuntimeSettings

_DEV_SECRET = "dev-only-reference-secret"  # noqa: S105 - refused outside dev below


class WebformSettings(RuntimeSettings):
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    # Keys the derivation of reference numbers; whoever holds it can link numbers to signals.
    reference_secret: SecretStr = SecretStr(_DEV_SECRET)

    @model_validator(mode="after")
    def _refuse_dev_secret_outside_dev(self) -> Self:
        if self.environment != "dev" and self.reference_secret.get_secret_value() == _DEV_SECRET:
            raise ValueError("set HOTLINE_REFERENCE_SECRET outside dev (32+ random bytes)")
        return self
