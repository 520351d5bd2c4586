"""Settings of the reporting service."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, model_validator

from services.reporting.channels import SmtpSecurity
from services.runtime.retention import RetentionSettings

_DEV_SECRET = "dev-only-ack-secret-change-me"  # noqa: S105 - refused outside dev (below)


class ReportingSettings(RetentionSettings):
    # PostgreSQL in production (postgresql+psycopg://...); the embedded default is a SQLite file.
    reporting_database_url: str = "sqlite:///.local/reporting.sqlite3"
    protocols_dir: Path = Path("deploy/protocols")
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8085, ge=0, le=65535)
    # Where recipients reach the acknowledgement links (the service's HTTP port, behind HTTPS).
    public_base_url: str = "http://127.0.0.1:8085"
    ack_secret: SecretStr = SecretStr(_DEV_SECRET)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "reports@hotline.example.org"
    # Reports carry narratives: STARTTLS to a relay whose certificate verifies (the system's
    # authorities, or HOTLINE_SMTP_CAFILE for a private one). Only dev may turn either off.
    smtp_starttls: bool = True
    smtp_tls_verify: bool = True
    smtp_cafile: Path | None = None
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # Per contact id, the HMAC secret of its webhook (JSON: {"contact-id": "secret"}).
    webhook_secrets: dict[str, SecretStr] = Field(default_factory=dict)
    # Who the acknowledgement page says sent the report, and whom to call about it.
    hotline_name: str = Field(default="Human Trafficking Hotline", min_length=1, max_length=120)
    hotline_number: str = Field(default="1-888-373-7888", min_length=3, max_length=40)
    # Call specialists log phone outcomes with this bearer token.
    specialist_token: SecretStr | None = None
    tick_s: float = Field(default=1.0, gt=0, le=60)
    # How long a report waits for its signal's declared victims before resolving without them.
    facts_grace_s: float = Field(default=10.0, ge=0, le=600)
    send_lease_s: float = Field(default=60.0, gt=0)
    retry_after_s: float = Field(default=15.0, gt=0)

    def smtp_security(self) -> SmtpSecurity:
        return SmtpSecurity(starttls=self.smtp_starttls, verify=self.smtp_tls_verify, cafile=self.smtp_cafile)

    @model_validator(mode="after")
    def _verified_relay_outside_dev(self) -> Self:
        if self.environment != "dev":
            if not self.smtp_starttls:
                raise ValueError("reports would go to the SMTP relay in plain text: HOTLINE_SMTP_STARTTLS "
                                 "may be false only with HOTLINE_ENVIRONMENT=dev")
            if not self.smtp_tls_verify:
                raise ValueError("the SMTP relay's certificate must be verified: HOTLINE_SMTP_TLS_VERIFY may "
                                 "be false only with HOTLINE_ENVIRONMENT=dev (HOTLINE_SMTP_CAFILE names a "
                                 "private CA)")
        return self

    @model_validator(mode="after")
    def _production(self) -> Self:
        if self.environment == "production":
            problems = []
            if not self.reporting_database_url.startswith("postgresql"):
                problems.append("HOTLINE_REPORTING_DATABASE_URL must be PostgreSQL")
            if self.ack_secret.get_secret_value() == _DEV_SECRET:
                problems.append("HOTLINE_ACK_SECRET must be set")
            if not self.public_base_url.startswith("https://"):
                problems.append("HOTLINE_PUBLIC_BASE_URL must be https")
            if problems:
                raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self
