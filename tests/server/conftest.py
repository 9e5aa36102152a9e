"""Server test fixtures: a real PostgreSQL (default) or SQLite, the demo world, per-role clients.

Mode: KIOSK_TEST_DB=postgres (default; app connects as a non-owner role so RLS is
in force, migrations run as the owner) or KIOSK_TEST_DB=sqlite. The database is
unique per run and dropped at the end. The demo world (`seed_demo` plus
`demo.admin`) is committed once per session; each test runs in a transaction
that is rolled back, so tests may change anything.

Fixtures for other server apps: `demo_tenant`, `rival_tenant`, `user_of(role,
tenant="demo")`, `client_for(user)`, `role_client(role, tenant="demo")`,
`anon_client`, `in_tenant(tenant)` (context manager, = tenant_atomic).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import pg

DB_MODE = os.environ.get("KIOSK_TEST_DB", "postgres").lower()
_SERVER_ENV_KEYS = (
    "KIOSK_DATA_DIR",
    "REDIS_URL",
    "DATABASE_URL",
    "DATABASE_OWNER_URL",
    "KIOSK_SECRET_KEY",
)
_ENV_BEFORE = {key: os.environ.get(key) for key in _SERVER_ENV_KEYS}
_DATA_DIR = Path(tempfile.mkdtemp(prefix="kiosk-server-tests-"))
(_DATA_DIR / "static").mkdir()
_DATABASE = pg.TestDatabase(pg.unique_database_name()) if DB_MODE == "postgres" else None

os.environ["KIOSK_DATA_DIR"] = str(_DATA_DIR)
os.environ["KIOSK_SECRET_KEY"] = "server-tests-" + secrets.token_urlsafe(48)
os.environ.pop("REDIS_URL", None)
if _DATABASE is not None:
    os.environ["DATABASE_URL"] = _DATABASE.app_url
    os.environ["DATABASE_OWNER_URL"] = _DATABASE.owner_url
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_DATA_DIR / 'kiosk-test.sqlite3'}"
    os.environ.pop("DATABASE_OWNER_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "sync_server.config.settings"

import django  # noqa: E402

django.setup()

# Settings are loaded now; give other test folders (and the subprocesses they
# start) their environment back, so nothing else points at this run's database.
for _key, _value in _ENV_BEFORE.items():
    if _value is None:
        os.environ.pop(_key, None)
    else:
        os.environ[_key] = _value

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from sync_server.accounts.models import Role, User  # noqa: E402
from sync_server.accounts.services import tokens_for_user  # noqa: E402
from sync_server.common.tenancy import tenant_atomic  # noqa: E402
from sync_server.demo_data import DEMO_PASSWORD, seed_demo  # noqa: E402
from sync_server.tenants.models import Tenant  # noqa: E402

requires_postgres = pytest.mark.skipif(
    DB_MODE != "postgres",
    reason="PostgreSQL-only (row-level security); run with KIOSK_TEST_DB=postgres",
)

# username per (tenant slug, role) in the test world.
WORLD_USERS = {
    ("demo", Role.OWNER): "demo.owner",
    ("demo", Role.ADMIN): "demo.admin",
    ("demo", Role.MANAGER): "demo.manager",
    ("demo", Role.CASHIER): "demo.cashier",
    ("demo", Role.KITCHEN): "demo.kitchen",
    ("rival", Role.OWNER): "rival.owner",
    (None, Role.SUPER_ADMIN): "root",
}


def build_test_world() -> None:
    """seed_demo, plus the one role the demo lacks (admin)."""
    tenants = seed_demo()
    with tenant_atomic(tenants["demo"]):
        if not User.objects.filter(username="demo.admin").exists():
            admin = User(username="demo.admin", role=Role.ADMIN, tenant=tenants["demo"])
            admin.set_password(DEMO_PASSWORD)
            admin.save()


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker: Any) -> Iterator[None]:
    """Create the run's database, migrate as the owner, commit the demo world once."""
    if _DATABASE is not None:
        pg.drop_stale_databases()
        pg.create_database(_DATABASE.name)
    try:
        with django_db_blocker.unblock():
            call_command("migrate", verbosity=0)
            build_test_world()
        yield
    finally:
        with django_db_blocker.unblock():
            connections.close_all()
        if _DATABASE is not None:
            pg.drop_database(_DATABASE.name)
        shutil.rmtree(_DATA_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_login_throttle() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_tenant(db: None) -> Tenant:
    return Tenant.objects.get(slug="demo")


@pytest.fixture
def rival_tenant(db: None) -> Tenant:
    return Tenant.objects.get(slug="rival")


@pytest.fixture
def in_tenant() -> Callable[[Tenant | None], Any]:
    """`with in_tenant(demo_tenant): ...`: the same as tenant_atomic."""
    return tenant_atomic


@pytest.fixture
def user_of(db: None) -> Callable[..., User]:
    """`user_of("cashier")` or `user_of("owner", tenant="rival")`, `user_of("super_admin")`."""

    def find(role: str, tenant: str | None = "demo") -> User:
        slug = None if role == Role.SUPER_ADMIN else tenant
        username = WORLD_USERS[(slug, role)]
        owner = Tenant.objects.get(slug=slug) if slug else None
        with tenant_atomic(owner):
            return User.objects.select_related("tenant").get(username=username)

    return find


@pytest.fixture
def client_for(db: None) -> Callable[[User], APIClient]:
    """An APIClient sending a fresh access token of `user`."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user)['access']}")
        return client

    return make


@pytest.fixture
def role_client(
    user_of: Callable[..., User], client_for: Callable[[User], APIClient]
) -> Callable[..., APIClient]:
    """`role_client("manager")`: an authenticated client of that demo role (or tenant=...)."""

    def make(role: str, tenant: str | None = "demo") -> APIClient:
        return client_for(user_of(role, tenant))

    return make


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()
