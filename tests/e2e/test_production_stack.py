"""The shipped production recipe, run: nginx (installers/server/nginx, TLS with a certificate
made here) in front of two `kiosk-server` processes on PostgreSQL through pgbouncer in
transaction mode (installers/server/pgbouncer) and Redis.

A till pairs and syncs through nginx; a kitchen screen on the second process (through nginx)
gets the tickets of sales pushed to the first; two tenants hammering the API at once through a
pool of two server connections never see each other's rows. Only ports and file paths of the
shipped files are replaced, and each replacement must find its text.
"""

from __future__ import annotations

import configparser
import getpass
import json
import os
import queue
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from pos_desktop.kitchen.client import KitchenSocketClient, kitchen_socket_url
from pos_desktop.retry import RetryPolicy
from shared.protocol import KitchenCaughtUpV1, KitchenServerMessageV1, KitchenTicketMessageV1
from tests.chaos.support import (
    OWNER,
    Cloud,
    assert_same_orders_once,
    drain,
    local_order_ids,
    pair,
    simulate,
    status,
)
from tests.support import pg
from tests.support.server_process import REPO_ROOT, ServerProcess, free_port

REDIS_URL = os.environ.get("KIOSK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SHIPPED = REPO_ROOT / "installers" / "server"
POOL_SIZE = 2
"""pgbouncer server connections per role in the test: both tenants' transactions share them."""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.timeout(420),
    pytest.mark.skipif(
        not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists())
        or not (shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists()),
        reason="Debian's nginx and pgbouncer are needed (.ci/run installs them)",
    ),
]


def _binary(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


def _replace(text: str, old: str, new: str) -> str:
    """Replace text the shipped file must contain: a changed file fails here, not silently."""
    assert old in text, f"the shipped config no longer contains {old!r}"
    return text.replace(old, new)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"port {port} did not open:\n{log.read_text(errors='replace')[-3000:]}")


def start_pgbouncer(folder: Path, database: pg.TestDatabase) -> tuple[subprocess.Popen[bytes], int]:
    """The shipped pgbouncer.ini with this run's port, paths, database and a pool of two."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(SHIPPED / "pgbouncer" / "pgbouncer.ini")
    assert config["pgbouncer"]["pool_mode"] == "transaction"
    port = free_port()
    host, pg_port = pg.HOST_PORT.rsplit(":", 1)
    config.remove_section("databases")
    config["databases"] = {database.name: f"host={host} port={pg_port} dbname={database.name}"}
    settings = config["pgbouncer"]
    settings.update(
        {
            "listen_addr": "127.0.0.1",
            "listen_port": str(port),
            "unix_socket_dir": "",
            "logfile": "",
            "pidfile": "",
            "auth_file": str(folder / "userlist.txt"),
            "admin_users": pg.APP_ROLE,
            "default_pool_size": str(POOL_SIZE),
            "reserve_pool_size": "0",
        }
    )
    (folder / "userlist.txt").write_text(f'"{pg.APP_ROLE}" "{pg.ROLE_PASSWORD}"\n')
    ini = folder / "pgbouncer.ini"
    with ini.open("w") as file:
        config.write(file)
    for path in (ini, folder / "userlist.txt"):
        path.chmod(0o644)  # pgbouncer refuses root and drops to `nobody`, who must read them
    command = [_binary("pgbouncer"), str(ini)]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "nobody"]
    log = folder / "pgbouncer.out"
    process = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    _wait_for_port(port, process, log)
    return process, port


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(certificate), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


def start_nginx(
    folder: Path, upstream_ports: tuple[int, int]
) -> tuple[subprocess.Popen[bytes], int, int, Path]:
    """The shipped site on loopback ports, its own prefix and temp folders, a fresh certificate."""
    certificate, key = _self_signed_certificate(folder)
    http_port, https_port = free_port(), free_port()
    site = (SHIPPED / "nginx" / "kiosk-pos.conf").read_text()
    site = _replace(site, "127.0.0.1:8001", f"127.0.0.1:{upstream_ports[0]}")
    site = _replace(site, "127.0.0.1:8002", f"127.0.0.1:{upstream_ports[1]}")
    site = _replace(site, "listen 80;", f"listen 127.0.0.1:{http_port};")
    site = _replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = _replace(site, "/etc/letsencrypt/live/pos.example.com/fullchain.pem", str(certificate))
    site = _replace(site, "/etc/letsencrypt/live/pos.example.com/privkey.pem", str(key))
    site = _replace(site, "/var/log/nginx/", f"{folder}/")
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)
    (folder / "kiosk-pos.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"user {getpass.getuser()};\n"  # ignored (with a notice) unless nginx runs as root
        f"worker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 512; }\n"
        f"http {{\n{temp_paths}\n    access_log {folder / 'access.log'};\n"
        f"    include {folder / 'kiosk-pos.conf'};\n}}\n"
    )
    base = [_binary("nginx"), "-p", str(folder), "-e", str(folder / "error.log")]
    base += ["-c", str(folder / "nginx.conf")]
    checked = subprocess.run([*base, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    log = folder / "nginx.out"
    process = subprocess.Popen(
        [*base, "-g", "daemon off;"], stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    _wait_for_port(https_port, process, folder / "error.log")
    return process, http_port, https_port, certificate


@dataclass
class Stack:
    first: ServerProcess
    second: ServerProcess
    url: str
    http_url: str
    pgbouncer_port: int
    database_name: str


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    database = pg.create_database(pg.unique_database_name("kiosk_e2e"))
    folder = Path(tempfile.mkdtemp(prefix="kiosk-stack-"))
    folder.chmod(0o755)
    started: list[subprocess.Popen[bytes]] = []
    servers: list[ServerProcess] = []
    saved_cert_file = os.environ.get("SSL_CERT_FILE")
    try:
        bouncer, bouncer_port = start_pgbouncer(folder, database)
        started.append(bouncer)
        pooled = database.app_url.replace(pg.HOST_PORT, f"127.0.0.1:{bouncer_port}")
        env = {
            "DATABASE_URL": pooled,
            "DATABASE_OWNER_URL": database.owner_url,  # migrations go straight to PostgreSQL
            "REDIS_URL": REDIS_URL,
            "KIOSK_SECRET_KEY": secrets.token_urlsafe(48),  # both processes sign alike
            "KIOSK_TRUSTED_PROXIES": "127.0.0.1",
            "KIOSK_LOG_FORMAT": "json",
        }
        for name in ("node1", "node2"):
            servers.append(
                ServerProcess(
                    database=database, data_dir=folder / name, port=free_port(), extra_env=env
                )
            )
            (folder / name).mkdir()
        first, second = servers
        first.manage("migrate", "--verbosity", "0")
        first.manage("seed_demo")
        first.start()
        second.start()
        nginx, http_port, https_port, certificate = start_nginx(folder, (first.port, second.port))
        started.append(nginx)
        # The till's httpx, the kitchen socket and this test trust the fresh certificate.
        os.environ["SSL_CERT_FILE"] = str(certificate)
        yield Stack(
            first=first,
            second=second,
            url=f"https://127.0.0.1:{https_port}",
            http_url=f"http://127.0.0.1:{http_port}",
            pgbouncer_port=bouncer_port,
            database_name=database.name,
        )
    finally:
        if saved_cert_file is None:
            os.environ.pop("SSL_CERT_FILE", None)
        else:
            os.environ["SSL_CERT_FILE"] = saved_cert_file
        for server in servers:
            server.kill()
        for process in reversed(started):
            _stop(process)
        pg.drop_database(database.name)
        shutil.rmtree(folder, ignore_errors=True)


def _request_lines(server: ServerProcess) -> list[dict[str, object]]:
    lines = []
    for raw in server.log_path.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            line = json.loads(raw)
            if line.get("logger") == "kiosk.request":
                lines.append(line)
    return lines


def _login(base_url: str, username: str) -> str:
    answer = httpx.post(
        f"{base_url}/api/auth/token/",
        json={"username": username, "password": OWNER[1]},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access"])


def _catalog_pulled(till: Path) -> None:
    """Sync until the till holds a catalog (and so the cashiers' PINs).

    The feed serves only rows older than the cluster's oldest open transaction; another
    suite's long transaction on the same PostgreSQL can hold it back for a while.
    """
    deadline = time.monotonic() + 90
    while status(till)["catalog_version"] == 0:
        assert time.monotonic() < deadline, "the catalog never reached the till"
        drain(till, 20)
        time.sleep(1)


def test_plain_http_is_redirected_and_probes_answer_through_nginx(stack: Stack) -> None:
    redirect = httpx.get(f"{stack.http_url}/api/schema/", timeout=10)
    assert redirect.status_code == 301
    assert redirect.headers["location"].startswith("https://")
    assert httpx.get(f"{stack.url}/healthz", timeout=10).status_code == 200
    ready = httpx.get(f"{stack.url}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "channel_layer": "ok"}


def test_a_till_pairs_and_syncs_through_nginx_to_both_processes(
    stack: Stack, tmp_path: Path
) -> None:
    cloud = Cloud(stack.first)
    till = tmp_path / "till"
    terminal_id = pair(cloud, till, server_url=stack.url)
    _catalog_pulled(till)
    simulate(till, 12, seed=5)
    drain(till, 120, "--batch-size", "3")
    assert_same_orders_once(cloud, till, terminal_id, 12)

    for server in (stack.first, stack.second):
        device_lines = [line for line in _request_lines(server) if line.get("device")]
        assert device_lines, f"no till request reached {server.base_url}"


class Screen:
    """A kitchen screen without Qt: the app's own socket client, messages into a queue."""

    def __init__(self, url: str, token: str) -> None:
        self.messages: queue.Queue[KitchenServerMessageV1] = queue.Queue()
        self.client = KitchenSocketClient(
            url=url,
            access_token=lambda: token,
            refresh_token=lambda: None,
            last_sequence=lambda: 0,
            pending_actions=lambda: [],
            on_message=self.messages.put,
            on_online=lambda online, reason: None,
            backoff=RetryPolicy(base_s=0.05, cap_s=0.5),
        )
        self.client.start()

    def caught_up(self, timeout: float = 30) -> None:
        while not isinstance(self.messages.get(timeout=timeout), KitchenCaughtUpV1):
            pass

    def orders_ticketed(self, expected: set[str], timeout: float = 60) -> set[str]:
        """Order ids of the tickets received until every expected one came (or the timeout)."""
        found: set[str] = set()
        deadline = time.monotonic() + timeout
        while not expected <= found and time.monotonic() < deadline:
            try:
                message = self.messages.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if isinstance(message, KitchenTicketMessageV1):
                found.add(str(message.ticket.order_id))
        return found


def test_a_screen_on_the_second_process_gets_tickets_of_sales_pushed_to_the_first(
    stack: Stack, tmp_path: Path
) -> None:
    token = _login(stack.url, "demo.kitchen")
    outlets = httpx.get(
        f"{stack.url}/api/demo/outlets/", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ).json()["results"]
    outlet_id = next(outlet["id"] for outlet in outlets if outlet["code"] == "main")

    # With the first process down, nginx can only hand the socket to the second.
    stack.first.stop()
    try:
        screen = Screen(kitchen_socket_url(stack.url, "demo", outlet_id, None), token)
        screen.caught_up()
    finally:
        stack.first.start()
    try:
        till = tmp_path / "till"
        pair(Cloud(stack.first), till, server_url=stack.first.base_url)  # straight to the first
        _catalog_pulled(till)
        simulate(till, 3, seed=8)
        drain(till, 120)
        sold = set(local_order_ids(till))
        assert len(sold) == 3
        assert screen.orders_ticketed(sold) == sold
        assert screen.client.connections == 1  # one socket all along, held by the second
    finally:
        screen.client.stop()
    # A socket's line is written when the server sees it close, a moment after stop().
    deadline = time.monotonic() + 15
    while True:
        socket_lines = [line for line in _request_lines(stack.second) if line["method"] == "WS"]
        if socket_lines or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert socket_lines and socket_lines[-1]["status"] == 101


def _skus(base_url: str, slug: str, token: str) -> set[str]:
    answer = httpx.get(
        f"{base_url}/api/{slug}/products/?page_size=500",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    return {str(row["sku"]) for row in answer.json()["results"]}


def _create(base_url: str, slug: str, token: str, sku: str) -> None:
    answer = httpx.post(
        f"{base_url}/api/{slug}/products/",
        json={"sku": sku, "name": sku, "price_minor": 1_000},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text


def test_two_tenants_at_once_through_the_pooler_never_see_each_others_rows(
    stack: Stack,
) -> None:
    tokens = {slug: _login(stack.url, f"{slug}.owner") for slug in ("demo", "rival")}
    prefixes = {"demo": "DEMO-POOL-", "rival": "RIVAL-POOL-"}

    def work(job: tuple[str, int]) -> tuple[str, set[str]]:
        slug, index = job
        if index % 3 == 0:
            _create(stack.url, slug, tokens[slug], f"{prefixes[slug]}{index}")
        return slug, _skus(stack.url, slug, tokens[slug])

    jobs = [(slug, index) for index in range(24) for slug in ("demo", "rival")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = list(pool.map(work, jobs))

    for slug, skus in seen:
        other = "rival" if slug == "demo" else "demo"
        assert not any(sku.startswith(prefixes[other]) for sku in skus), slug
        if slug == "demo":
            assert not any(sku.startswith("RIV-") for sku in skus)
        else:
            assert skus and all(sku.startswith(("RIV-", "RIVAL-POOL-")) for sku in skus)
    final = {slug: _skus(stack.url, slug, tokens[slug]) for slug in ("demo", "rival")}
    for slug, prefix in prefixes.items():
        assert sum(sku.startswith(prefix) for sku in final[slug]) == 8

    # The traffic went through pgbouncer, in transaction mode, on at most POOL_SIZE links.
    shown = subprocess.run(
        [
            *("psql", "-h", "127.0.0.1", "-p", str(stack.pgbouncer_port), "-U", pg.APP_ROLE),
            *("-d", "pgbouncer", "-A", "-F", "|", "-P", "footer=off", "-c", "SHOW POOLS"),
        ],
        env={**os.environ, "PGPASSWORD": pg.ROLE_PASSWORD},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    header, pools = shown[0], shown[1:]
    columns = header.split("|")
    rows = [dict(zip(columns, row.split("|"), strict=True)) for row in pools]
    ours = next(
        row for row in rows if row["user"] == pg.APP_ROLE and row["database"] != "pgbouncer"
    )
    assert ours["pool_mode"] == "transaction"
    assert int(ours["sv_active"]) + int(ours["sv_idle"]) + int(ours["sv_used"]) <= POOL_SIZE
