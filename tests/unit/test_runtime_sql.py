"""The runtime's SQL plumbing on SQLite: insert-or-ignore keeps the first row; schemas bind migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.reporting import db as reporting_db
from services.review import db as review_db
from services.runtime.sql import Database, insert_or_ignore

pytestmark = pytest.mark.unit


class _Base(DeclarativeBase):
    pass


class _Seen(_Base):
    __tablename__ = "seen"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    note: Mapped[str] = mapped_column(String(64))


def test_insert_or_ignore_keeps_the_first_row_and_says_which_insert_wrote(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'seen.db'}")
    _Base.metadata.create_all(database.engine)
    try:
        with database.transaction() as session:
            first = session.execute(insert_or_ignore(session, _Seen, {"event_id": "a", "note": "first"})
                                    .returning(_Seen.event_id)).scalar()
            again = session.execute(insert_or_ignore(session, _Seen, {"event_id": "a", "note": "again"},
                                                     index_elements=["event_id"])
                                    .returning(_Seen.event_id)).scalar()
            session.execute(insert_or_ignore(session, _Seen, [{"event_id": "a", "note": "batch"},
                                                              {"event_id": "b", "note": "batch"}]))
        with database.read() as session:
            assert (first, again) == ("a", None)
            assert session.scalar(select(func.count()).select_from(_Seen)) == 2
            assert session.get(_Seen, "a").note == "first"  # type: ignore[union-attr]
    finally:
        database.dispose()


def test_each_service_database_binds_its_own_migrations() -> None:
    assert Path(review_db.__file__).parent / "migrations" == review_db.MIGRATIONS
    assert Path(reporting_db.__file__).parent / "migrations" == reporting_db.MIGRATIONS
    config = review_db.alembic_config("sqlite:///x%.db")
    assert config.get_main_option("script_location") == str(review_db.MIGRATIONS)
    assert config.get_main_option("sqlalchemy.url") == "sqlite:///x%.db"
