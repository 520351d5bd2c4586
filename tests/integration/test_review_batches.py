"""Review applying signals in batches, on the real broker and PostgreSQL: each event once through
duplicates, redeliveries and a crash between the transaction and the offset commit."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from sqlalchemy import text

from contracts import Topic, physical_name
from contracts.events import SignalReceived
from contracts.reference_numbers import reference_for
from services.review.case_batch import SignalBatch
from services.review.cases import CaseStore
from services.review.db import Database, migrate
from services.review.handler import CaseWriter
from services.runtime import (
    ConsumerLoop,
    ConsumerPolicy,
    ConsumerSpec,
    Health,
    KafkaPublisher,
    Message,
    RuntimeMetrics,
    RuntimeSettings,
)
from tests import review_mixed
from tests.builders import received, triaged
from tests.conftest import wait_for
from tests.kafka_reader import read_topic

pytestmark = pytest.mark.postgres

POLICY = ConsumerPolicy(max_batch=50, poll_timeout_ms=100, backoff_initial_s=0.01, backoff_max_s=0.05)


class Pushes:
    """What open queue pages would be told."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def publish(self, message: dict[str, Any]) -> None:
        self.messages.append(message)


@pytest.fixture
def db(postgres_url: str) -> Iterator[Database]:
    migrate(postgres_url)
    database = Database(postgres_url)
    yield database
    database.dispose()


@pytest.fixture
async def publisher(topics: RuntimeSettings) -> AsyncIterator[KafkaPublisher]:
    async with KafkaPublisher(topics, source="/hotline/test", metrics=RuntimeMetrics("test")) as kafka:
        yield kafka


def tips(n: int) -> list[SignalReceived]:
    out = []
    for _ in range(n):
        tip = received()
        out.append(received(signal_id=tip.signal_id, source=tip.source, dedup_key=tip.dedup_key,
                            reference_number=reference_for(str(tip.signal_id), b"test-secret")))
    return out


class Review:
    """Review's signal consumer as ``main`` builds it, counting its batch and per-record calls."""

    def __init__(self, db: Database, settings: RuntimeSettings, publisher: KafkaPublisher, group: str, *,
                 crash_after_apply: bool = False) -> None:
        self.crash_after_apply = crash_after_apply
        self.applied = asyncio.Event()
        self.pushes = Pushes()
        store = CaseStore(db, urgent_ack=timedelta(minutes=5), now=lambda: datetime.now(UTC))
        self.writer = CaseWriter(store, self.pushes)
        self.batches: list[int] = []
        self.singles = 0
        self.settings = settings
        self.group = group
        self.loop = ConsumerLoop(
            ConsumerSpec(name=f"test.{group}", topic=Topic.SIGNALS_RECEIVED, group=group, handler=self.one,
                         event_type=SignalReceived, policy=POLICY, batch_handler=self.batch),
            settings=settings, dlq_publisher=publisher, metrics=RuntimeMetrics("test"), health=Health())
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def one(self, message: Message) -> None:
        self.singles += 1
        await self.writer.received(message)

    async def batch(self, messages: Sequence[Message]) -> None:
        self.batches.append(len(messages))
        await self.writer.received_batch(messages)  # committed in PostgreSQL...
        self.applied.set()
        if self.crash_after_apply:
            await asyncio.Event().wait()  # ...and the process dies before the offsets are

    async def all_committed(self, n: int) -> bool:
        try:
            return await self.committed() == n
        except KafkaError:  # the group's coordinator is not elected yet on a fresh broker
            return False

    def start(self) -> Review:
        self.task = asyncio.create_task(self.loop.run(self.stop))
        return self

    async def finish(self) -> None:
        self.stop.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, 30)

    async def committed(self) -> int:
        name = physical_name(Topic.SIGNALS_RECEIVED, self.settings.topic_prefix)
        admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap)
        await admin.start()
        try:
            offsets = await admin.list_consumer_group_offsets(self.settings.group_id(self.group))
        finally:
            await admin.close()
        return sum(meta.offset for tp, meta in offsets.items() if tp.topic == name and meta.offset > 0)


def snapshot(db: Database) -> dict[str, Any]:
    """Everything an apply writes: a second apply of any event would change some of it (a case's
    version is raised by every apply)."""
    with db.engine.connect() as c:
        return {
            "cases": sorted(c.execute(text("SELECT id, reference_number, version, urgency FROM cases"))
                            .all()),
            "signals": sorted(c.execute(text("SELECT signal_id, case_id FROM signals")).all()),
            "keys": c.execute(text("SELECT count(*) FROM case_keys")).scalar_one(),
            "applied": c.execute(text("SELECT count(*) FROM applied_events")).scalar_one(),
        }


async def test_duplicates_and_redeliveries_in_batches_apply_each_event_once(
    db: Database, topics: RuntimeSettings, publisher: KafkaPublisher
) -> None:
    events = tips(40)
    for event in events + events[:15]:  # 15 published twice: the same event ids again
        await publisher.publish(Topic.SIGNALS_RECEIVED, event)
    first = Review(db, topics, publisher, "review.signals").start()
    await wait_for(lambda: first.all_committed(55), what="every record committed")
    await wait_for(lambda: len(first.pushes.messages) >= 40, what="every case pushed")
    await first.finish()
    assert await first.committed() == 55
    assert first.singles == 0 and max(first.batches) > 1  # applied in batches, none refused
    state = snapshot(db)
    # A case's version rises with every apply on it: the 15 sent twice are where the other 25 are.
    versions = {reference: version for _, reference, version, _ in state["cases"]}
    assert len(versions) == 40 and len(set(versions.values())) == 1
    assert set(versions) == {e.reference_number for e in events}
    assert len(state["signals"]) == 40 and state["applied"] == 40
    assert len(first.pushes.messages) == 40 and all(m["created"] for m in first.pushes.messages)

    # Another group reads the whole topic again: every record is a redelivery, nothing changes.
    again = Review(db, topics, publisher, "review.again").start()
    await wait_for(lambda: sum(again.batches) >= 55, what="the topic read again")
    await wait_for(lambda: again.all_committed(55), what="the second reading committed")
    await again.finish()
    assert snapshot(db) == state
    assert again.pushes.messages == []


async def test_a_crash_between_the_transaction_and_the_commit_redelivers_and_changes_nothing(
    db: Database, topics: RuntimeSettings, publisher: KafkaPublisher
) -> None:
    events = tips(30)
    for event in events:
        await publisher.publish(Topic.SIGNALS_RECEIVED, event)
    crashing = Review(db, topics, publisher, "review.signals", crash_after_apply=True)
    crashing.start()
    await asyncio.wait_for(crashing.applied.wait(), 30)
    assert crashing.task is not None
    crashing.task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await crashing.task
    assert await crashing.committed() == 0
    before = snapshot(db)
    assert 0 < before["applied"] <= 30

    restarted = Review(db, topics, publisher, "review.signals").start()
    await wait_for(lambda: len(snapshot(db)["signals"]) == 30, what="the rest applied after the restart")
    await wait_for(lambda: restarted.all_committed(30), what="every offset committed")
    await restarted.finish()
    assert sum(restarted.batches) + restarted.singles >= 30  # the crashed batch came again too
    after = snapshot(db)
    # What the crashed batch applied is as it was: redelivered, not applied again.
    crashed_cases = {row[0]: row for row in before["cases"]}
    assert all(crashed_cases[row[0]] == row for row in after["cases"] if row[0] in crashed_cases)
    assert len(after["cases"]) == 30 and after["applied"] == 30
    assert len(restarted.pushes.messages) == 30 - before["applied"]



@pytest.fixture
def second_db(postgres_server: str) -> Iterator[Database]:
    """A second empty database on the same server (the first is ``db``'s)."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    name = f"t_{uuid.uuid4().hex[:16]}"
    admin_url = make_url(postgres_server).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    database = Database(url)
    yield database
    database.dispose()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _waiting_on_a_lock(db: Database) -> bool:
    with db.engine.connect() as c:
        return bool(c.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                   "AND wait_event_type = 'Lock'")).scalar_one())


@pytest.mark.parametrize("first", ["triage", "record"])
def test_a_signal_and_its_triage_applied_at_once_by_two_writers_lose_neither(db: Database,
                                                                            first: str) -> None:
    """Review's two streams (two replicas, or one replica's two consumers) may each open the same
    signal at the same moment: each read no signal, and the second writer's insert waits for the
    first's. The second batch must not be stored as done without its content (the record's source
    and narrative, or the triage): it is refused, and applied again one by one it fills the signal."""
    at = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    store = CaseStore(db, urgent_ack=timedelta(minutes=5), now=lambda: at)
    [tip] = tips(1)
    its_triage = triaged(signal_id=tip.signal_id, reference_number=tip.reference_number,
                         received_at=tip.received_at)
    opening, other = (its_triage, tip) if first == "triage" else (tip, its_triage)
    other_topic = (Topic.SIGNALS_RECEIVED if other is tip else Topic.SIGNALS_TRIAGED).value
    refused: list[BaseException] = []

    def second_writer() -> None:
        try:
            store.apply_batch(other_topic, [("the-other-event", other)])
        except Exception as error:  # what the consumer loop sees, then applies one by one
            refused.append(error)

    writer = threading.Thread(target=second_writer)
    with db.transaction() as session:
        SignalBatch(store, session).apply([opening])  # written, not yet committed
        writer.start()
        deadline = time.monotonic() + 30
        while not _waiting_on_a_lock(db):  # the second writer read no signal and waits on this one's
            assert writer.is_alive() and time.monotonic() < deadline, "the second writer never waited"
            time.sleep(0.05)
    writer.join(30)
    assert len(refused) == 1, "the second batch was stored as done though its signal was not written"
    # The consumer loop's answer to a refused batch: the record alone, on the committed signal.
    if other is tip:
        assert store.apply_received("the-other-event", tip) is not None
    else:
        assert store.apply_triaged("the-other-event", its_triage) is not None
    with db.engine.connect() as c:
        source, narrative, triage = c.execute(text(
            "SELECT source, narrative, triage FROM signals WHERE signal_id = :id"),
            {"id": tip.signal_id}).one()
        cases = c.execute(text("SELECT count(*) FROM cases WHERE reference_number = :ref"),
                          {"ref": tip.reference_number}).scalar_one()
    assert source is not None and narrative == tip.narrative and triage is not None
    assert cases == 1  # the refused batch's own new case went with it


def test_a_mixed_stretch_in_batches_leaves_postgres_as_one_by_one_does(db: Database,
                                                                      second_db: Database) -> None:
    at = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    stretch = review_mixed.phases()
    review_mixed.one_by_one(CaseStore(db, urgent_ack=timedelta(minutes=5), now=lambda: at), stretch)
    review_mixed.in_batches(CaseStore(second_db, urgent_ack=timedelta(minutes=5), now=lambda: at), stretch)
    expected, got = review_mixed.state(db), review_mixed.state(second_db)
    for table in expected:
        assert got[table] == expected[table], table
    assert any(row[2] == "merged" for row in got["cases"]) and len(got["links"]) == 4


async def test_a_poisoned_record_in_a_batch_is_dead_lettered_alone(
    db: Database, topics: RuntimeSettings, publisher: KafkaPublisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = tips(20)
    poisoned = events[7]
    for method in (SignalBatch, CaseStore):  # a bug this one record meets, on either path
        real = method._received

        def failing(self: Any, *args: Any, real: Any = real) -> Any:
            if args[-1].signal_id == poisoned.signal_id:
                raise ValueError("a bug this record meets")
            return real(self, *args)

        monkeypatch.setattr(method, "_received", failing)
    for event in events:
        await publisher.publish(Topic.SIGNALS_RECEIVED, event)
    review = Review(db, topics, publisher, "review.signals").start()
    await wait_for(lambda: review.all_committed(20), what="every record committed")
    await review.finish()
    dead = await read_topic(topics, Topic.SIGNALS_RECEIVED_DLQ, 1)
    assert [r.key for r in dead] == [str(poisoned.signal_id).encode()]
    state = snapshot(db)
    assert len(state["signals"]) == 19 and state["applied"] == 19
    assert str(poisoned.signal_id) not in {str(s) for s, _ in state["signals"]}
    assert review.singles >= 1  # the refused batch went record by record
    assert len(review.pushes.messages) == 19
