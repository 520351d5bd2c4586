"""Two review replicas on one PostgreSQL: migrations one at a time, one SLA clock at a time, and a
page on either replica hearing what the other applied (LISTEN/NOTIFY)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text

from services.review.cases import CaseStore
from services.review.config import ReviewSettings
from services.review.db import Database, migrate
from services.review.decisions import Decisions
from services.review.live import LiveHub, PostgresLive
from services.review.main import SLA_CLOCK_LOCK, sla_clock
from services.runtime.sql import advisory_lock
from tests.conftest import wait_for
from tests.e2e.processes import REPO
from tests.unit.test_review_cases import Clock, _urgent_case

pytestmark = pytest.mark.postgres


@pytest.fixture
def replicas(postgres_url: str) -> Iterator[tuple[Database, Database]]:
    migrate(postgres_url)
    first, second = Database(postgres_url), Database(postgres_url)
    yield first, second
    first.dispose()
    second.dispose()


@pytest.mark.parametrize("service", ["review", "reporting"])
def test_replicas_starting_together_migrate_one_at_a_time(postgres_url: str, service: str) -> None:
    # Every replica runs the migrations at start, and replicas start together (a first install, a
    # rollout); without the lock the later ones fail on the tables the first is creating. Alembic
    # keeps process-wide state, so each replica is a process of its own, as in production.
    program = f"import sys; from services.{service}.db import migrate; migrate(sys.argv[1])"
    replicas = [subprocess.Popen([sys.executable, "-c", program, postgres_url], cwd=REPO,  # noqa: S603 - fixed argv
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(4)]
    outputs = [replica.communicate(timeout=120)[0].decode(errors="replace") for replica in replicas]
    assert [replica.returncode for replica in replicas] == [0] * 4, outputs
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        engine.dispose()


class Ticks:
    """Stands in for the Prometheus gauges: counts the clock's ticks."""

    def __init__(self) -> None:
        self.count = 0

    def observe(self, _late: dict[str, tuple[int, float]]) -> None:
        self.count += 1


def _escalations(db: Database) -> list[tuple[str, int]]:
    with db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT case_id, detail FROM audit_log WHERE action = 'escalate'")).all()
    return [(str(case_id), int((json.loads(d) if isinstance(d, str) else d)["level"])) for case_id, d in rows]


async def test_the_sla_clock_runs_in_one_replica_at_a_time(replicas: tuple[Database, Database]) -> None:
    first, second = replicas
    clock = Clock()
    store = CaseStore(first, urgent_ack=timedelta(minutes=5), now=clock)
    cases = {str(_urgent_case(store)[0]) for _ in range(4)}
    clock.now += timedelta(minutes=6)
    settings = ReviewSettings(environment="test", sla_check_s=0.02, escalation_repeat_minutes=5)
    replica = [Decisions(db, now=clock, claim_ttl=timedelta(minutes=30)) for db in replicas]

    # The other replica holds the clock: this one ticks and escalates nothing.
    stop, ticks = asyncio.Event(), Ticks()
    with advisory_lock(second.engine, SLA_CLOCK_LOCK, wait=False) as held:
        assert held
        running = asyncio.create_task(sla_clock(replica[0], LiveHub(), settings, ticks, stop))
        await wait_for(lambda: ticks.count >= 5, what="five ticks while the other replica holds the clock")
        assert _escalations(first) == []
    # Released (the other replica finished its tick, or died): this one escalates each case once.
    await wait_for(lambda: len(_escalations(first)) == len(cases), what="every overdue case escalated")
    stop.set()
    await running

    # Both replicas' clocks running at once, through two more levels: each case escalates once per level.
    stop, tick_counts = asyncio.Event(), [Ticks(), Ticks()]
    clocks = [asyncio.create_task(sla_clock(d, LiveHub(), settings, t, stop))
              for d, t in zip(replica, tick_counts, strict=True)]
    for level in (2, 3):
        clock.now += timedelta(minutes=6)
        await wait_for(lambda: len(_escalations(first)) == len(cases) * level,  # noqa: B023 (awaited here)
                       what=f"every case escalated to level {level}")
        before = [t.count for t in tick_counts]
        await wait_for(lambda: all(t.count >= b + 10 for t, b in zip(tick_counts, before, strict=True)),  # noqa: B023
                       what="both clocks ticking on")
    stop.set()
    await asyncio.gather(*clocks)
    escalations = _escalations(first)
    assert sorted(escalations) == sorted((c, level) for c in cases for level in (1, 2, 3)), escalations


async def test_a_page_on_one_replica_hears_what_the_other_applied(postgres_url: str) -> None:
    pages = [LiveHub(), LiveHub()]
    channels = [PostgresLive(postgres_url, hub, check_s=1.0) for hub in pages]
    stop = asyncio.Event()
    running = [asyncio.create_task(channel.run(stop)) for channel in channels]
    streams = [hub.subscribe(heartbeat_s=60) for hub in pages]
    try:
        await wait_for(lambda: all(c.listening for c in channels), what="both replicas listening")
        for stream in streams:
            assert await anext(stream) == "retry: 3000\n\n"
        case_id = str(uuid.uuid4())
        channels[0].publish({"type": "case", "case_id": case_id, "urgency": "p1_immediate", "urgent": True})
        for stream in streams:  # the other replica's page, and the sender's own (once, by the channel)
            frame = await asyncio.wait_for(anext(stream), 20)
            assert frame.startswith("event: case\n") and case_id in frame
    finally:
        stop.set()
        await asyncio.gather(*running)
        for stream in streams:
            await stream.aclose()


async def test_an_urgent_push_survives_a_backlog_of_routine_news_while_the_database_was_away(
        postgres_url: str) -> None:
    sender, receiver = LiveHub(), LiveHub(queue_size=2000)
    channels = [PostgresLive(postgres_url, hub, check_s=1.0) for hub in (sender, receiver)]
    urgent_id = str(uuid.uuid4())
    # Published before the channel runs, as while the database is away: the urgent push first,
    # then more routine news than the channel keeps.
    channels[0].publish({"type": "case", "case_id": urgent_id, "urgency": "p1_act_now", "urgent": True,
                         "announce": True})
    for _ in range(1500):
        channels[0].publish({"type": "case", "case_id": str(uuid.uuid4()), "urgency": "p3_business_days",
                             "urgent": False, "announce": False})
    stop = asyncio.Event()
    page = receiver.subscribe(heartbeat_s=60)
    assert await anext(page) == "retry: 3000\n\n"
    listening = asyncio.create_task(channels[1].run(stop))
    try:
        await wait_for(lambda: channels[1].listening, what="the other replica listening")
        sending = asyncio.create_task(channels[0].run(stop))
        frames: list[str] = []

        async def heard() -> bool:
            frames.append(await asyncio.wait_for(anext(page), 20))
            return urgent_id in frames[-1]

        await wait_for(heard, timeout=30, what="the urgent push on the other replica's page")
        assert len(frames) <= 1001  # routine news past the channel's 1,000 was let go
        stop.set()
        await sending
    finally:
        stop.set()
        await listening
        await page.aclose()
