"""The faust app's Kafka client: the runtime's group timings and security settings, not faust's own."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, cast

import pytest
from pydantic import SecretStr

from services.runtime.progress import ProgressWatch
from triage.app import create_app
from triage.config import TriageSettings
from triage.processor import TriageProcessor

pytestmark = pytest.mark.unit

Build = Callable[..., Any]
SECRET = SecretStr("unit-test-entity-secret-0123456789")
PASSWORD = SecretStr("s3cret-for-tests")


@pytest.fixture
async def consumer_of(tmp_path: Path) -> AsyncIterator[Build]:
    """The aiokafka consumer faust builds for its worker under given settings (never started)."""
    built: list[Any] = []

    def build(**overrides: Any) -> Any:
        settings = TriageSettings(environment="test", entity_key_secret=SECRET, instance="host-1",
                                  faust_datadir=tmp_path / "faust", **overrides)
        app = create_app(settings, cast(TriageProcessor, None), ProgressWatch(client_id="x", stall_s=30))
        thread = app.consumer._thread  # type: ignore[attr-defined]
        built.append(thread._create_consumer(loop=asyncio.get_running_loop()))
        return built[-1]

    yield build
    for consumer in built:
        await consumer.stop()


def _timings(consumer: Any) -> tuple[int, int, int]:
    return consumer._session_timeout_ms, consumer._heartbeat_interval_ms, consumer._rebalance_timeout_ms


async def test_the_worker_uses_the_runtimes_group_timings(consumer_of: Build) -> None:
    # Faust's own defaults are a 60 s session and a 60 s rebalance: a crashed worker's partitions
    # would wait a minute before anyone took them.
    assert _timings(consumer_of()) == (10_000, 3_333, 10_000)
    tuned = consumer_of(kafka_session_timeout_ms=12_000, kafka_heartbeat_interval_ms=2_000,
                        kafka_rebalance_timeout_ms=20_000)
    assert _timings(tuned) == (12_000, 2_000, 20_000)


async def test_the_worker_names_itself_and_knows_every_bootstrap_server(consumer_of: Build) -> None:
    client = consumer_of(kafka_bootstrap="10.0.0.1:9093,10.0.0.2:9093")._client
    assert client._bootstrap_servers == ["10.0.0.1:9093", "10.0.0.2:9093"]
    assert (client._client_id, client._security_protocol) == ("triage.host-1", "PLAINTEXT")


async def test_the_worker_connects_with_sasl_over_tls(consumer_of: Build) -> None:
    client = consumer_of(kafka_security_protocol="SASL_SSL", kafka_sasl_mechanism="SCRAM-SHA-512",
                         kafka_sasl_username="triage", kafka_sasl_password=PASSWORD)._client
    assert (client._security_protocol, client._sasl_mechanism, client._sasl_plain_username,
            client._sasl_plain_password) == ("SASL_SSL", "SCRAM-SHA-512", "triage", "s3cret-for-tests")
    assert isinstance(client._ssl_context, ssl.SSLContext)
    assert client._ssl_context.verify_mode == ssl.CERT_REQUIRED


async def test_the_worker_connects_with_tls_alone_or_sasl_alone(consumer_of: Build) -> None:
    tls = consumer_of(kafka_security_protocol="SSL")._client
    assert tls._security_protocol == "SSL" and isinstance(tls._ssl_context, ssl.SSLContext)
    sasl = consumer_of(kafka_security_protocol="SASL_PLAINTEXT", kafka_sasl_username="triage",
                       kafka_sasl_password=PASSWORD)._client
    assert (sasl._security_protocol, sasl._sasl_mechanism) == ("SASL_PLAINTEXT", "PLAIN")
    assert sasl._ssl_context is None
