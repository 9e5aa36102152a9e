"""The one place the server reads its environment: database, Redis, secrets, hosts."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

DEV_SECRET_KEY = "kiosk-dev-secret-key-not-for-production-0123456789abcdef"
CONNECT_TIMEOUT_S = 3
"""Seconds a PostgreSQL connect may take before it fails."""


@dataclass(frozen=True)
class ServerEnv:
    """Everything the settings need from the environment, parsed once."""

    data_dir: Path
    database_url: str
    database_owner_url: str
    redis_url: str | None
    secret_key: str
    allowed_hosts: list[str]
    debug: bool
    log_format: str = "plain"
    """`json` for one JSON object per log line (KIOSK_LOG_FORMAT), else plain text."""
    workers: int = 1
    """ASGI worker processes of `kiosk-server serve` (KIOSK_WORKERS; `--workers` overrides)."""

    @property
    def is_postgres(self) -> bool:
        return self.database_url.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}

    @property
    def app_role(self) -> str | None:
        """The role named in DATABASE_URL (PostgreSQL only): the one `migrate` provisions."""
        if not self.is_postgres:
            return None
        return urlsplit(self.database_url).username


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def read_env(environ: dict[str, str] | None = None) -> ServerEnv:
    """Parse the environment; defaults are the single-machine mode (SQLite, no Redis)."""
    source = os.environ if environ is None else environ
    data_dir = Path(source.get("KIOSK_DATA_DIR") or "./data/server").resolve()
    database_url = source.get("DATABASE_URL") or f"sqlite:///{data_dir / 'kiosk.sqlite3'}"
    hosts = source.get("KIOSK_ALLOWED_HOSTS") or "127.0.0.1,localhost,testserver"
    return ServerEnv(
        data_dir=data_dir,
        database_url=database_url,
        database_owner_url=source.get("DATABASE_OWNER_URL") or database_url,
        redis_url=source.get("REDIS_URL") or None,
        secret_key=source.get("KIOSK_SECRET_KEY") or DEV_SECRET_KEY,
        allowed_hosts=[host.strip() for host in hosts.split(",") if host.strip()],
        debug=_flag(source.get("KIOSK_DEBUG"), default=False),
        log_format="json" if source.get("KIOSK_LOG_FORMAT", "").lower() == "json" else "plain",
        workers=int(source.get("KIOSK_WORKERS") or 1),
    )


def database_settings(url: str) -> dict[str, object]:
    """A Django DATABASES entry for a URL.

    PostgreSQL connections persist for a minute (health-checked): safe because the
    tenant is set per transaction (`set_config(..., true)`), never per session.
    SQLite waits for its write lock instead of failing at once.
    """
    config: dict[str, object] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    else:
        # Safe behind pgbouncer in transaction mode: no server-side cursors (they live past
        # a transaction) and, Django's default, no prepared statements; a dead host fails
        # a connect within seconds instead of hanging a worker thread (and /readyz).
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
        options.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        config["OPTIONS"] = options
    return config


ENV = read_env()
