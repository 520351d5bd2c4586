"""Base settings every service extends: Kafka connection, topic prefix, ops endpoint, logging."""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.runtime.local_time import DEFAULT_ZONE, checked_zone

Environment = Literal["dev", "test", "production"]


@dataclass(frozen=True)
class GroupTimeouts:
    """How a consumer group notices a member is gone (session), and how long a rebalance may take."""

    session_ms: int
    heartbeat_ms: int
    rebalance_ms: int


class RuntimeSettings(BaseSettings):
    """Read from ``HOTLINE_*`` environment variables. One subclass per service adds its own fields."""

    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="ignore", frozen=True)

    environment: Environment = "dev"
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    kafka_request_timeout_ms: int = Field(default=30_000, ge=1_000)
    # How long the group waits for a silent consumer (a killed process) before handing its
    # partitions to the others, or to its own restart. The broker's minimum is 6 s by default.
    kafka_session_timeout_ms: int = Field(default=10_000, ge=1_000, le=300_000)
    # How often a group member tells the coordinator it is alive; None: a third of the session
    # timeout (Kafka's advice), so two beats may be lost before the session ends.
    kafka_heartbeat_interval_ms: int | None = Field(default=None, ge=100, le=100_000)
    # How long the coordinator waits, during a rebalance, for live members to finish their batch
    # and rejoin before it goes on without them; None: the session timeout.
    kafka_rebalance_timeout_ms: int | None = Field(default=None, ge=1_000, le=600_000)
    # Isolates environments (and test runs) sharing one cluster: "staging." or "t-1a2b.".
    topic_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9._-]*$", max_length=64)
    replication_factor: int = Field(default=1, ge=1, le=7)
    ops_host: str = "127.0.0.1"
    ops_port: int = Field(default=0, ge=0, le=65535)  # 0 = an ephemeral port, logged at start
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Where spans go over OTLP/HTTP (a collector's base URL: http://collector:4318); unset: no
    # export, unless the SDK's own OTEL_EXPORTER_OTLP_ENDPOINT is set (services.runtime.trace_export).
    otlp_endpoint: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    # How often a service says it is alive on ops.events (the ops service calls it silent after
    # several missed beats).
    heartbeat_s: float = Field(default=15.0, gt=0, le=300)
    instance: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    # Addresses or networks of the reverse proxies whose X-Forwarded-For a service's HTTP server
    # believes (comma-separated). Empty: none, the peer address is the client. Never "*".
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    # The hotline's own clock: staff pages show times in this zone, named (events and APIs keep UTC).
    timezone: str = DEFAULT_ZONE

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return checked_zone(value)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValueError("HOTLINE_TRUSTED_PROXIES is a comma-separated list of addresses or networks")
        proxies = []
        for item in (str(i).strip() for i in items):
            if not item:
                continue
            try:
                proxies.append(str(ipaddress.ip_network(item, strict=False)) if "/" in item
                               else str(ipaddress.ip_address(item)))
            except ValueError:
                raise ValueError(f"HOTLINE_TRUSTED_PROXIES: {item!r} is not an IP address or network "
                                 "(name each proxy; trusting everyone would let any client claim "
                                 "any address)") from None
        return tuple(proxies)

    @model_validator(mode="after")
    def _heartbeat_within_session(self) -> Self:
        beat = self.kafka_heartbeat_interval_ms
        if beat is not None and beat >= self.kafka_session_timeout_ms:
            raise ValueError("HOTLINE_KAFKA_HEARTBEAT_INTERVAL_MS must be below "
                             "HOTLINE_KAFKA_SESSION_TIMEOUT_MS")
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Self:
        if self.environment != "production":
            return self
        problems = []
        if self.kafka_security_protocol in ("PLAINTEXT", "SASL_PLAINTEXT"):
            problems.append("Kafka traffic must be encrypted (HOTLINE_KAFKA_SECURITY_PROTOCOL=SSL/SASL_SSL)")
        if self.replication_factor < 3:
            problems.append("HOTLINE_REPLICATION_FACTOR must be at least 3")
        if self.kafka_security_protocol.startswith("SASL") and not self.kafka_sasl_password:
            problems.append("SASL needs HOTLINE_KAFKA_SASL_USERNAME and HOTLINE_KAFKA_SASL_PASSWORD")
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self

    def group_timeouts(self) -> GroupTimeouts:
        """The consumer-group timings every consumer of this process uses (the runtime's and faust's)."""
        session = self.kafka_session_timeout_ms
        return GroupTimeouts(
            session_ms=session,
            heartbeat_ms=self.kafka_heartbeat_interval_ms or max(session // 3, 100),
            rebalance_ms=self.kafka_rebalance_timeout_ms or session,
        )

    def group_id(self, group: str) -> str:
        """The broker-side consumer group name, isolated by the same prefix as the topics."""
        return f"{self.topic_prefix}{group}"
