"""Bulk inserts and updates of plain rows, one statement a table and a batch, per dialect.

On PostgreSQL every column goes as one array parameter (``unnest``): the statement's text is the
same for every batch, so the server plans it once, and psycopg encodes a list per column instead
of SQLAlchemy processing every value of every row. The arrays go in binary: as text, psycopg would
escape every quote of every JSON value with a regular expression. JSON columns arrive already
encoded (text, cast on the server). On SQLite (the local default) the same rows go as an executemany through
SQLAlchemy's column types, slower and simpler.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table, Text, bindparam, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert, Update

from services.review.case_rows import JSON_COLUMNS

Rows = Sequence[Sequence[Any]]  # each row's values in the order of the columns named
_PG: Dialect = postgresql.dialect()  # type: ignore[no-untyped-call]


def insert_ignore(session: Session, table: Table, columns: Sequence[str], rows: Rows, *,
                  postgres: bool) -> None:
    """Insert ``rows``, a row whose key is already stored left as it is. In the order of their first
    value (stable: of two rows with the same key, the first given is the one inserted), so that two
    writers inserting overlapping keys take their locks in the same order."""
    _insert(session, table, columns, rows, postgres=postgres, ignore=True)


def insert_new(session: Session, table: Table, columns: Sequence[str], rows: Rows, *, postgres: bool) -> None:
    """Insert ``rows`` that must not be stored yet: a key another writer stored first (committed, or
    committed while this one waited for it) raises, and the caller's transaction does nothing. What
    the ORM's ``add`` and ``flush`` do one by one; never a silent ``DO NOTHING`` for a row whose
    content would then be lost."""
    _insert(session, table, columns, rows, postgres=postgres, ignore=False)


def _insert(session: Session, table: Table, columns: Sequence[str], rows: Rows, *, postgres: bool,
            ignore: bool) -> None:
    if not rows:
        return
    rows = sorted(rows, key=lambda row: row[0])
    if postgres:
        _pg_execute(session, _pg_insert(table, tuple(columns), ignore), _arrays(columns, rows))
    else:
        session.execute(_sqlite_insert(table, tuple(columns), ignore), [dict(zip(columns, row, strict=True))
                                                                         for row in rows])


def update_rows(session: Session, table: Table, key: str, columns: Sequence[str], rows: Rows, *,
                postgres: bool) -> None:
    """Set ``columns`` on the row each of ``rows`` names by ``key`` (its first value). Rows go in
    key order, so that two writers updating overlapping rows take their locks in the same order."""
    if not rows:
        return
    ordered = sorted(rows, key=lambda row: row[0])
    names = (key, *columns)
    if postgres:
        _pg_execute(session, _pg_update(table, key, tuple(columns)), _arrays(names, ordered))
    else:
        session.execute(_sqlite_update(table, key, tuple(columns)),
                        [{f"p_{n}": value for n, value in zip(names, row, strict=True)} for row in ordered])


def _pg_execute(session: Session, statement: str, params: dict[str, list[Any]]) -> None:
    """On psycopg's own cursor (the session's connection, its transaction): ``%(name)b`` sends binary."""
    driver = session.connection().connection.driver_connection
    if driver is None:  # never on a connection the session just handed out
        raise RuntimeError("the session's connection is closed")
    with driver.cursor() as cursor:
        cursor.execute(statement, params)


def _arrays(columns: Sequence[str], rows: Rows) -> dict[str, list[Any]]:
    return {f"p{at}": [row[at] for row in rows] for at in range(len(columns))}


def _pg_type(table: Table, column: str) -> str:
    if column in JSON_COLUMNS:
        return "TEXT"  # encoded already; cast to JSON once unnested
    return str(table.c[column].type.compile(dialect=_PG))


def _name(name: str) -> str:
    return str(_PG.identifier_preparer.quote(name))


def _unnested(table: Table, columns: Sequence[str]) -> tuple[str, list[str]]:
    """``unnest(CAST(:p0 AS type[]), ...) AS u(c0, ...)`` and the value of each of its columns."""
    arrays = ", ".join(f"CAST(%(p{at})b AS {_pg_type(table, column)}[])" for at, column in enumerate(columns))
    values = [f"CAST(u.{_name(c)} AS JSON)" if c in JSON_COLUMNS else f"u.{_name(c)}" for c in columns]
    return f"unnest({arrays}) AS u({', '.join(map(_name, columns))})", values


# The statements below name only the models' own tables and columns (quoted), never input; the
# values go as parameters.


@cache
def _pg_insert(table: Table, columns: tuple[str, ...], ignore: bool) -> str:
    source, values = _unnested(table, columns)
    return (f"INSERT INTO {_name(table.name)} ({', '.join(map(_name, columns))}) "  # noqa: S608
            f"SELECT {', '.join(values)} FROM {source}" + (" ON CONFLICT DO NOTHING" if ignore else ""))


@cache
def _pg_update(table: Table, key: str, columns: tuple[str, ...]) -> str:
    source, values = _unnested(table, (key, *columns))
    assignments = ", ".join(f"{_name(c)} = {value}" for c, value in zip(columns, values[1:], strict=True))
    where = f"{_name(table.name)}.{_name(key)} = u.{_name(key)}"
    return f"UPDATE {_name(table.name)} SET {assignments} FROM {source} WHERE {where}"  # noqa: S608


def _param(table: Table, column: str, name: str) -> Any:
    if column in JSON_COLUMNS:
        return bindparam(name, type_=Text())  # encoded already: stored as given
    return bindparam(name, type_=table.c[column].type)


@cache
def _sqlite_insert(table: Table, columns: tuple[str, ...], ignore: bool) -> Insert:
    statement = sqlite_insert(table).values({c: _param(table, c, c) for c in columns})
    return statement.on_conflict_do_nothing() if ignore else statement


@cache
def _sqlite_update(table: Table, key: str, columns: tuple[str, ...]) -> Update:
    return (update(table).where(table.c[key] == _param(table, key, f"p_{key}"))
            .values({c: _param(table, c, f"p_{c}") for c in columns}))
