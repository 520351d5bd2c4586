"""Settings of the phone intake (``HOTLINE_*`` environment variables)."""

from __future__ import annotations

from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator

from intake_phone.cdr import CdrLayout
from services.runtime import RuntimeSettings

_DEV_SECRET = "dev-only-reference-secret"  # noqa: S105 - refused outside dev below
_DEV_TWILIO = "dev-only-twilio-token"


class PhoneSettings(RuntimeSettings):
    # Keys reference numbers and the callers' keyed hashes; 32+ random bytes outside dev.
    reference_secret: SecretStr = SecretStr(_DEV_SECRET)
    # The PBX writes local times without an offset: this is its zone.
    cdr_timezone: str = "America/New_York"
    # cdr.conf's [csv] options. Unset, the layout is told from each row's column count; set any of
    # them to fix it (the unset ones then take their old defaults: uniqueid on, the others off).
    cdr_loguniqueid: bool | None = None
    cdr_loguserfield: bool | None = None
    cdr_newcdrcolumns: bool | None = None
    default_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    state_dir: Path = Path(".local/phone")
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8084, ge=0, le=65535)
    # Twilio signs callbacks with the account's auth token over the URL it called: set the public
    # URL exactly as configured in Twilio (scheme, host, port), not what a proxy forwards here.
    twilio_auth_token: SecretStr = SecretStr(_DEV_TWILIO)
    twilio_public_url: str = "http://127.0.0.1:8084"
    # Call specialists: name -> token (JSON in HOTLINE_SPECIALIST_TOKENS). Empty: reports refused.
    specialist_tokens: dict[str, SecretStr] = Field(default_factory=dict)

    @field_validator("cdr_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name like America/Chicago)") from None
        return value

    @model_validator(mode="after")
    def _refuse_dev_secret_outside_dev(self) -> Self:
        if self.environment != "dev" and self.reference_secret.get_secret_value() == _DEV_SECRET:
            raise ValueError("set HOTLINE_REFERENCE_SECRET outside dev (32+ random bytes)")
        if self.environment == "production" and self.twilio_auth_token.get_secret_value() == _DEV_TWILIO:
            raise ValueError("set HOTLINE_TWILIO_AUTH_TOKEN in production")
        return self

    def layout(self) -> CdrLayout | None:
        """The configured CDR layout, or None to tell it from the rows."""
        given = (self.cdr_loguniqueid, self.cdr_loguserfield, self.cdr_newcdrcolumns)
        if all(option is None for option in given):
            return None
        return CdrLayout(uniqueid=self.cdr_loguniqueid is not False, userfield=bool(self.cdr_loguserfield),
                         new_columns=bool(self.cdr_newcdrcolumns))
