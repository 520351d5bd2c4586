"""Logging privacy, settings safety, health and the ops endpoints."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import signal

import httpx
import pytest

from services.runtime import EXIT_CONFIG, Health, RuntimeMetrics, RuntimeSettings, load_settings, ops_app
from services.runtime.errors import BrokerUnavailable, InvalidMessage
from services.runtime.lifecycle import run_command
from services.runtime.settings import GroupTimeouts
from services.runtime.structured_logging import ServiceLogHandler, configure_logging, remove_service_logging

pytestmark = pytest.mark.unit


def _log_line(emit) -> dict[str, object]:  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    configure_logging("test-service", "INFO", stream=stream)
    emit(logging.getLogger("hotline.test"))
    return json.loads(stream.getvalue().splitlines()[-1])


def test_log_lines_are_json_with_only_allow_listed_fields() -> None:
    line = _log_line(lambda log: log.info("case recorded", extra={
        "signal_id": "s-1", "offset": 5, "narrative": "they hurt her", "email": "a@example.org"}))
    assert line["msg"] == "case recorded" and line["service"] == "test-service"
    assert line["signal_id"] == "s-1" and line["offset"] == 5
    assert "narrative" not in line and "email" not in line
    assert line["dropped"] == ["email", "narrative"]
    assert "they hurt her" not in json.dumps(line)


def test_a_case_id_is_kept_in_a_log_line() -> None:
    """A case's id is a random key like a signal's (review's mandatory-report warnings name it)."""
    line = _log_line(lambda log: log.warning("mandatory report late or failed",
                                             extra={"case_id": "5f0c1a8e-0000-4000-8000-000000000001"}))
    assert line["case_id"] == "5f0c1a8e-0000-4000-8000-000000000001" and "dropped" not in line


def test_configuring_logging_replaces_only_its_own_handler() -> None:
    """Someone else's handler on the root logger (a test runner's capture) stays; a second
    configuration leaves one JSON handler, not two."""
    root = logging.getLogger()
    theirs = logging.StreamHandler(io.StringIO())
    root.addHandler(theirs)
    try:
        first, second = io.StringIO(), io.StringIO()
        configure_logging("test-service", "INFO", stream=first)
        configure_logging("test-service", "INFO", stream=second)
        logging.getLogger("hotline.test").warning("case recorded")
        assert theirs in root.handlers
        assert sum(isinstance(h, ServiceLogHandler) for h in root.handlers) == 1
        assert first.getvalue() == "" and json.loads(second.getvalue())["msg"] == "case recorded"
        remove_service_logging()
        assert not any(isinstance(h, ServiceLogHandler) for h in root.handlers) and theirs in root.handlers
    finally:
        root.removeHandler(theirs)


def test_contact_details_in_messages_are_masked() -> None:
    line = _log_line(lambda log: log.warning("call back %s or %s", "sam@example.org", "+1 (555) 010-0100"))
    assert line["msg"] == "call back <email> or <phone>"


def test_exception_messages_are_logged_only_for_our_own_errors() -> None:
    def raise_and_log(error: Exception):  # type: ignore[no-untyped-def]
        def emit(log: logging.Logger) -> None:
            try:
                raise error
            except Exception:
                log.exception("failed")
        return emit

    ours = _log_line(raise_and_log(InvalidMessage("signals.received/0@4 has no narrative")))
    assert ours["exc"] == "InvalidMessage: signals.received/0@4 has no narrative"
    theirs = _log_line(raise_and_log(ValueError("Maria is at 12 Elm Street")))
    assert "Maria" not in json.dumps(theirs)
    assert str(theirs["exc"]).startswith("ValueError")


def test_production_refuses_unsafe_settings() -> None:
    with pytest.raises(ValueError, match="encrypted") as caught:
        RuntimeSettings(environment="production")
    assert "REPLICATION_FACTOR" in str(caught.value)
    ok = RuntimeSettings(environment="production", kafka_security_protocol="SSL", replication_factor=3)
    assert ok.group_id("triage") == "triage"


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_KAFKA_BOOTSTRAP", "kafka-1:9093")
    monkeypatch.setenv("HOTLINE_TOPIC_PREFIX", "staging.")
    settings = RuntimeSettings()
    assert settings.kafka_bootstrap == "kafka-1:9093"
    assert settings.group_id("review") == "staging.review"


def test_group_timings_default_from_the_session_timeout_and_a_heartbeat_must_fit_in_it() -> None:
    assert RuntimeSettings(kafka_session_timeout_ms=9_000).group_timeouts() == GroupTimeouts(
        session_ms=9_000, heartbeat_ms=3_000, rebalance_ms=9_000)
    tuned = RuntimeSettings(kafka_heartbeat_interval_ms=1_000, kafka_rebalance_timeout_ms=30_000)
    assert tuned.group_timeouts() == GroupTimeouts(session_ms=10_000, heartbeat_ms=1_000, rebalance_ms=30_000)
    with pytest.raises(ValueError, match="HEARTBEAT_INTERVAL_MS must be below"):
        RuntimeSettings(kafka_heartbeat_interval_ms=10_000)


def test_bad_settings_exit_with_one_line_per_problem(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HOTLINE_TOPIC_PREFIX", "has spaces")
    with pytest.raises(SystemExit) as caught:
        load_settings(RuntimeSettings)
    assert caught.value.code == EXIT_CONFIG
    err = capsys.readouterr().err
    assert err.startswith("configuration error: topic_prefix:")
    assert "Traceback" not in err


def test_health_is_ready_only_when_every_component_is() -> None:
    health = Health()
    assert not health.ready and health.live
    health.set("consumer", ready=True, detail="consuming")
    health.set("publisher", ready=False, detail="connecting")
    assert not health.ready
    health.set("publisher", ready=True, detail="connected")
    assert health.ready
    health.set("consumer", ready=False, alive=False, detail="halted")
    assert not health.live and not health.ready


async def test_ops_endpoints() -> None:
    health = Health()
    metrics = RuntimeMetrics("svc")
    transport = httpx.ASGITransport(app=ops_app(health, metrics))
    async with httpx.AsyncClient(transport=transport, base_url="http://ops") as client:
        health.set("consumer", ready=False, detail="joining group")
        assert (await client.get("/readyz")).status_code == 503
        assert (await client.get("/livez")).status_code == 200
        health.set("consumer", ready=True, detail="consuming")
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["components"]["consumer"]["detail"] == "consuming"
        exposition = await client.get("/metrics")
        assert 'hotline_service_info{service="svc"} 1.0' in exposition.text
        for response in (ready, exposition, await client.get("/nowhere")):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["content-security-policy"].startswith("default-src 'none'")
            assert response.headers["cache-control"] == "no-store"


def test_ids_in_allow_listed_fields_are_kept_verbatim_and_addresses_masked_in_messages() -> None:
    event_id = "12345678-1234-5678-9abc-123456789abc"
    line = _log_line(lambda log: log.info("listening on http://127.0.0.1:9101", extra={"event_id": event_id}))
    assert line["event_id"] == event_id
    assert line["msg"] == "listening on http://<ip>:9101"


def test_runtime_public_surface_is_pinned() -> None:
    import services.runtime as runtime

    assert sorted(runtime.__all__) == sorted([
        "EXIT_CONFIG", "EXIT_HALTED", "BatchHandler", "BrokerUnavailable", "ConsumerHalted", "ConsumerLoop",
        "ConsumerPolicy", "ConsumerSpec", "DeadLetterer", "Delivery", "BrokerRecord", "Handler",
        "Health", "HotlineError", "HttpServer", "InMemoryPublisher", "InvalidMessage",
        "KafkaPublisher", "Message", "OpsReporter", "PublishError", "Publisher", "PublisherClosed",
        "RetriableError", "RuntimeMetrics", "RuntimeSettings", "ServiceContext",
        "dead_letter_record", "dlq_topic_for", "load_settings", "ops_app", "run_service",
    ])
    for name in runtime.__all__:
        assert hasattr(runtime, name)


def test_a_command_that_cannot_reach_the_broker_says_so_in_one_line_and_exits_69(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def body(stop: asyncio.Event) -> int:
        raise BrokerUnavailable("cannot reach Kafka at 127.0.0.1:1: connection refused")

    assert run_command("test-command", RuntimeSettings(), body, program="hotline-test") == 69
    assert capsys.readouterr().err.splitlines()[-1] == (
        "hotline-test: cannot reach Kafka at 127.0.0.1:1: connection refused")


def test_sigterm_asks_a_running_command_to_stop_and_its_exit_code_is_its_own() -> None:
    async def body(stop: asyncio.Event) -> int:
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(stop.wait(), 30)
        return 3

    assert run_command("test-command", RuntimeSettings(), body, program="hotline-test") == 3
