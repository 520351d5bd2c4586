"""The audit trail on real PostgreSQL (and on SQLite): the database refuses edits, and ``verify`` finds
the ones made by someone who switched the trigger off, down to the first bad seq."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from services.review import audit
from services.review.db import Database, migrate
from services.review.models import AuditEntry

# SQLite runs the same checks here, on a file of the test's own; only PostgreSQL needs the server.
pytestmark = pytest.mark.postgres

START = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
CASE = uuid.UUID("6f1c1d2e-0000-4000-8000-000000000001")


@pytest.fixture(params=["postgresql", "sqlite"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" \
        else f"sqlite:///{tmp_path / 'review.sqlite3'}"
    migrate(url)
    database = Database(url)
    yield database
    database.dispose()


def add(db: Database, count: int, *, first: int = 0) -> None:
    for n in range(first, first + count):
        with db.transaction() as session:
            audit.append(session, actor="sam", action="claim" if n % 2 else "reveal_reporter",
                         case_id=CASE if n % 3 else None,
                         detail={"n": n, "reason": "Reporter asked for a call", "signals": [str(CASE)]},
                         at=START + timedelta(seconds=n, microseconds=n))


def seqs(db: Database) -> list[int]:
    with db.read() as session:
        return list(session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))


@contextmanager
def around_the_trigger(db: Database) -> Iterator[Connection]:
    """What only the database's owner can do: switch the append-only trigger off, change the
    table, switch it back on."""
    with db.engine.begin() as connection:
        if db.is_postgres:
            connection.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            yield connection
            connection.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")
            return
        triggers = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                           "AND tbl_name = 'audit_log'")).all()
        assert triggers, "the migration installs the append-only triggers"
        for name, _ in triggers:
            connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield connection
        for _, sql in triggers:
            connection.exec_driver_sql(sql)


# ------------------------------------------------------------------ the chain

def test_a_chain_of_entries_verifies(db: Database) -> None:
    assert audit.head(db) == (0, audit.GENESIS)
    assert audit.verify(db) == audit.AuditVerification(True, 0, None, None, (0, audit.GENESIS))
    add(db, 7)
    with db.transaction() as session:  # several entries in one transaction chain in order too
        for n in range(3):
            audit.append(session, actor="system", action="escalate", case_id=CASE,
                         detail={"level": n + 1, "alerted": None}, at=START + timedelta(minutes=n))
    result = audit.verify(db, batch_size=3)  # several batches, one boundary inside the transaction
    assert result.ok and result.rows_checked == 10 and result.problem is None
    assert result.head == audit.head(db)
    with db.read() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))


def test_the_database_refuses_to_change_or_remove_entries(db: Database) -> None:
    add(db, 3)
    attempts = [update(AuditEntry).where(AuditEntry.seq == 2).values(actor="someone-else"),
                delete(AuditEntry).where(AuditEntry.seq == 2)]
    for statement in attempts:
        with pytest.raises(DBAPIError, match="audit_log is append-only"), db.transaction() as session:
            session.execute(statement)
    with db.read() as session:  # through the ORM as well
        entry = session.get(AuditEntry, 3)
        assert entry is not None
        entry.detail = {"n": 99}
        with pytest.raises(DBAPIError, match="append-only"):
            session.commit()
    if db.is_postgres:
        with pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"), db.transaction() as session:
            session.execute(text("TRUNCATE audit_log"))
    assert seqs(db) == [1, 2, 3] and audit.verify(db).ok


def test_a_changed_row_is_found(db: Database) -> None:
    add(db, 6)
    with around_the_trigger(db) as owner:
        owner.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(detail={"n": 2, "reason": "x"}))
    result = audit.verify(db)
    assert (result.ok, result.first_bad_seq, result.rows_checked) == (False, 3, 3)
    assert result.problem is not None and "changed after it was written" in result.problem


def test_a_changed_time_or_actor_is_found(db: Database) -> None:
    add(db, 4)
    with around_the_trigger(db) as owner:
        owner.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(at=START + timedelta(hours=5)))
    assert audit.verify(db).first_bad_seq == 2
    with around_the_trigger(db) as owner:
        owner.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(actor="ana"))
    assert audit.verify(db).first_bad_seq == 1


def test_a_changed_and_rehashed_row_breaks_the_next_link(db: Database) -> None:
    add(db, 5)
    with db.read() as session:
        row = session.get(AuditEntry, 3)
        assert row is not None
    forged = audit._entry_hash(row.prev_hash, at=row.at, actor=row.actor, action=row.action,
                               case_id=row.case_id, detail={"n": 2})
    with around_the_trigger(db) as owner:
        owner.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(detail={"n": 2}, hash=forged))
    result = audit.verify(db)
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert result.problem is not None and "seq 3" in result.problem


def test_a_deleted_middle_row_is_found(db: Database) -> None:
    add(db, 6)
    with around_the_trigger(db) as owner:
        owner.execute(delete(AuditEntry).where(AuditEntry.seq == 4))
    result = audit.verify(db)
    assert (result.ok, result.first_bad_seq) == (False, 5)
    assert result.problem is not None and "deleted" in result.problem


def test_deleted_first_rows_are_found(db: Database) -> None:
    add(db, 4)
    with around_the_trigger(db) as owner:
        owner.execute(delete(AuditEntry).where(AuditEntry.seq <= 2))
    result = audit.verify(db)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert result.problem is not None and "first row" in result.problem


def test_only_a_recorded_head_catches_a_removed_or_rewritten_tail(db: Database) -> None:
    add(db, 6)
    recorded = audit.head(db)
    assert recorded[0] == 6
    add(db, 2, first=6)
    assert audit.verify(db, expect_head=recorded).ok  # the trail grew since: fine

    with around_the_trigger(db) as owner:
        owner.execute(delete(AuditEntry).where(AuditEntry.seq >= 5))
    assert audit.verify(db).ok  # the documented limit: a shorter chain is still a chain
    truncated = audit.verify(db, expect_head=recorded)
    assert (truncated.ok, truncated.first_bad_seq) == (False, 6)
    assert truncated.problem is not None and "removed from the end" in truncated.problem

    add(db, 4, first=100)  # a rewritten tail, every hash recomputed by append itself
    assert audit.verify(db).ok
    rewritten = audit.verify(db, expect_head=recorded)
    assert (rewritten.ok, rewritten.first_bad_seq) == (False, 6)
    # PostgreSQL's sequence moved on (seq 6 is gone); SQLite reuses it (seq 6 hashes differently).
    assert rewritten.problem is not None
    assert "is missing" in rewritten.problem or "differently" in rewritten.problem


def test_concurrent_appends_keep_one_unbroken_chain(db: Database) -> None:
    threads, each = 4, 25
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            start.wait(timeout=30)
            for n in range(each):
                with db.transaction() as session:
                    audit.append(session, actor=f"worker-{worker}", action="claim", case_id=CASE,
                                 detail={"worker": worker, "n": n}, at=datetime.now(UTC))
        except BaseException as error:
            failures.append(error)

    workers = [threading.Thread(target=work, args=(w,)) for w in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=90)
    assert not failures, failures
    result = audit.verify(db)
    assert result.ok and result.rows_checked == threads * each, result
    with db.read() as session:
        links = list(session.scalars(select(AuditEntry.prev_hash)))
    assert len(set(links)) == len(links) == threads * each  # no two entries claim the same predecessor


def test_a_snapshot_transaction_may_not_append(postgres_url: str) -> None:
    # PostgreSQL only: SQLite's writer lock already serialises every transaction.
    migrate(postgres_url)
    db = Database(postgres_url)
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with Session(connection) as session, pytest.raises(audit.AuditError, match="READ COMMITTED"):
            audit.append(session, actor="sam", action="claim", case_id=None, detail={}, at=START)
    db.dispose()


# ------------------------------------------------------------------ what may go into an entry

@pytest.mark.parametrize(("detail", "problem"), [
    ({"narrative": "x" * 501}, "never narrative"),
    ({"case": CASE}, "not JSON"),
    ({1: "a"}, "keys must be strings"),
    ({"n": float("nan")}, "finite"),
    ({"a": {"b": {"c": {"d": {"e": 1}}}}}, "nested"),
    ({"big": ["y" * 500] * 200}, "larger than"),
])
def test_append_refuses_content_that_is_not_ids_or_codes(tmp_path: Path, detail: dict[object, object],
                                                          problem: str) -> None:
    url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    migrate(url)
    db = Database(url)
    try:
        with pytest.raises(audit.AuditError, match=problem), db.transaction() as session:
            audit.append(session, actor="sam", action="reveal_reporter", case_id=CASE,
                         detail=detail, at=START)  # type: ignore[arg-type]
        with pytest.raises(audit.AuditError, match="timezone"), db.transaction() as session:
            audit.append(session, actor="sam", action="claim", case_id=None, detail={},
                         at=datetime(2031, 1, 1))  # naive: the point of the check
        assert seqs(db) == []
    finally:
        db.dispose()
