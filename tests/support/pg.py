"""Throw-away PostgreSQL databases for tests: a unique name, an owner role, an app role.

Roles are cluster-wide and shared by concurrent runs; databases are per run and
dropped at the end. The owner is not a superuser (it has CREATEROLE so `migrate`
can create the app role), so row-level security is tested as in production.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

import psycopg
from psycopg import sql

ADMIN_URL = os.environ.get(
    "KIOSK_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
HOST_PORT = os.environ.get("KIOSK_TEST_PG_HOST", "127.0.0.1:5432")
OWNER_ROLE = "kiosk_test_owner"
APP_ROLE = "kiosk_test_app"
ROLE_PASSWORD = "kiosk-test"  # loopback test cluster only


@dataclass(frozen=True)
class TestDatabase:
    """Connection URLs of one throw-away database."""

    name: str

    @property
    def owner_url(self) -> str:
        return f"postgresql://{OWNER_ROLE}:{ROLE_PASSWORD}@{HOST_PORT}/{self.name}"

    @property
    def app_url(self) -> str:
        return f"postgresql://{APP_ROLE}:{ROLE_PASSWORD}@{HOST_PORT}/{self.name}"


def unique_database_name(prefix: str = "kiosk_test") -> str:
    """Unique across concurrent runs on this machine: pid plus random bits."""
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"


def _ensure_owner_role(connection: psycopg.Connection[tuple[object, ...]]) -> None:
    statement = sql.SQL(
        "DO $$ BEGIN CREATE ROLE {} LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS PASSWORD {}; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    ).format(sql.Identifier(OWNER_ROLE), sql.Literal(ROLE_PASSWORD))
    connection.execute(statement)


def create_database(name: str | None = None) -> TestDatabase:
    """Create an empty database owned by the (non-superuser) owner role."""
    database = TestDatabase(name or unique_database_name())
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        _ensure_owner_role(connection)
        connection.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(database.name), sql.Identifier(OWNER_ROLE)
            )
        )
    return database


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_stale_databases(
    prefixes: tuple[str, ...] = ("kiosk_test", "kiosk_e2e", "kiosk_bench"),
) -> list[str]:
    """Drop throw-away databases whose creating process is gone (a killed run leaves them)."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        names = [row[0] for row in connection.execute("SELECT datname FROM pg_database")]
    stale = []
    for name in names:
        prefix, _, rest = name.rpartition("_")[0].rpartition("_")
        if prefix in prefixes and rest.isdigit() and not _pid_alive(int(rest)):
            stale.append(name)
    for name in stale:
        drop_database(name)
    return stale


def drop_database(name: str) -> None:
    """Drop a test database, closing whatever still holds it open."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
