"""Settings of the review service."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import Field, SecretStr, model_validator

from services.review.archive import signing_key
from services.runtime.blob_keys import BlobKeySettings


class ReviewSettings(BlobKeySettings):
    # PostgreSQL in production (postgresql+psycopg://...); the embedded default is a SQLite file.
    review_database_url: str = "sqlite:///.local/review.sqlite3"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8082, ge=0, le=65535)
    # Every intake's blob folder (JSON list): attachments are read from whichever holds them and
    # served to staff as downloads, never inline. The web form, the email and the SMS intakes keep
    # their own.
    blob_dirs: list[Path] = Field(default_factory=lambda: [Path(".local/webform/blobs"),
                                                           Path(".local/email/blobs"),
                                                           Path(".local/sms/blobs")])
    # The one folder of older deployments (HOTLINE_BLOB_DIR); read first when set.
    blob_dir: Path | None = None
    # Urgent cases must be acknowledged (claimed) within this, or they escalate.
    urgent_ack_minutes: float = Field(default=5.0, gt=0)
    # Escalate again (to the next supervisor on shift) while still unacknowledged.
    escalation_repeat_minutes: float = Field(default=5.0, gt=0)
    sla_check_s: float = Field(default=5.0, gt=0)
    # A minor's case owes its mandatory reports (NCMEC, the FBI) within this many hours of the
    # receipt of the signal that brought the minor: the shipped protocols' "within: 24h" (a test
    # holds the two together; review does not read the protocols itself).
    mandatory_report_hours: float = Field(default=24.0, gt=0)
    claim_minutes: float = Field(default=30.0, gt=0)
    session_hours: float = Field(default=10.0, gt=0)
    # Secure cookies need HTTPS (in front of the app); only a local run over plain HTTP turns it off.
    cookie_secure: bool = True
    # Two-step sign-in (TOTP) for every staff account that signs in with a password: always required
    # in production (where it cannot be switched off), optional elsewhere unless this is true.
    mfa_required: bool | None = None
    # The name authenticator apps show next to the account (the hotline's own, e.g. "Example Hotline review").
    mfa_issuer: str = Field(default="Hotline case review", min_length=1, max_length=64)
    # The Ed25519 key that signs lawful-request exports (32 bytes, base64; ``hotline-review
    # export-archive new-key`` makes one). Unset: exports cannot be approved.
    export_signing_key: SecretStr | None = None
    # Test hook, honoured only in the test environment (see ``outbox``).
    review_fault: str | None = None

    @property
    def requires_mfa(self) -> bool:
        return self.environment == "production" or bool(self.mfa_required)

    def attachment_dirs(self) -> list[Path]:
        return [*([self.blob_dir] if self.blob_dir else []), *self.blob_dirs]

    def export_key(self) -> Ed25519PrivateKey | None:
        key = self.export_signing_key
        return signing_key(key.get_secret_value()) if key is not None else None

    @model_validator(mode="after")
    def _export_key_is_readable(self) -> Self:
        self.export_key()  # a wrong key fails at start-up, not at the first approval
        return self

    @model_validator(mode="after")
    def _production_needs_postgres(self) -> Self:
        if self.environment == "production":
            if not self.review_database_url.startswith("postgresql"):
                raise ValueError("production needs PostgreSQL (HOTLINE_REVIEW_DATABASE_URL=postgresql+psycopg://...)")
            if not self.cookie_secure:
                raise ValueError("production needs secure cookies (HOTLINE_COOKIE_SECURE=true)")
            if self.mfa_required is False:
                raise ValueError("production requires two-step sign-in for staff (HOTLINE_MFA_REQUIRED "
                                 "cannot be false)")
        return self
