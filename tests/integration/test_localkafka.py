"""The local broker scripts: start, restart on the same data, refuse a taken port, cached jars."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from deploy.localkafka import Broker, LocalKafkaError, default_libs_dir, fetch_jars, main


async def _create_and_send(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic("kept", 1, 1)])
    await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    await producer.send_and_wait("kept", b"survives a restart")
    await producer.stop()


async def _read_one(bootstrap: str) -> bytes:
    consumer = AIOKafkaConsumer("kept", bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                group_id="reader")
    await consumer.start()
    try:
        record = await consumer.getone()
        return bytes(record.value)
    finally:
        await consumer.stop()


async def test_a_restarted_broker_keeps_its_port_and_its_data(tmp_path: Path) -> None:
    broker = Broker(state_dir=tmp_path / "kafka", port=0)
    bootstrap = broker.start()
    try:
        assert broker.running()
        await _create_and_send(bootstrap)
        broker.stop()
        assert not broker.running()
        again = Broker(state_dir=tmp_path / "kafka", port=0)
        assert again.start() == bootstrap
        assert await _read_one(bootstrap) == b"survives a restart"
    finally:
        Broker(state_dir=tmp_path / "kafka", port=0).stop()


def test_a_taken_port_is_refused_in_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(LocalKafkaError, match=f"port {port} on 127.0.0.1 is already in use"):
            Broker(state_dir=tmp_path / "k", port=port).start()
        assert main(["start", "--state-dir", str(tmp_path / "k"), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: port") and err.count("\n") == 1


def test_missing_java_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LocalKafkaError, match="java not found on PATH"):
        Broker(state_dir=tmp_path / "k", port=0).start()


def test_jars_are_fetched_once_and_then_reused() -> None:
    libs = fetch_jars()
    assert (libs / ".complete").exists()
    assert any(p.name.startswith("kafka_2.13-") for p in libs.iterdir())
    before = {p.name: p.stat().st_mtime_ns for p in libs.iterdir()}
    assert fetch_jars() == libs == default_libs_dir()
    assert {p.name: p.stat().st_mtime_ns for p in libs.iterdir()} == before


def test_status_of_a_stopped_broker(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--state-dir", str(tmp_path)]) == 3
    assert capsys.readouterr().out.strip() == "not running"


def test_missing_maven_is_named_when_jars_are_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LocalKafkaError, match="mvn not found on PATH"):
        fetch_jars(tmp_path / "empty-cache")
