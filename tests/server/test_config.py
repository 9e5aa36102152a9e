"""Environment parsing, the app role's privileges, and the start-up warning about RLS bypass."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, connections, transaction

from sync_server.catalog.models import Product
from sync_server.common.db_roles import OWNER_ALIAS, rls_bypass_reasons, warn_if_rls_bypassed
from sync_server.common.tenancy import tenant_atomic
from sync_server.config.env import (
    database_settings,
    read_env,
)
from sync_server.tenants.models import Tenant
from tests.server.conftest import requires_postgres


def test_defaults_are_the_single_machine_mode(tmp_path: Path) -> None:
    env = read_env({"KIOSK_DATA_DIR": str(tmp_path)})
    assert env.database_url == f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    assert env.database_owner_url == env.database_url and not env.is_postgres
    assert env.redis_url is None and env.secret_key is None and not env.debug
    assert env.trusted_proxies == () and env.db_pool_max == 10
    assert env.app_role is None


def test_production_values_are_read() -> None:
    env = read_env(
        {
            "DATABASE_URL": "postgresql://kiosk_app:pw@db:5432/kiosk",
            "DATABASE_OWNER_URL": "postgresql://kiosk_owner:pw@db:5432/kiosk",
            "REDIS_URL": "redis://cache:6379/0",
            "KIOSK_SECRET_KEY": "s3cret",
            "KIOSK_TRUSTED_PROXIES": "10.0.0.5, 10.0.0.6",
            "KIOSK_DB_POOL_MAX": "4",
            "KIOSK_ALLOWED_HOSTS": "pos.example.com, api.example.com",
            "KIOSK_DEBUG": "true",
        }
    )
    assert env.is_postgres and env.app_role == "kiosk_app"
    assert env.database_owner_url.startswith("postgresql://kiosk_owner")
    assert env.redis_url == "redis://cache:6379/0" and env.secret_key == "s3cret"
    assert env.allowed_hosts == ["pos.example.com", "api.example.com"] and env.debug
    assert database_settings(env.database_url)["ENGINE"] == "django.db.backends.postgresql"
    assert env.trusted_proxies == ("10.0.0.5", "10.0.0.6") and env.db_pool_max == 4


@requires_postgres
@pytest.mark.django_db(databases=["default", OWNER_ALIAS])
def test_owner_connection_is_reported_as_bypassing_rls(caplog: pytest.LogCaptureFixture) -> None:
    assert rls_bypass_reasons() == []
    with caplog.at_level(logging.WARNING, logger="kiosk.db"):
        reasons = warn_if_rls_bypassed(OWNER_ALIAS)
    assert reasons and "owns" in reasons[0]
    assert "BYPASS ROW-LEVEL SECURITY" in caplog.text


@requires_postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE sneaky (id int)",
        "ALTER TABLE catalog_product DISABLE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON catalog_product",
        "TRUNCATE catalog_product",
        "SET row_security = off; SELECT count(*) FROM catalog_product",
    ],
)
def test_app_role_has_dml_only(statement: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        for part in statement.split("; "):
            cursor.execute(part)
            if part.startswith("SELECT"):
                assert cursor.fetchone() == (0,)  # no rows is not a bypass either
                raise DatabaseError("row_security=off returned no rows")


@requires_postgres
@pytest.mark.django_db
def test_login_lookup_function_reveals_only_a_tenant_id() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT kiosk_login_scope('rival.owner'), kiosk_login_scope('root')")
        rival, root = cursor.fetchone()
        cursor.execute("SELECT kiosk_login_scope('nobody')")
        assert cursor.fetchone() == (None,)
        cursor.execute("SELECT count(*) FROM accounts_user")
        assert cursor.fetchone() == (0,)
    assert len(rival) == 36 and root == "platform"
    assert connections[OWNER_ALIAS].settings_dict["NAME"] == connection.settings_dict["NAME"]


@pytest.mark.timeout(180)
def test_demo_command_prepares_sqlite_twice_without_changes(tmp_path: Path) -> None:
    """`make demo`'s first half (migrate + seed on SQLite), run twice: idempotent."""
    import sqlite3
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith("DATABASE")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "sync_server.demo", "--data-dir", str(tmp_path), "--no-serve"]
    versions = []
    for _ in range(2):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=150)
        assert done.returncode == 0, done.stderr
        assert "demo.cashier" in done.stdout and "PIN 3333" in done.stdout
        with sqlite3.connect(tmp_path / "kiosk.sqlite3") as db:
            versions.append(
                db.execute("SELECT count(*), max(version) FROM catalog_product").fetchone()
            )
    assert versions[0] == versions[1] and versions[0][0] == 65
    assert len(list((tmp_path / "media" / "products").glob("*.png"))) == 60


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    """A model change without its migration fails here, not in production."""
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@requires_postgres
def test_tenant_setting_dies_with_its_transaction_on_a_reused_connection(
    django_db_setup: None, django_db_blocker: Any
) -> None:
    """Real commits (no test transaction around): the next use of the connection sees nothing.

    Lives in this module because it must not carry the `django_db` mark.
    """
    with django_db_blocker.unblock():
        demo = Tenant.objects.get(slug="demo")
        with tenant_atomic(demo):
            assert Product.unscoped.count() == 60
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('app.tenant_id', true)")
            assert cursor.fetchone()[0] in (None, "")
        assert Product.unscoped.count() == 0


@pytest.mark.parametrize(
    ("redis_url", "layer", "cache"),
    [
        ("", "channels.layers.InMemoryChannelLayer", "locmem.LocMemCache"),
        ("redis://127.0.0.1:6379/5", "channels_redis.core.RedisChannelLayer", "redis.RedisCache"),
    ],
)
def test_redis_url_switches_channel_layer_and_cache(
    redis_url: str, layer: str, cache: str, tmp_path: Path
) -> None:
    import json
    import subprocess
    import sys

    env = {**os.environ, "REDIS_URL": redis_url, "KIOSK_DATA_DIR": str(tmp_path)}
    code = (
        "import json; from sync_server.config import settings as s; "
        "print(json.dumps([s.CHANNEL_LAYERS['default']['BACKEND'],"
        " s.CACHES['default']['BACKEND']]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    backend, cache_backend = json.loads(done.stdout)
    assert backend == layer and cache_backend.endswith(cache)
