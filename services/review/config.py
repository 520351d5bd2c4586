"""Settings of the review service."""

from __future__ import annotations

from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import Field, SecretStr, model_validator

from services.review.archive import signing_key
from services.review.oidc import RoleMap, RoleMapError
from services.runtime.blob_keys import BlobKeySettings
from services.runtime.retention import RetentionSettings


class ReviewSettings(BlobKeySettings, RetentionSettings):
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
    # Signals received and triaged apply in batches of up to this many records a transaction (one
    # poll). Modest on purpose: an urgent alert may wait for the one batch already writing.
    review_apply_batch: int = Field(default=100, ge=1, le=1000)
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
    # Single sign-on with OpenID Connect (SECURITY.md, Single sign-on): on when the issuer is set.
    # The issuer exactly as the provider names itself (its ID tokens' "iss"), e.g.
    # https://id.example.org/realms/hotline; this service's client id and secret there (the secret
    # from the environment or, better, a file a secret store mounts).
    review_oidc_issuer: str | None = None
    review_oidc_client_id: str | None = None
    review_oidc_client_secret: SecretStr | None = None
    review_oidc_client_secret_file: Path | None = None
    # The public URL of this service's /login/sso/callback, exactly as registered at the provider
    # (behind a proxy this process cannot know it).
    review_oidc_redirect_url: str | None = None
    # The ID token claim that lists the person's groups, and which group gives which role:
    # "hotline-supervisors=supervisor,hotline-analysts=analyst". Someone in no mapped group is refused.
    review_oidc_groups_claim: str = Field(default="groups", min_length=1, max_length=128)
    review_oidc_role_map: str = ""
    # What the sign-in page's button says: "Sign in with <this>".
    review_oidc_provider_name: str = Field(default="your organisation's account", min_length=1, max_length=64)
    # Password sign-in (local accounts); may be switched off once single sign-on is on.
    review_password_login: bool = True
    # The Ed25519 key that signs lawful-request exports (32 bytes, base64; ``hotline-review
    # export-archive new-key`` makes one). Unset: exports cannot be approved.
    export_signing_key: SecretStr | None = None

    @property
    def requires_mfa(self) -> bool:
        return self.environment == "production" or bool(self.mfa_required)

    @property
    def sso_enabled(self) -> bool:
        return self.review_oidc_issuer is not None

    def oidc_role_map(self) -> RoleMap:
        return RoleMap.parse(self.review_oidc_role_map)

    def oidc_client_secret(self) -> str:
        """The client secret: from its file when one is named (read at start), else the setting."""
        if self.review_oidc_client_secret_file is not None:
            return self.review_oidc_client_secret_file.read_text(encoding="utf-8").strip()
        return self.review_oidc_client_secret.get_secret_value() if self.review_oidc_client_secret else ""

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

    @model_validator(mode="after")
    def _single_sign_on(self) -> Self:
        if not self.sso_enabled:
            if not self.review_password_login:
                raise ValueError("HOTLINE_REVIEW_PASSWORD_LOGIN=false leaves no way to sign in: set "
                                 "HOTLINE_REVIEW_OIDC_ISSUER (single sign-on) too")
            return self
        wanted = (("HOTLINE_REVIEW_OIDC_CLIENT_ID", self.review_oidc_client_id),
                  ("HOTLINE_REVIEW_OIDC_REDIRECT_URL", self.review_oidc_redirect_url),
                  ("HOTLINE_REVIEW_OIDC_ROLE_MAP", self.review_oidc_role_map.strip()))
        missing = [name for name, value in wanted if not value]
        if self.review_oidc_client_secret is None and self.review_oidc_client_secret_file is None:
            missing.append("HOTLINE_REVIEW_OIDC_CLIENT_SECRET or HOTLINE_REVIEW_OIDC_CLIENT_SECRET_FILE")
        if missing:
            raise ValueError("single sign-on (HOTLINE_REVIEW_OIDC_ISSUER) also needs " + ", ".join(missing))
        try:
            self.oidc_role_map()
        except RoleMapError as error:
            raise ValueError(f"HOTLINE_REVIEW_OIDC_ROLE_MAP: {error}") from None
        for name, url in (("HOTLINE_REVIEW_OIDC_ISSUER", self.review_oidc_issuer or ""),
                          ("HOTLINE_REVIEW_OIDC_REDIRECT_URL", self.review_oidc_redirect_url or "")):
            parts = urlsplit(url)
            if parts.scheme not in ("https", "http") or not parts.netloc:
                raise ValueError(f"{name} must be an http(s) URL")
            if self.environment == "production" and parts.scheme != "https":
                raise ValueError(f"production needs {name} over https")
        return self
