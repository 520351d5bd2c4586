"""Settings of the email intake (``HOTLINE_*`` environment variables)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator

from services.runtime.blob_keys import BlobKeySettings

_DEV_SECRET = "dev-only-reference-secret"  # noqa: S105 - refused outside dev below
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class EmailSettings(BlobKeySettings):
    imap_host: str = "127.0.0.1"
    imap_port: int = Field(default=993, ge=1, le=65535)
    # TLS (IMAPS) everywhere; plain IMAP is allowed only to a server on this machine.
    imap_tls: bool = True
    imap_username: str = "hotline"
    imap_password: SecretStr = SecretStr("")
    # JSON list in the environment: HOTLINE_MAILBOXES='["INBOX", "Tips"]'
    mailboxes: list[str] = Field(default_factory=lambda: ["INBOX"], min_length=1)
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    # IDLE is re-issued well before the 29 minutes RFC 2177 allows; without IDLE, poll.
    idle_timeout_s: float = Field(default=600.0, gt=0, le=1500)
    poll_interval_s: float = Field(default=15.0, gt=0)
    reconnect_max_s: float = Field(default=60.0, gt=0)
    imap_timeout_s: float = Field(default=60.0, gt=0)
    blob_dir: Path = Path(".local/email/blobs")
    state_dir: Path = Path(".local/email")
    reference_secret: SecretStr = SecretStr(_DEV_SECRET)

    @model_validator(mode="after")
    def _safe(self) -> Self:
        if not self.imap_tls and self.imap_host not in _LOOPBACK:
            raise ValueError("plain IMAP is allowed only on loopback: set HOTLINE_IMAP_TLS=true")
        if self.environment != "dev" and self.reference_secret.get_secret_value() == _DEV_SECRET:
            raise ValueError("set HOTLINE_REFERENCE_SECRET outside dev (32+ random bytes)")
        if self.processed_folder in self.mailboxes or self.quarantine_folder in self.mailboxes:
            raise ValueError("the processed and quarantine folders must not be watched mailboxes")
        return self
