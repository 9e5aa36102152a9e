"""A real `kiosk-server` process on a fresh PostgreSQL database, for end-to-end tests.

    from tests.support.server_process import running_server

    with running_server() as server:
        httpx.post(f"{server.base_url}/api/auth/token/", json={...})
        server.kill(); server.start()        # crash and come back, same DB and port

Plain module (no pytest): creates a unique database owned by a non-superuser
owner role, runs `kiosk-server migrate` (which creates the app role) and
`kiosk-server seed_demo`, serves on a free loopback port as the app role, and
drops the database at the end.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.support import pg

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _kiosk_server_command() -> list[str]:
    return [sys.executable, "-m", "sync_server.cli"]


class ServerProcess:
    """One `kiosk-server serve` subprocess; stop/kill/start keep the database and port."""

    def __init__(
        self,
        *,
        database: pg.TestDatabase,
        data_dir: Path,
        port: int,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.database = database
        self.data_dir = data_dir
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = data_dir / "server.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": database.app_url,
            "DATABASE_OWNER_URL": database.owner_url,
            "KIOSK_DATA_DIR": str(data_dir),
            # A key of the required length (the server refuses to start without one), the
            # same for every node serving this database, as in a real deployment.
            "KIOSK_SECRET_KEY": hashlib.sha256(f"kiosk-e2e-{database.name}".encode()).hexdigest(),
            "PYTHONUNBUFFERED": "1",
            **(extra_env or {}),
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.process: subprocess.Popen[bytes] | None = None
        self.serve_args: list[str] = []
        """More `kiosk-server serve` arguments (e.g. `--workers 2`), used from the next start."""

    def manage(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
        """Run `kiosk-server <args>` against this server's database; raises on failure."""
        return subprocess.run(
            [*_kiosk_server_command(), *args],
            cwd=REPO_ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, *, timeout: float = 30) -> None:
        """Start serving and wait until `/api/schema/` answers."""
        if self.process is not None and self.process.poll() is None:
            return
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                *_kiosk_server_command(),
                *("serve", "--host", "127.0.0.1", "--port", str(self.port)),
                *self.serve_args,
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.wait_until_ready(timeout=timeout)

    def wait_until_ready(self, *, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"kiosk-server exited early; log:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/api/schema/", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise TimeoutError(f"kiosk-server did not answer in {timeout}s; log:\n{self.log()}")

    def stop(self, *, timeout: float = 10) -> None:
        """Graceful stop (SIGTERM), then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Crash it: SIGKILL the process group, no chance to clean up."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def restart(self, *, hard: bool = False) -> None:
        """Stop (or kill, hard=True) and start again on the same database and port."""
        if hard:
            self.kill()
        else:
            self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except FileNotFoundError:
            return ""


@contextmanager
def another_node(
    first: ServerProcess, extra_env: Mapping[str, str] | None = None
) -> Iterator[ServerProcess]:
    """A second server process on the first one's database (and its Redis, when `REDIS_URL`
    is set) and its media folder (shared, as nodes in production share a volume), on a port
    of its own; killed at the end."""
    redis = {key: first.env[key] for key in ("REDIS_URL",) if key in first.env}
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-e2e-node2-"))
    (first.data_dir / "media").mkdir(exist_ok=True)
    (data_dir / "media").symlink_to(first.data_dir / "media", target_is_directory=True)
    second = ServerProcess(
        database=first.database,
        data_dir=data_dir,
        port=free_port(),
        extra_env={**redis, **(extra_env or {})},
    )
    second.start()
    try:
        yield second
    finally:
        second.kill()


@contextmanager
def running_server(
    *, port: int | None = None, seed: bool = True, extra_env: Mapping[str, str] | None = None
) -> Iterator[ServerProcess]:
    """Fresh database, migrated and seeded, served on a free loopback port; dropped after."""
    database = pg.create_database(pg.unique_database_name("kiosk_e2e"))
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-e2e-"))
    server = ServerProcess(
        database=database, data_dir=data_dir, port=port or free_port(), extra_env=extra_env
    )
    try:
        server.manage("migrate", "--verbosity", "0")
        if seed:
            server.manage("seed_demo")
        server.start()
        yield server
    finally:
        server.kill()
        pg.drop_database(database.name)
