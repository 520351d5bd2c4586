"""Settings of the web intake (``HOTLINE_*`` environment variables)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from services.runtime.blob_keys import BlobKeySettings

_DEV_SECRET = "dev-only-reference-secret"  # noqa: S105 - refused outside dev below

MIB = 1024 * 1024


class WebformSettings(BlobKeySettings):
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    # Keys reference numbers, follow-up receipts and idempotency keys; whoever holds it can link
    # reference numbers to signals and mint receipts. 32+ random bytes outside dev.
    reference_secret: SecretStr = SecretStr(_DEV_SECRET)
    # Secrets rotated out (a JSON list, newest first): kept only so that receipts given before a
    # rotation still let their reporters add information. Drop one once its receipts may go.
    # Empty (as an optional Secret key that is absent may be given) means none.
    retired_reference_secrets: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    # What the form tells people to call; the seeds' national hotline by default.
    hotline_number: str = "1-888-373-7888"
    hotline_text: str = "233733"

    # Durability: tips the broker could not take are fsynced here and drained in order.
    spool_dir: Path = Path(".local/webform/spool")
    spool_max_records: int = Field(default=10_000, ge=1)
    spool_max_bytes: int = Field(default=512 * MIB, ge=1024)
    # How long a reporter waits for Kafka's ack before the tip goes to the spool instead.
    publish_timeout_s: float = Field(default=3.0, gt=0, le=60)

    # Attachments: scrubbed of metadata, stored by sha256 here, never put on Kafka.
    blob_dir: Path = Path(".local/webform/blobs")
    max_attachments: int = Field(default=5, ge=0, le=20)
    max_attachment_bytes: int = Field(default=10 * MIB, ge=1024)
    # A whole request (form fields, attachments, multipart framing, base64 in JSON).
    max_request_bytes: int = Field(default=60 * MIB, ge=64 * 1024)

    # How reporters reach the form (see intake_webform.ratelimit): "direct" (the peer address is
    # the client), "proxy" (a reverse proxy; clients are told apart only when it is named in
    # HOTLINE_TRUSTED_PROXIES and forwards their address), "onion" (a Tor onion service: everyone
    # arrives from the tor daemon's address, and no address exists to forward).
    deployment: Literal["direct", "proxy", "onion"] = "direct"
    # Per client, where clients can be told apart: a budget per window, keyed by a salted hash
    # that rotates every window. Over it: 429.
    rate_per_client: int = Field(default=10, ge=1)
    rate_window_s: int = Field(default=600, ge=1)
    # For everyone together, sized for a hotline's peak: a national hotline takes a few hundred
    # signals a day on all channels, and a broadcast can bring a few hundred web tips in an hour.
    # 2 a second (7,200 an hour) with 120 at once is far above that. Beyond it tips are not
    # refused: they queue in the spool and are published at this pace; only a full spool refuses.
    rate_global_per_s: float = Field(default=2.0, gt=0)
    rate_global_burst: int = Field(default=120, ge=1)

    @field_validator("retired_reference_secrets", mode="before")
    @classmethod
    def _retired_from_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if not value.strip():
            return []
        try:
            secrets = json.loads(value)
        except json.JSONDecodeError:
            secrets = None
        if not isinstance(secrets, list) or not all(isinstance(secret, str) for secret in secrets):
            raise ValueError('a JSON list of strings, newest first, e.g. ["the-previous-secret"]')
        return secrets

    @model_validator(mode="after")
    def _refuse_dev_secret_outside_dev(self) -> Self:
        if self.environment != "dev" and self.reference_secret.get_secret_value() == _DEV_SECRET:
            raise ValueError("set HOTLINE_REFERENCE_SECRET outside dev (32+ random bytes)")
        current = self.reference_secret.get_secret_value()
        if any(retired.get_secret_value() in ("", current) for retired in self.retired_reference_secrets):
            raise ValueError("HOTLINE_RETIRED_REFERENCE_SECRETS holds an empty secret or the current one")
        return self

    @model_validator(mode="after")
    def _proxies_fit_the_deployment(self) -> Self:
        if self.deployment == "onion" and self.trusted_proxies:
            raise ValueError("HOTLINE_DEPLOYMENT=onion: an onion service has no client addresses to "
                             "forward; leave HOTLINE_TRUSTED_PROXIES empty")
        return self

    @property
    def clients_told_apart(self) -> bool:
        """Whether the address the intake sees is the reporter's own (so a per-client limit is fair)."""
        return self.deployment == "direct" or (self.deployment == "proxy" and bool(self.trusted_proxies))
