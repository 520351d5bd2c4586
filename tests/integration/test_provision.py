"""Topic provisioning from the registry against the real broker: idempotent, and it finds drift."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from contracts import REGISTRY, Topic, physical_name
from services.runtime import RuntimeSettings
from services.runtime.provision import main, provision
from tests.conftest import wait_for


async def test_ensure_creates_everything_once_then_reports_ok(kafka_settings: RuntimeSettings) -> None:
    first = await provision(kafka_settings, create=True)
    assert {r.status for r in first} == {"created"}
    assert {r.name for r in first} == {physical_name(t, kafka_settings.topic_prefix) for t in Topic}
    second = await provision(kafka_settings, create=True)
    assert {r.status for r in second} == {"ok"}


async def test_verify_finds_missing_topics_without_creating_them(kafka_settings: RuntimeSettings) -> None:
    reports = await provision(kafka_settings, create=False, topics=[Topic.SIGNALS_RECEIVED])
    assert [r.status for r in reports] == ["missing"]
    again = await provision(kafka_settings, create=False, topics=[Topic.SIGNALS_RECEIVED])
    assert [r.status for r in again] == ["missing"]


async def test_config_drift_is_reported_and_ensure_repairs_it(kafka_settings: RuntimeSettings) -> None:
    await provision(kafka_settings, create=True, topics=[Topic.OPS_EVENTS])
    name = physical_name(Topic.OPS_EVENTS, kafka_settings.topic_prefix)
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_settings.kafka_bootstrap)
    await admin.start()
    try:
        drifted = {**REGISTRY[Topic.OPS_EVENTS].config(), "retention.ms": "1000"}
        await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, drifted)])
    finally:
        await admin.close()
    [report] = await provision(kafka_settings, create=False, topics=[Topic.OPS_EVENTS])
    assert report.status == "drift"
    assert report.problems == ("retention.ms=1000 (want 604800000)",)
    [repaired] = await provision(kafka_settings, create=True, topics=[Topic.OPS_EVENTS])
    assert repaired.status == "updated"

    # The broker applies an altered config through its metadata log: a describe right after the
    # alter may still show the old value, so the check waits for it rather than assuming it is there.
    async def clean() -> bool:
        [report] = await provision(kafka_settings, create=False, topics=[Topic.OPS_EVENTS])
        return report.status == "ok"

    await wait_for(clean, timeout=30, interval=0.2, what="the repaired config to be reported ok")


def test_cli_verify_exit_codes(kafka_settings: RuntimeSettings, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--bootstrap", kafka_settings.kafka_bootstrap, "--prefix", kafka_settings.topic_prefix]
    assert main(["verify", *args]) == 1
    assert main(["ensure", *args]) == 0
    assert main(["verify", *args]) == 0
    out = capsys.readouterr().out
    assert f"{kafka_settings.topic_prefix}signals.received" in out


def test_cli_unreachable_broker_is_one_line_and_exit_69(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--bootstrap", "127.0.0.1:1"]) == 69  # EX_UNAVAILABLE, as every command
    err = capsys.readouterr().err
    assert err.startswith("error: cannot provision topics on 127.0.0.1:1")
