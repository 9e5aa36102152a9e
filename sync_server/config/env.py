"""The one place the server reads its environment: database, Redis, secrets, hosts."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

MIN_SECRET_KEY_LENGTH = 50
"""A KIOSK_SECRET_KEY shorter than this is refused (50 characters of `token_urlsafe` carry
well over 32 bytes of entropy); it signs every token, so a guessable one is an owner's key."""
DEMO_SECRET_KEY_FILE = "secret_key"
"""In KIOSK_DATA_DIR: the SQLite demo's own random key, made on first start (mode 0600)."""
DB_POOL_MAX_DEFAULT = 10
CONNECT_TIMEOUT_S = 3
"""Seconds a PostgreSQL connect may take before it fails."""


@dataclass(frozen=True)
class ServerEnv:
    """Everything the settings need from the environment, parsed once."""

    data_dir: Path
    database_url: str
    database_owner_url: str
    redis_url: str | None
    secret_key: str | None
    """KIOSK_SECRET_KEY as given (None when unset); `signing_key()` decides what is used."""
    allowed_hosts: list[str]
    debug: bool
    log_format: str = "plain"
    """`json` for one JSON object per log line (KIOSK_LOG_FORMAT), else plain text."""
    workers: int = 1
    """ASGI worker processes of `kiosk-server serve` (KIOSK_WORKERS; `--workers` overrides)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses whose X-Forwarded-For / -Proto are believed (KIOSK_TRUSTED_PROXIES); none by
    default, so no client, not even a local one, can pick the address the limits count."""
    db_pool_max: int = DB_POOL_MAX_DEFAULT
    """PostgreSQL connections one server process may hold at most (KIOSK_DB_POOL_MAX)."""

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
        secret_key=source.get("KIOSK_SECRET_KEY") or None,
        allowed_hosts=[host.strip() for host in hosts.split(",") if host.strip()],
        debug=_flag(source.get("KIOSK_DEBUG"), default=False),
        log_format="json" if source.get("KIOSK_LOG_FORMAT", "").lower() == "json" else "plain",
        workers=int(source.get("KIOSK_WORKERS") or 1),
        trusted_proxies=tuple(
            address.strip()
            for address in (source.get("KIOSK_TRUSTED_PROXIES") or "").split(",")
            if address.strip()
        ),
        db_pool_max=max(0, int(source.get("KIOSK_DB_POOL_MAX") or DB_POOL_MAX_DEFAULT)),
    )


class SecretKeyRefused(RuntimeError):
    """The server must not start: tokens would be signed with a missing or guessable key."""


def signing_key(env: ServerEnv) -> str:
    """The key that signs tokens and pairing-code hashes; SecretKeyRefused when there is none fit.

    KIOSK_SECRET_KEY of at least MIN_SECRET_KEY_LENGTH characters (a shorter one only on the
    SQLite demo with KIOSK_DEBUG on). Without it, the SQLite single-machine mode uses a random
    key of its data folder; PostgreSQL (a shared, real deployment) has no fallback at all.
    """
    if env.secret_key:
        if len(env.secret_key) < MIN_SECRET_KEY_LENGTH and (env.is_postgres or not env.debug):
            raise SecretKeyRefused(
                f"KIOSK_SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters; make one"
                " with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return env.secret_key
    if env.is_postgres:
        raise SecretKeyRefused(
            "KIOSK_SECRET_KEY is not set: a PostgreSQL server refuses to start without it; make"
            " one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    return demo_secret_key(env.data_dir)


def demo_secret_key(data_dir: Path) -> str:
    """This data folder's own random key, made on first use and kept (owner-only file), so the
    demo's tokens survive a restart and no two demo folders share a key."""
    path = data_dir / DEMO_SECRET_KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    key = secrets.token_urlsafe(48)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key)
        file.flush()
        os.fsync(file.fileno())
    return key


def _read_key(path: Path) -> str:
    """The stored key; a process racing the first start may see the file before it is written."""
    for _ in range(50):
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= MIN_SECRET_KEY_LENGTH:
            return key
        time.sleep(0.05)
    raise SecretKeyRefused(f"{path} does not hold a usable key; delete it to make a new one")


DB_POOL_WAIT_S = 10
"""Seconds a request waits for a free pooled connection before it is a 503 `unavailable`."""


def database_settings(url: str, *, pool_max: int = 0) -> dict[str, object]:
    """A Django DATABASES entry for a URL.

    PostgreSQL: with `pool_max` > 0, a psycopg pool of at most that many connections per
    process (Django's OPTIONS["pool"]); a connection goes back to it when the request ends.
    Without, a connection per request (CONN_MAX_AGE=0). Never Django's persistent
    connections: under ASGI they are per thread and were not closed reliably, so one process
    held dozens until PostgreSQL refused new ones. Either is safe to share because the tenant
    is set per transaction (`set_config(..., true)`), never per session.
    SQLite waits for its write lock instead of failing at once.
    """
    config: dict[str, object] = dict(
        dj_database_url.parse(url, conn_max_age=0, conn_health_checks=True)
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
        if pool_max > 0:
            # min_size 1: an idle process keeps one connection, not four; max_idle returns
            # the rest to PostgreSQL after a quiet minute.
            options["pool"] = {
                "min_size": 1,
                "max_size": pool_max,
                "timeout": DB_POOL_WAIT_S,
                "max_idle": 60,
            }
        config["OPTIONS"] = options
    return config


ENV = read_env()
