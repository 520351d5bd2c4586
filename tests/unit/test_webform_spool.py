"""The spool and the durable sender: fsynced, ordered, bounded, and no second copy from a slow broker."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from contracts import KafkaRecord, Topic
from intake_webform.metrics import WebformMetrics
from intake_webform.ratelimit import GlobalBudget, RateLimiter
from services.runtime import BrokerUnavailable, Delivery, Health, RuntimeMetrics, ops_app
from services.runtime.durable import DurableSender, Outcome
from services.runtime.spool import Spool, SpoolFull


def record(n: int) -> KafkaRecord:
    return KafkaRecord(
        key=f"k{n}".encode(), value=f'{{"n":{n}}}'.encode(), headers=(("ce_id", f"id-{n}".encode()),)
    )


def test_records_survive_a_restart_in_order(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_records=10, max_bytes=1 << 20)
    for n in range(3):
        spool.append(Topic.SIGNALS_RECEIVED, record(n))
    first = spool.oldest()
    assert first is not None
    spool.remove(first.seq)
    reopened = Spool(tmp_path, max_records=10, max_bytes=1 << 20)
    assert len(reopened) == 2
    oldest = reopened.oldest()
    assert oldest is not None and oldest.record == record(1) and oldest.topic is Topic.SIGNALS_RECEIVED
    reopened.append(Topic.SIGNALS_RECEIVED, record(9))
    seqs = sorted(int(p.stem) for p in tmp_path.glob("*.rec"))
    assert seqs == sorted(seqs) and len(seqs) == 3 and seqs[-1] > oldest.seq


def test_a_full_spool_refuses(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_records=2, max_bytes=1 << 20)
    spool.append(Topic.SIGNALS_RECEIVED, record(1))
    spool.append(Topic.SIGNALS_RECEIVED, record(2))
    with pytest.raises(SpoolFull):
        spool.append(Topic.SIGNALS_RECEIVED, record(3))
    small = Spool(tmp_path / "bytes", max_records=100, max_bytes=300)
    small.append(Topic.SIGNALS_RECEIVED, record(1))
    with pytest.raises(SpoolFull):
        small.append(Topic.SIGNALS_RECEIVED, record(2))


def test_a_damaged_record_is_set_aside_not_deleted_and_the_rest_drains(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_records=10, max_bytes=1 << 20)
    damaged = spool.append(Topic.SIGNALS_RECEIVED, record(1))
    spool.append(Topic.SIGNALS_RECEIVED, record(2))
    path = tmp_path / f"{damaged.seq:016d}.rec"
    path.write_bytes(path.read_bytes()[:-20])  # a torn write
    oldest = spool.oldest()
    assert oldest is not None and oldest.record == record(2)
    assert (tmp_path / "unreadable" / path.name).exists()


def test_files_are_private(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s", max_records=10, max_bytes=1 << 20)
    spooled = spool.append(Topic.SIGNALS_RECEIVED, record(1))
    assert ((tmp_path / "s" / f"{spooled.seq:016d}.rec").stat().st_mode & 0o777) == 0o600


class SlowBroker:
    """Acknowledges only when told to, and counts what it was asked to publish."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.attempts: list[KafkaRecord] = []
        self.failures = 0

    async def publish(self, *args: object, **kwargs: object) -> Delivery:
        raise NotImplementedError

    async def publish_record(self, topic: Topic, record: KafkaRecord) -> Delivery:
        self.attempts.append(record)
        if self.failures:
            self.failures -= 1
            raise BrokerUnavailable("down")
        await self.release.wait()
        return Delivery(topic=topic, partition=0, offset=len(self.attempts), event_id=record.event_id)


async def test_a_slow_ack_spools_and_the_drainer_waits_for_that_attempt_instead_of_sending_twice(
    tmp_path: Path,
) -> None:
    broker = SlowBroker()
    spool = Spool(tmp_path, max_records=10, max_bytes=1 << 20)
    sender = DurableSender(broker, spool, publish_timeout=0.05)
    assert await sender.send(Topic.SIGNALS_RECEIVED, record(1)) is Outcome.SPOOLED
    assert await sender.send(Topic.SIGNALS_RECEIVED, record(2)) is Outcome.SPOOLED  # straight to the spool
    assert len(spool) == 2 and sender.degraded
    drainer = asyncio.create_task(sender.drain())
    await asyncio.sleep(0.1)
    broker.release.set()
    await asyncio.wait_for(sender.wait_drained(), 5)
    drainer.cancel()
    assert broker.attempts == [record(1), record(2)]  # record 1 was sent once, not re-sent by the drainer
    assert len(spool) == 0 and not sender.degraded
    assert await sender.send(Topic.SIGNALS_RECEIVED, record(3)) is Outcome.PUBLISHED


async def test_the_drainer_retries_with_backoff_until_the_broker_takes_the_record(tmp_path: Path) -> None:
    broker = SlowBroker()
    broker.release.set()
    broker.failures = 4  # the first send and three drain attempts fail
    spool = Spool(tmp_path, max_records=10, max_bytes=1 << 20)
    sender = DurableSender(broker, spool, publish_timeout=1, backoff_initial=0.01, backoff_max=0.02)
    assert await sender.send(Topic.SIGNALS_RECEIVED, record(1)) is Outcome.SPOOLED
    drainer = asyncio.create_task(sender.drain())
    await asyncio.wait_for(sender.wait_drained(), 5)
    drainer.cancel()
    assert len(broker.attempts) == 5 and len(spool) == 0


async def test_the_spools_depth_is_on_the_intakes_own_metrics_while_the_broker_is_away(
    tmp_path: Path,
) -> None:
    """Scraped from the intake's ops port, never through Kafka; read at each scrape, so it falls
    when the drainer empties the spool, not only when the next tip arrives."""
    broker = SlowBroker()
    broker.failures = 10**6  # the broker is away
    spool = Spool(tmp_path, max_records=10, max_bytes=1 << 20)
    runtime = RuntimeMetrics("intake-webform")
    WebformMetrics(runtime.registry).watch_spool(spool.usage)
    sender = DurableSender(broker, spool, publish_timeout=1, backoff_initial=0.01, backoff_max=0.02)
    transport = httpx.ASGITransport(app=ops_app(Health(), runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://ops") as client:

        async def scraped() -> dict[str, float]:
            lines = (await client.get("/metrics")).text.splitlines()
            pairs = (line.split(" ") for line in lines if line.startswith("hotline_webform_spool"))
            return {name: float(value) for name, value in pairs}

        for n in range(3):
            assert await sender.send(Topic.SIGNALS_RECEIVED, record(n)) is Outcome.SPOOLED
        during = await scraped()
        assert during["hotline_webform_spool_records"] == 3
        assert during["hotline_webform_spool_bytes"] == spool.size_bytes > 0
        assert (during["hotline_webform_spool_capacity_records"],
                during["hotline_webform_spool_capacity_bytes"]) == (10, 1 << 20)
        drainer = asyncio.create_task(sender.drain())
        broker.failures = 0
        broker.release.set()
        await asyncio.wait_for(sender.wait_drained(), 5)
        drainer.cancel()
        after = await scraped()
        assert (after["hotline_webform_spool_records"], after["hotline_webform_spool_bytes"]) == (0, 0)


def test_the_rate_limiter_forgets_clients_when_its_key_rotates() -> None:
    now = [0.0]
    limiter = RateLimiter(per_client=2, window_s=60, clock=lambda: now[0])
    assert [limiter.allow("198.51.100.7") for _ in range(3)] == [True, True, False]
    assert limiter.allow("198.51.100.8")
    now[0] = 61.0
    assert limiter.allow("198.51.100.7") and limiter.tracked == 1


def test_where_clients_cannot_be_told_apart_there_is_no_per_client_budget() -> None:
    # Behind an onion service every reporter is the tor daemon's address: a per-client budget
    # would be one budget for all of them.
    limiter = RateLimiter(per_client=None, window_s=60)
    assert all(limiter.allow("127.0.0.1") for _ in range(1000)) and limiter.tracked == 0


def test_the_global_budget_refills_at_its_rate_up_to_its_burst() -> None:
    now = [0.0]
    budget = GlobalBudget(per_s=5, burst=10, clock=lambda: now[0])
    assert sum(budget.take() for _ in range(20)) == 10
    assert budget.wait_s() == pytest.approx(0.2)
    now[0] = 1.0
    assert sum(budget.take() for _ in range(20)) == 5
    now[0] = 100.0
    assert sum(budget.take() for _ in range(20)) == 10


async def test_over_the_budget_records_queue_in_the_spool_and_drain_at_its_pace(tmp_path: Path) -> None:
    broker = SlowBroker()
    broker.release.set()
    now = [0.0]
    budget = GlobalBudget(per_s=100, burst=2, clock=lambda: now[0])
    spool = Spool(tmp_path, max_records=10, max_bytes=1 << 20)
    sender = DurableSender(broker, spool, publish_timeout=1, budget=budget)
    outcomes = [await sender.send(Topic.SIGNALS_RECEIVED, record(n)) for n in range(5)]
    assert outcomes == [Outcome.PUBLISHED] * 2 + [Outcome.QUEUED] * 3  # durable, none refused
    assert broker.attempts == [record(0), record(1)] and len(spool) == 3
    drainer = asyncio.create_task(sender.drain())
    try:
        await asyncio.sleep(0.05)
        assert broker.attempts == [record(0), record(1)]  # the budget is spent: nothing passes it
        for expected in (3, 4, 5):
            now[0] += 0.0105  # one more tip's worth (and a little: floating point)
            deadline = asyncio.get_running_loop().time() + 5
            while len(broker.attempts) < expected:
                assert asyncio.get_running_loop().time() < deadline, "the drainer did not use the budget"
                await asyncio.sleep(0.005)
            assert len(broker.attempts) == expected
        await asyncio.wait_for(sender.wait_drained(), 5)
    finally:
        drainer.cancel()
    assert broker.attempts == [record(n) for n in range(5)] and len(spool) == 0


async def test_records_spooled_in_an_outage_drain_at_the_brokers_pace_not_the_budgets(tmp_path: Path) -> None:
    # An urgent tip taken while the broker was away must not wait behind the budget once it is back.
    broker = SlowBroker()
    broker.release.set()
    broker.failures = 1  # the broker refuses the first tip: an outage
    now = [0.0]
    budget = GlobalBudget(per_s=0.001, burst=1, clock=lambda: now[0])  # one tip, then nothing for ages
    spool = Spool(tmp_path, max_records=10, max_bytes=1 << 20)
    sender = DurableSender(broker, spool, publish_timeout=1, budget=budget)
    outcomes = [await sender.send(Topic.SIGNALS_RECEIVED, record(n)) for n in range(4)]
    assert outcomes == [Outcome.SPOOLED] * 4  # the first spent the budget and was refused; all durable
    drainer = asyncio.create_task(sender.drain())
    try:
        await asyncio.wait_for(sender.wait_drained(), 5)  # the clock never moves: no budget is needed
    finally:
        drainer.cancel()
    assert len(spool) == 0 and broker.attempts[-4:] == [record(n) for n in range(4)]


def test_the_drainer_waits_for_a_record_still_being_written_and_never_sets_it_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """append hands out a sequence number, then writes and renames the file; a drainer asking for
    the oldest record in between used to find no file, set the record aside as unreadable and drop
    it from the queue, while the file appeared a moment later and stayed on disk, never published."""
    import os
    import threading

    spool = Spool(tmp_path / "spool", max_records=10, max_bytes=1 << 20)
    renaming, release = threading.Event(), threading.Event()
    real_replace = os.replace

    def slow_replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if str(target).endswith(".rec"):
            renaming.set()
            release.wait(10)
        real_replace(source, target)

    monkeypatch.setattr("services.runtime.spool.os.replace", slow_replace)
    record = KafkaRecord(key=b"k", value=b"an urgent text", headers=())
    writer = threading.Thread(target=spool.append, args=(Topic.SIGNALS_RECEIVED, record))
    writer.start()
    assert renaming.wait(10)
    found: list[object] = []
    drainer = threading.Thread(target=lambda: found.append(spool.oldest()))
    drainer.start()
    drainer.join(0.5)
    assert drainer.is_alive(), "the drainer did not wait for the record being written"
    release.set()
    writer.join(10)
    drainer.join(10)
    oldest = found[0]
    assert oldest is not None and oldest.record.value == b"an urgent text"  # type: ignore[attr-defined]
    set_aside = spool.directory / "unreadable"
    assert not set_aside.exists() or not any(set_aside.iterdir())
    assert len(spool) == 1
