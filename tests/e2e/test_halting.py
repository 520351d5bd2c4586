"""A consumer that keeps failing stops its process (exit 75) instead of draining its topic into the DLQ."""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import pytest

from contracts import KafkaRecord, Topic
from services.runtime import EXIT_HALTED, KafkaPublisher, RuntimeMetrics, RuntimeSettings
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
                                                "HOTLINE_REVIEW_DB": str(tmp_path / "r.sqlite3")},
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
