"""A small fleet under fire: a real server on PostgreSQL with its own Redis, paired tills in
their own processes, kitchen screens on the real socket client, a receipt printer, and the
checks that must hold after every fault.

Plain module (no pytest): the short form (`test_proof.py`) and the long form
(`python -m tests.chaos.proof`, `make chaos`) build one `Fleet` and run trials on it.

    with Fleet.running(base_dir, seed=7) as fleet:
        fleet.sell_everywhere(3)
        ...
        report = fleet.settle(timeout_s=60)   # waits for recovery, then checks everything

Everything listens on 127.0.0.1. The server, Redis and the tills are reused from trial to
trial; a fault that kills one of them restarts it.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from pos_desktop.kitchen.client import KitchenSocketClient, kitchen_socket_url
from pos_desktop.retry import RetryPolicy
from shared.protocol import KitchenServerMessageV1, KitchenTicketMessageV1
from tests.chaos.link import FaultLink
from tests.chaos.proxy import FaultPlan, FaultProxy
from tests.chaos.support import OWNER, TENANT, Cloud, cli_env, pair
from tests.support import pg
from tests.support.server_process import REPO_ROOT, ServerProcess, free_port

FAKETIME_LIB = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
TILL_DISK = "64m"
STATIONS = ("kitchen", "kitchen", "bar")
"""One screen per entry: two screens show the `kitchen` station, one the `bar`."""


LocalOrder = tuple["Till", tuple[str, str, str, int]]
"""(till, (order id, receipt number, shift id, total))"""
ServerOrder = tuple[str, str, int]
"""(order id, shift id, total)"""


class ChaosFailure(AssertionError):
    """An invariant broke; the message says which, with the ids to look at."""


# --- Redis of our own ---------------------------------------------------------------------


class RedisServer:
    """A `redis-server` on its own loopback port (the machine's shared one is left alone)."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.data_dir = data_dir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.data_dir)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not listen")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


# --- the server, restarted by the harness ------------------------------------------------


class ChaosServer(ServerProcess):
    """A `kiosk-server` that counts as up once `/readyz` answers 200 (database and channel
    layer reached): the OpenAPI page the default check reads takes seconds to build on a busy
    machine, and two requests building it at once get a 500."""

    def wait_until_ready(self, *, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"kiosk-server exited early; log:\n{self.log()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/readyz", timeout=5).status_code == 200:
                    return
            time.sleep(0.2)
        raise TimeoutError(f"kiosk-server not ready in {timeout}s; log:\n{self.log()}")


@contextlib.contextmanager
def _serving(extra_env: dict[str, str]) -> Iterator[ChaosServer]:
    """A fresh database, migrated and seeded, served on a free port; dropped after."""
    database = pg.create_database(pg.unique_database_name("kiosk_chaos"))
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-chaos-server-"))
    server = ChaosServer(
        database=database, data_dir=data_dir, port=free_port(), extra_env=extra_env
    )
    try:
        server.manage("migrate", "--verbosity", "0")
        server.manage("seed_demo")
        server.start(timeout=120)
        yield server
    finally:
        server.kill()
        pg.drop_database(database.name)
        shutil.rmtree(data_dir, ignore_errors=True)


# --- a receipt printer that can misbehave -------------------------------------------------


class FakePrinter:
    """A TCP (port 9100 style) printer: `ok` reads everything, `hang` accepts and never reads,
    `vanish` reads a little of a job then resets the connection."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.jobs_read = 0
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A tiny receive window: a printer that never reads fills it with one receipt.
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(32)
        self.port = int(self._listener.getsockname()[1])
        self.url = f"tcp://127.0.0.1:{self.port}"
        self._hung: list[socket.socket] = []
        threading.Thread(target=self._accept_loop, daemon=True, name="fake-printer").start()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode == "ok":
            hung, self._hung = self._hung, []
            for sock in hung:
                with contextlib.suppress(OSError):
                    sock.close()

    def _accept_loop(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        mode = self.mode
        if mode == "hang":
            self._hung.append(connection)  # never read; closed when the printer "recovers"
            return
        try:
            if mode == "vanish":
                connection.recv(64)  # the first bytes of the job, then the power goes
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            while connection.recv(65536):
                pass
            self.jobs_read += 1
        except OSError:
            return
        finally:
            if mode != "hang":
                with contextlib.suppress(OSError):
                    connection.close()


# --- kitchen screens ------------------------------------------------------------------------


class KitchenLogin:
    """demo.kitchen's access token; a refused socket asks for a fresh one."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._token: str | None = None
        self._lock = threading.Lock()

    def access_token(self) -> str:
        with self._lock:
            if self._token is None:
                self._login()
            assert self._token is not None
            return self._token

    def refresh(self) -> None:
        with self._lock:
            self._login()

    def _login(self) -> None:
        answer = httpx.post(
            f"{self.base_url}/api/auth/token/",
            json={"username": "demo.kitchen", "password": OWNER[1]},  # the demo password,
            timeout=10,
        )
        answer.raise_for_status()
        self._token = str(answer.json()["access"])


class Screen:
    """A kitchen screen without Qt: the real socket client; what it received, by sequence."""

    def __init__(self, url: str, login: KitchenLogin, station: str) -> None:
        self.station = station
        self.received: Counter[int] = Counter()
        self.last_sequence = 0
        self._lock = threading.Lock()
        self.client = KitchenSocketClient(
            url=url,
            access_token=login.access_token,
            refresh_token=login.refresh,
            last_sequence=lambda: self.last_sequence,
            pending_actions=list,
            on_message=self._received,
            on_online=lambda online, reason: None,
            backoff=RetryPolicy(base_s=0.1, cap_s=1.0),
        )
        self.client.start()

    def _received(self, message: KitchenServerMessageV1) -> None:
        if isinstance(message, KitchenTicketMessageV1):
            with self._lock:
                self.received[message.ticket.sequence] += 1
                self.last_sequence = max(self.last_sequence, message.ticket.sequence)

    def seen(self) -> Counter[int]:
        with self._lock:
            return Counter(self.received)


# --- tills --------------------------------------------------------------------------------


class Till:
    """One paired data folder and the `till_driver` process selling from it."""

    def __init__(self, data_dir: Path, terminal_id: str, printer_url: str) -> None:
        self.data_dir = data_dir
        self.terminal_id = terminal_id
        self.printer_url = printer_url
        self.clock_file = data_dir.parent / f"{data_dir.name}.faketime"
        self.clock_file.write_text("+0\n")
        self.process: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[str | None] = queue.Queue()
        self.paid: list[str] = []
        """Receipt numbers the till reported paid (all trials): each must be stored, once."""
        self.refused: list[str] = []
        """Why sales were refused (a full disk): each must be a message for the cashier."""
        self.unclear_refusals: list[str] = []
        self.kills = 0

    @property
    def database(self) -> Path:
        return self.data_dir / "terminal.sqlite3"

    def start(self) -> None:
        env = cli_env(self.data_dir.parent)
        if FAKETIME_LIB.exists():  # the whole process sees a clock the harness can move
            env.update(
                LD_PRELOAD=str(FAKETIME_LIB),
                FAKETIME_TIMESTAMP_FILE=str(self.clock_file),
                FAKETIME_NO_CACHE="1",
                FAKETIME_DONT_FAKE_MONOTONIC="1",
            )
        command = [sys.executable, "-m", "tests.chaos.till_driver", "--data-dir"]
        self.process = subprocess.Popen(
            [*command, str(self.data_dir), "--printer", self.printer_url],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(self.data_dir.parent / f"{self.data_dir.name}.log").open("a"),
            text=True,
            start_new_session=True,
        )
        answers: queue.Queue[str | None] = queue.Queue()
        self._answers = answers
        stdout = self.process.stdout
        assert stdout is not None

        def read() -> None:
            for line in stdout:
                answers.put(line)
            answers.put(None)

        threading.Thread(target=read, daemon=True, name="till-stdout").start()
        ready = self._next(timeout_s=120)
        if ready.get("ready") is not True:
            raise ChaosFailure(f"till driver did not start: {ready}")

    def wait_for_catalog(self, timeout_s: float) -> None:
        """Until the till's sync worker brought its outlet's staff (the feed serves only what
        no open transaction of the PostgreSQL cluster can still precede)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with contextlib.closing(sqlite3.connect(self.database, timeout=30)) as connection:
                if connection.execute("SELECT count(*) FROM cashiers").fetchone()[0]:
                    return
            time.sleep(0.5)
        raise ChaosFailure(f"{self.data_dir.name} got no catalog in {timeout_s:.0f} s")

    def _next(self, timeout_s: float) -> dict[str, Any]:
        try:
            line = self._answers.get(timeout=timeout_s)
        except queue.Empty as exc:
            raise ChaosFailure(
                f"till {self.data_dir.name} gave no answer in {timeout_s} s"
            ) from exc
        if line is None:
            raise ChaosFailure(f"till {self.data_dir.name} exited")
        return dict(json.loads(line))

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ask(self, command: str, timeout_s: float = 60) -> dict[str, Any]:
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer = self._next(timeout_s)
        if "error" in answer:
            raise ChaosFailure(f"till {self.data_dir.name}: {command}: {answer['error']}")
        return answer

    def sell(self, orders: int, seed: int) -> dict[str, Any]:
        answer = self.ask(f"sell {orders} {seed}", timeout_s=120)
        self.paid.extend(answer["paid"])
        self.refused.extend(answer["refused"])
        self.unclear_refusals.extend(
            message for message in answer["refused"] if message.startswith("unexpected")
        )
        return answer

    def send(self, command: str) -> None:
        """Write a command without waiting (the process may be killed before it answers)."""
        assert self.process is not None and self.process.stdin is not None
        with contextlib.suppress(OSError):
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.kills += 1

    def stop(self) -> None:
        if self.alive:
            self.send("quit")
            try:
                assert self.process is not None
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def shift_clock(self, offset: str) -> None:
        """Move this till's clock (`+3h`, `-2h`, `+0`): its process sees it at the next read."""
        temporary = self.clock_file.with_suffix(".tmp")
        temporary.write_text(offset + "\n")
        temporary.replace(self.clock_file)

    def local_orders(self) -> list[tuple[str, str, str, int]]:
        """(order id, receipt number, shift id, total) of every stored order."""
        with contextlib.closing(sqlite3.connect(self.database, timeout=30)) as connection:
            rows = connection.execute(
                "SELECT id, receipt_number, shift_id, total_minor FROM orders"
            ).fetchall()
        return [(str(a), str(b), str(c), int(d)) for a, b, c, d in rows]

    def closed_shifts(self) -> dict[str, int]:
        with contextlib.closing(sqlite3.connect(self.database, timeout=30)) as connection:
            rows = connection.execute(
                "SELECT id, expected_cash_minor FROM shifts WHERE state = 'closed'"
            ).fetchall()
        return {str(shift_id): int(expected) for shift_id, expected in rows}

    def integrity(self) -> str:
        with contextlib.closing(sqlite3.connect(self.database, timeout=30)) as connection:
            return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


# --- what a trial leaves behind ---------------------------------------------------------------


@dataclass
class Settled:
    """The fleet after a trial: how long it took to recover, and what the checks found."""

    recovery_s: float
    sales: int
    waited_on: str = ""
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    tickets_missed: list[str] = field(default_factory=list)
    tickets_doubled: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.lost
            or self.doubled
            or self.tickets_missed
            or self.tickets_doubled
            or self.problems
        )

    def explain(self) -> str:
        return (
            f"lost={self.lost[:5]} doubled={self.doubled[:5]} "
            f"tickets_missed={self.tickets_missed[:5]} tickets_doubled={self.tickets_doubled[:5]} "
            f"problems={self.problems[:5]}"
        )


class Fleet:
    """The server side and the till side of one proof run, with the checks between them."""

    def __init__(self, base_dir: Path, seed: int, tills: int = 2) -> None:
        self.base_dir = base_dir
        self.seed = seed
        self.rng = random.Random(seed)
        self.till_count = tills
        self.tills: list[Till] = []
        self.screens: list[Screen] = []
        self.sales_before = 0
        self._stack = contextlib.ExitStack()
        self._mounts: list[Path] = []
        self.disk_full_by_mount = False

    # --- building and tearing down ---

    @classmethod
    @contextlib.contextmanager
    def running(cls, base_dir: Path, seed: int, tills: int = 2) -> Iterator[Fleet]:
        fleet = cls(base_dir, seed, tills)
        try:
            fleet._build()
            yield fleet
        finally:
            fleet._teardown()

    def _build(self) -> None:
        self.redis = RedisServer(self.base_dir)
        self.redis.start()
        self._stack.callback(self.redis.kill)
        self.server = self._stack.enter_context(_serving({"REDIS_URL": self.redis.url}))
        self.cloud = Cloud(self.server)
        upstream = ("127.0.0.1", self.server.port)
        self.plan = FaultPlan(enabled=False, seed=self.seed)
        self.proxy = self._stack.enter_context(FaultProxy(upstream, self.plan))
        self.kitchen_link = FaultLink(upstream, seed=self.seed)
        self._stack.enter_context(self.kitchen_link)
        self.printer = FakePrinter()
        for index in range(self.till_count):
            data_dir = self.base_dir / f"till{index}"
            data_dir.mkdir(parents=True)
            self._mount_small_disk(data_dir)
            terminal_id = pair(self.cloud, data_dir, server_url=self.proxy.url)
            till = Till(data_dir, terminal_id, self.printer.url)
            till.start()
            self.tills.append(till)
        for till in self.tills:
            till.wait_for_catalog(timeout_s=300)
        outlet_id = self._main_outlet()
        self.outlet_id = outlet_id
        login = KitchenLogin(self.server.base_url)
        relay = f"http://127.0.0.1:{self.kitchen_link.port}"
        for station in STATIONS:
            url = kitchen_socket_url(relay, TENANT, outlet_id, station)
            self.screens.append(Screen(url, login, station))

    def _mount_small_disk(self, data_dir: Path) -> None:
        """Each till's data folder on its own small tmpfs, to fill on purpose (root only)."""
        if os.geteuid() != 0:
            return
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={TILL_DISK}", "tmpfs", str(data_dir)],
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            self._mounts.append(data_dir)
            self.disk_full_by_mount = True

    def _teardown(self) -> None:
        for screen in self.screens:
            screen.client.stop(timeout_s=2)
        for till in self.tills:
            till.stop()
        self._stack.close()
        for mount in self._mounts:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)

    def _main_outlet(self) -> str:
        rows = self.cloud.query("SELECT id::text FROM tenants_outlet WHERE code = 'main'")
        return str(rows[0][0])

    # --- driving ---

    def sell_everywhere(self, orders: int) -> int:
        sold = 0
        for till in self.tills:
            if till.alive:
                sold += len(till.sell(orders, self.rng.randrange(1 << 30))["paid"])
        return sold

    def restart_dead_tills(self) -> None:
        for till in self.tills:
            if not till.alive:
                till.start()

    def heal(self) -> None:
        """Every fault undone: links pass, clocks true, printer reads, dead sides restarted."""
        self.plan.enabled = False
        self.kitchen_link.set_mode("pass")
        self.printer.set_mode("ok")
        if self.redis.process is None or self.redis.process.poll() is not None:
            self.redis.start()
        if not self.server.running:
            self.server.start(timeout=120)
        for till in self.tills:
            till.shift_clock("+0")
        self.restart_dead_tills()

    # --- the checks ---

    def _server_orders(self) -> list[tuple[str, str, int]]:
        ids = [till.terminal_id for till in self.tills]
        rows = self.cloud.query(
            "SELECT id::text, shift_id::text, total_minor FROM orders_order"
            " WHERE terminal_id = ANY(%s::uuid[])",
            ids,
        )
        return [(str(a), str(b), int(c)) for a, b, c in rows]

    def _tickets(self) -> list[tuple[str, int]]:
        rows = self.cloud.query(
            "SELECT station, sequence FROM kitchen_kitchenticket WHERE outlet_id = %s::uuid",
            self.outlet_id,
        )
        return [(str(station), int(sequence)) for station, sequence in rows]

    def _drained(self) -> bool:
        for till in self.tills:
            state = till.ask("state")
            if state["pending"] or state["needs_attention"]:
                return False
            if state["jobs"].get("pending") or state["jobs"].get("printing"):
                return False
        return True

    def _tickets_delivered(self) -> bool:
        tickets = self._tickets()
        for screen in self.screens:
            expected = {seq for station, seq in tickets if station == screen.station}
            if not expected <= set(screen.seen()):
                return False
        return True

    def _orders_arrived(self) -> bool:
        local = {row[0] for till in self.tills for row in till.local_orders()}
        return local <= {row[0] for row in self._server_orders()}

    def settle(self, timeout_s: float) -> Settled:
        """Wait until every queue drained by itself and every screen has every ticket, then
        check the invariants; `recovery_s` runs from this call (the moment of healing)."""
        started = time.monotonic()
        deadline = started + timeout_s
        recovered = False
        waiting_on = "nothing yet"
        while time.monotonic() < deadline:
            try:
                for name, condition in (
                    ("till queues", self._drained),
                    ("orders on the server", self._orders_arrived),
                    ("tickets on the screens", self._tickets_delivered),
                ):
                    if not condition():
                        waiting_on = name
                        break
                else:
                    recovered = True
                    break
            except (psycopg.OperationalError, sqlite3.OperationalError) as error:
                waiting_on = f"{type(error).__name__}"
            time.sleep(0.1)
        recovery_s = time.monotonic() - started
        settled = self.check()
        settled.recovery_s = recovery_s
        settled.waited_on = waiting_on
        if not recovered:
            settled.problems.append(f"not recovered within {timeout_s:.0f} s")
            settled.problems.extend(self._what_is_stuck())
        return settled

    def _what_is_stuck(self) -> list[str]:
        stuck = []
        for till in self.tills:
            with contextlib.suppress(ChaosFailure):
                stuck.append(f"{till.data_dir.name}: {till.ask('state')}")
        return stuck

    def check(self) -> Settled:
        local = [(till, row) for till in self.tills for row in till.local_orders()]
        local_ids = Counter(row[0] for _, row in local)
        server = self._server_orders()
        server_ids = Counter(row[0] for row in server)
        settled = Settled(recovery_s=0.0, sales=len(local_ids) - self.sales_before)
        self.sales_before = len(local_ids)
        settled.lost = sorted(set(local_ids) - set(server_ids))
        settled.doubled = sorted(
            {i for i, n in server_ids.items() if n > 1} | {i for i, n in local_ids.items() if n > 1}
        )
        phantom = sorted(set(server_ids) - set(local_ids))
        if phantom:
            settled.problems.append(f"on the server but on no till: {phantom[:5]}")
        # A sale reported paid that no till holds is a lost sale as the customer sees it.
        receipts = {row[1] for _, row in local}
        for till in self.tills:
            settled.lost.extend(f"receipt {r}" for r in till.paid if r not in receipts)
            settled.problems.extend(f"unclear refusal: {m}" for m in till.unclear_refusals)
            till.unclear_refusals.clear()
            verdict = till.integrity()
            if verdict != "ok":
                settled.problems.append(f"{till.data_dir.name} integrity: {verdict}")
        settled.problems.extend(self._shift_differences(local, server))
        tickets = self._tickets()
        for index, screen in enumerate(self.screens):
            seen = screen.seen()
            for station, sequence in tickets:
                if station != screen.station:
                    continue
                if seen[sequence] == 0:
                    settled.tickets_missed.append(f"screen {index} #{sequence}")
                elif seen[sequence] > 1:
                    settled.tickets_doubled.append(f"screen {index} #{sequence} x{seen[sequence]}")
        return settled

    def _shift_differences(
        self,
        local: list[tuple[Till, tuple[str, str, str, int]]],
        server: list[tuple[str, str, int]],
    ) -> list[str]:
        """Every shift's sales (count and total) and closed drawer agree till vs server."""
        till_figures: dict[str, tuple[int, int]] = {}
        for _, (_, _, shift_id, total) in local:
            count, amount = till_figures.get(shift_id, (0, 0))
            till_figures[shift_id] = (count + 1, amount + total)
        server_figures: dict[str, tuple[int, int]] = {}
        for _, shift_id, total in server:
            count, amount = server_figures.get(shift_id, (0, 0))
            server_figures[shift_id] = (count + 1, amount + total)
        problems = [
            f"shift {shift_id}: till {figures} server {server_figures.get(shift_id)}"
            for shift_id, figures in till_figures.items()
            if server_figures.get(shift_id) != figures
        ]
        closed = {s: e for till in self.tills for s, e in till.closed_shifts().items()}
        if closed:
            rows = self.cloud.query(
                "SELECT id::text, status, expected_cash_minor, server_expected_cash_minor"
                " FROM shifts_shift WHERE id = ANY(%s::uuid[])",
                list(closed),
            )
            on_server = {str(r[0]): (str(r[1]), r[2], r[3]) for r in rows}
            for shift_id, expected in closed.items():
                status, told, computed = on_server.get(shift_id, ("missing", None, None))
                if status != "closed" or told != expected or computed != expected:
                    problems.append(
                        f"closed shift {shift_id}: till expects {expected}, server {status} "
                        f"told {told} computed {computed}"
                    )
        return problems

    # --- server-side faults ---

    def terminate_database_backends(self) -> int:
        """`pg_terminate_backend` every connection to this run's database (not the cluster)."""
        admin_url = f"postgresql://postgres@{pg.HOST_PORT}/postgres"
        with psycopg.connect(admin_url, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.server.database.name,),
            ).fetchall()
        return len(rows)


def clean_base_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
