"""Statements of the checkout hot path, compiled once and run on the transaction's cursor.

A checkout commit is a handful of small inserts. Through Core, each `execute()` costs
cache-key generation, compiled-parameter set-up and a result object: together about as
much again as the fsync the commit waits for. These statements are compiled once by
SQLAlchemy for the SQLite dialect, bind their values through the same type processors
Core would use (aware UTC datetimes, JSON), and run on the DBAPI cursor of the caller's
transaction. Rows they write read back through the ORM exactly like rows Core writes
(tests/desktop/test_prepared.py proves it column by column).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Column, Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

SQLITE = sqlite.dialect()  # pysqlite, qmark parameters


def driver_cursor(session: Session) -> sqlite3.Cursor:
    """A cursor on the sqlite3 connection under the session's current transaction."""
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver.cursor()


def _default_of(column: Column[Any]) -> Callable[[], object] | None:
    """The column's Python-side default as a no-argument callable, like Core applies it."""
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        value = default.arg  # type: ignore[attr-defined]
        return lambda: value
    if default.is_callable:
        # SQLAlchemy wraps a zero-argument callable into one taking the execution context.
        wrapped = default.arg  # type: ignore[attr-defined]
        return lambda: wrapped(None)
    raise TypeError(f"{column}: only scalar and callable defaults can be prepared")


class PreparedInsert:
    """`INSERT INTO table (every column) VALUES (?, ...)`, compiled once.

    A row may leave out a column: it then takes the column's Python default, or NULL when
    it has none (Core leaves such a column out, which stores NULL too, since none of these
    tables has a server default; the constructor refuses one that does).
    """

    def __init__(self, table: Table) -> None:
        columns = list(table.columns)
        for column in columns:
            if column.server_default is not None:
                raise TypeError(f"{column} has a server default: insert it through Core")
        compiled = table.insert().compile(dialect=SQLITE, column_keys=[c.key for c in columns])
        positions = compiled.positiontup
        assert positions is not None  # qmark parameters are positional
        by_key = {column.key: column for column in columns}
        ordered = [by_key[key] for key in positions]
        self.table = table
        self.sql = str(compiled)
        self.column_keys = [column.key for column in ordered]
        """The columns in parameter order."""
        self._known = frozenset(self.column_keys)
        self._processors = [
            column.type.dialect_impl(SQLITE).bind_processor(SQLITE) for column in ordered
        ]
        self._defaults = [_default_of(column) for column in ordered]

    def parameters(self, row: Mapping[str, object]) -> list[object]:
        """The row's values in statement order, defaulted and bound as Core binds them."""
        if not self._known.issuperset(row):
            unknown = set(row) - self._known
            raise KeyError(f"{self.table.name} has no column(s) {sorted(unknown)}")
        values: list[object] = []
        for key, processor, default in zip(
            self.column_keys, self._processors, self._defaults, strict=True
        ):
            if key in row:
                value = row[key]
            elif default is not None:
                value = default()
            else:
                values.append(None)  # left out: SQL NULL, as Core stores it
                continue
            values.append(processor(value) if processor is not None else value)
        return values

    def run(self, cursor: sqlite3.Cursor, rows: Sequence[Mapping[str, object]]) -> None:
        """Insert `rows` (nothing when empty) in the cursor's transaction."""
        if rows:
            cursor.executemany(self.sql, [self.parameters(row) for row in rows])


def prepared(table: object) -> PreparedInsert:
    """A `PreparedInsert` for a mapped class's table (`prepared(Order.__table__)`)."""
    return PreparedInsert(cast(Table, table))
