"""Migrations: an empty database and a database of an older revision both reach the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from pos_desktop.store.db import Database, make_engine, migrate
from pos_desktop.store.models import Base

HEAD = "0006"


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def _revision(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT version_num FROM alembic_version")).scalar())


def test_empty_database_migrates_to_the_models(tmp_path: Path) -> None:
    database = Database(tmp_path)
    assert _differences(database.engine) == []
    assert _revision(database.engine) == HEAD
    database.dispose()


def test_older_database_is_upgraded_in_place_keeping_its_rows(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "terminal.sqlite3")
    migrate(engine, "0001")
    assert "print_jobs" not in inspect(engine).get_table_names()
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO customers (id, name, version) VALUES ('c1', 'Ayu', 3)")
        )
    engine.dispose()

    database = Database(tmp_path)  # start-up runs the migrations
    assert _revision(database.engine) == HEAD
    assert _differences(database.engine) == []
    with database.engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT name, version, created_offline, customer_group FROM customers"
                " WHERE id = 'c1'"
            )
        ).one()
        assert tuple(row) == ("Ayu", 3, 0, "")
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    database.dispose()


def test_every_connection_is_durable_and_enforces_foreign_keys(tmp_path: Path) -> None:
    database = Database(tmp_path)
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    database.dispose()


def test_restart_on_a_current_database_changes_nothing(tmp_path: Path) -> None:
    Database(tmp_path).dispose()
    again = Database(tmp_path)
    assert _revision(again.engine) == HEAD
    assert _differences(again.engine) == []
    again.dispose()
