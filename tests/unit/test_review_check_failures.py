"""Review's SLA check failing (PostgreSQL down) in the log: each change once, a count in between."""

from __future__ import annotations

import asyncio
import io
from typing import Any, cast

import pytest

from services.review.check_failures import CheckFailures
from services.review.config import ReviewSettings
from services.review.decisions import Decisions
from services.review.live import LiveHub
from services.review.main import sla_clock
from services.review.metrics import DeadlineGauges
from tests.conftest import wait_for
from tests.log_capture import Seconds, json_lines

pytestmark = pytest.mark.unit


def test_a_failing_check_is_one_line_then_a_count_a_minute_then_one_line_back(
        log_stream: io.StringIO) -> None:
    clock = Seconds()
    failures = CheckFailures(report_every_s=60, clock=clock)
    failures.succeeded()  # working: nothing to say
    for _ in range(30):  # thirty ticks a second apart
        failures.failed("OperationalError")
        clock.now += 1
    clock.now += 40
    failures.failed("OperationalError")  # a minute after the first line
    failures.succeeded()
    failures.succeeded()
    failures.failed("OperationalError")  # a new spell of failures is a new first line

    lines = json_lines(log_stream)
    assert [(line["level"], line["msg"]) for line in lines] == [
        ("error", "SLA check failed; later failures are counted, not logged"),
        ("warning", "SLA check still failing"),
        ("warning", "SLA check working again"),
        ("error", "SLA check failed; later failures are counted, not logged"),
    ]
    assert lines[0]["error_class"] == "OperationalError"
    assert (lines[1]["count"], lines[1]["duration_ms"]) == (30, 70_000)
    assert lines[2]["count"] == 31
    assert failures.failing


class BrokenDatabase:
    """Decisions whose database is down: every tick of the clock fails."""

    def __init__(self) -> None:
        self.ticks = 0

    @property
    def db(self) -> Any:
        self.ticks += 1
        raise ConnectionRefusedError("PostgreSQL is down")


async def test_the_sla_clock_logs_an_outage_once_not_every_tick(log_stream: io.StringIO) -> None:
    from prometheus_client import CollectorRegistry

    decisions = BrokenDatabase()
    settings = ReviewSettings(environment="test", sla_check_s=0.01)
    stop = asyncio.Event()
    running = asyncio.create_task(sla_clock(cast(Decisions, decisions), LiveHub(), settings,
                                            DeadlineGauges(CollectorRegistry()), stop))
    await wait_for(lambda: decisions.ticks >= 10, what="ten failed ticks")
    stop.set()
    await running

    failed = [line for line in json_lines(log_stream) if line["msg"].startswith("SLA check")]
    assert [line["msg"] for line in failed] == ["SLA check failed; later failures are counted, not logged"]
    assert failed[0]["error_class"] == "ConnectionRefusedError"
