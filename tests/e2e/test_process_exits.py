"""How service processes end: a consumer that keeps failing exits 75, a taken port exits 78."""

from __future__ import annotations

import contextlib
import socket
import subprocess
from pathlib import Path

import pytest

from contracts import KafkaRecord, Topic
from services.runtime import EXIT_CONFIG, EXIT_HALTED, KafkaPublisher, RuntimeMetrics, RuntimeSettings
from tests.e2e.processes import ServiceProcess
from tests.kafka_reader import read_topic

pytestmark = pytest.mark.e2e


async def test_review_halts_with_exit_75_after_ten_dead_letters_in_a_row(
    topics: RuntimeSettings, service_env: dict[str, str], tmp_path: Path
) -> None:
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("t")) as publisher:
        for i in range(15):
            await publisher.publish_record(Topic.SIGNALS_TRIAGED, KafkaRecord(
                key=b"one-partition", value=f"poison {i}".encode(), headers=()))

    review = ServiceProcess("services.review", {**service_env, "HOTLINE_HTTP_PORT": "0",
                                                "HOTLINE_REVIEW_DATABASE_URL": _sqlite(tmp_path)},
                            tmp_path / "review.log")
    with contextlib.suppress(AssertionError):  # it may halt before a readiness probe answers
        review.start()
    assert review.process is not None
    try:
        code = review.process.wait(60)
    except subprocess.TimeoutExpired:
        review.stop_quietly()
        pytest.fail(f"review did not halt: {review.tail()}")
    assert code == EXIT_HALTED
    dead = await read_topic(topics, Topic.SIGNALS_TRIAGED_DLQ, 10)
    assert [d.value for d in dead] == [f"poison {i}".encode() for i in range(10)]
    assert any(line.get("msg") == "consumer halted" for line in review.log_lines())


async def test_a_taken_port_is_one_clear_line_and_exit_78(
    topics: RuntimeSettings, service_env: dict[str, str], tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        review = ServiceProcess("services.review", {**service_env, "HOTLINE_HTTP_PORT": str(port),
                                                    "HOTLINE_REVIEW_DATABASE_URL": _sqlite(tmp_path)},
                                tmp_path / "review.log")
        with contextlib.suppress(AssertionError):
            review.start(ready_timeout=20)
        assert review.process is not None
        assert review.process.wait(30) == EXIT_CONFIG
    lines = review.log_lines()
    [critical] = [line for line in lines if line.get("level") == "critical"]
    assert critical["error"] == (f"ServerStartError: review server cannot listen on 127.0.0.1:{port} "
                                 "(in use, or not permitted)")
    assert not any("Traceback" in str(line) for line in lines)


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'r.sqlite3'}"
