"""The desktop bundles as a reseller installs them: built once by `installers/build.sh`, run
with `--self-check` offscreen from a fresh data folder and from an old one, and installed and
removed with the tarball's scripts.

The old till folder is a paired till with sales in its outbox, taken back to the oldest schema
revision (0001): the frozen app must migrate it, keep the sales and the keyring's credentials,
and sync them to a real server.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.chaos.support import Cloud, assert_same_orders_once, cli_env, pair, simulate
from tests.support.server_process import REPO_ROOT, ServerProcess, running_server

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(900)]

OLDEST_REVISION = "0001"


@dataclass(frozen=True)
class Bundles:
    dist: Path
    tarball: Path

    def app(self, name: str) -> Path:
        return self.dist / name / name


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Bundles:
    """Both apps built once per run, exactly as `make installers` builds them.

    KIOSK_TEST_INSTALLERS_DIR names the output of an earlier `installers/build.sh` to reuse
    while working on these tests; CI always builds.
    """
    reused = os.environ.get("KIOSK_TEST_INSTALLERS_DIR")
    if reused:
        out = Path(reused)
        (tarball,) = out.glob("kiosk-pos-*-linux-*.tar.gz")
        return Bundles(dist=out / "dist", tarball=tarball)
    out = tmp_path_factory.mktemp("installers")
    built = subprocess.run(
        ["sh", str(REPO_ROOT / "installers" / "build.sh"), str(out)],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=840,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-5000:]
    (tarball,) = out.glob("kiosk-pos-*-linux-*.tar.gz")
    return Bundles(dist=out / "dist", tarball=tarball)


def run_bundle(
    executable: Path, home: Path, *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run a frozen app as a till would: its own home, a file keyring (the opt-in), no display."""
    env = cli_env(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    for leaked in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"):
        env.pop(leaked, None)  # the bundle must need nothing from the build's Python
    return subprocess.run(
        [str(executable), *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def report_lines(output: str) -> dict[str, str]:
    """`name -> "ok  detail"` or `"FAIL detail"` from a self-check report."""
    lines: dict[str, str] = {}
    for line in output.splitlines():
        if line.startswith("  "):
            status, rest = line[2:6].strip(), line[7:]
            name, _, detail = rest.partition("  ")
            lines[name.strip()] = f"{status} {detail.strip()}"
    return lines


def test_kiosk_pos_checks_a_fresh_data_folder(bundles: Bundles, tmp_path: Path) -> None:
    data_dir = tmp_path / "till"
    done = run_bundle(
        bundles.app("kiosk-pos"), tmp_path, "--data-dir", str(data_dir), "--self-check"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = report_lines(done.stdout)
    assert set(lines) == {
        "data folder", "database", "catalog", "outbox", "translations", "main screen",
        "keyring", "printer",
    }  # fmt: skip
    assert all(value.startswith("ok ") for value in lines.values()), done.stdout
    assert "(new database)" in lines["database"]
    assert "kiosk_pos_id.qm" in lines["translations"]
    assert "keyrings.alt.file.PlaintextKeyring" in lines["keyring"]
    assert "test slip rendered" in lines["printer"]
    assert (data_dir / "terminal.sqlite3").exists()
    assert done.stdout.rstrip().endswith("result: ok")


def test_kiosk_pos_refuses_without_a_keyring_and_says_how_to_opt_in(
    bundles: Bundles, tmp_path: Path
) -> None:
    env = cli_env(tmp_path)
    env.pop("PYTHON_KEYRING_BACKEND")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent"  # no Secret Service here
    done = subprocess.run(
        [str(bundles.app("kiosk-pos")), "--data-dir", str(tmp_path / "till"), "--self-check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert report_lines(done.stdout)["keyring"].startswith("FAIL")
    assert "PYTHON_KEYRING_BACKEND" in done.stdout
    assert "result: FAILED (keyring)" in done.stdout


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    with running_server() as running:
        yield running


def _old_till(server: ServerProcess, home: Path, sales: int) -> tuple[Path, str]:
    """A paired till with `sales` in its outbox, its database taken back to OLDEST_REVISION."""
    till = home / "till"
    terminal_id = pair(Cloud(server), till)
    simulate(till, sales, seed=3)
    downgraded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path;"
            "from alembic import command;"
            "from pos_desktop.store.db import alembic_config, make_engine;"
            "engine = make_engine(Path(sys.argv[1]) / 'terminal.sqlite3');"
            "connection = engine.connect();"
            "command.downgrade(alembic_config(connection), sys.argv[2]);"
            "connection.commit()",
            str(till),
            OLDEST_REVISION,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert downgraded.returncode == 0, downgraded.stderr
    return till, terminal_id


def test_kiosk_pos_updates_an_old_data_folder_whose_sales_then_sync(
    bundles: Bundles, server: ServerProcess, tmp_path: Path
) -> None:
    till, terminal_id = _old_till(server, tmp_path, sales=5)
    with sqlite3.connect(till / "terminal.sqlite3") as connection:
        (queued,) = connection.execute("SELECT count(*) FROM sync_queue").fetchone()
    assert queued >= 5  # the sales, and the shift they were rung up in
    app = bundles.app("kiosk-pos")
    done = run_bundle(app, tmp_path, "--data-dir", str(till), "--self-check")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = report_lines(done.stdout)
    assert f"(from {OLDEST_REVISION})" in lines["database"]
    assert lines["outbox"].startswith(f"ok {queued} sales waiting to sync")
    assert "device credentials present" in lines["keyring"]
    assert "products in" in lines["catalog"]

    synced = run_bundle(
        app, tmp_path, "--data-dir", str(till), "sync", "--until-empty", "--timeout", "120"
    )
    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert_same_orders_once(Cloud(server), till, terminal_id, 5)


def _kitchen_pair(server: ServerProcess, home: Path) -> Path:
    """A kitchen screen folder paired by the current code (kitchen.json and keyring tokens)."""
    folder = home / "kitchen"
    paired = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path;"
            "from pos_desktop.kitchen.demo import ensure_demo_pairing;"
            "ensure_demo_pairing(data_dir=Path(sys.argv[1]), server_url=sys.argv[2])",
            str(folder),
            server.base_url,
        ],
        cwd=REPO_ROOT,
        env=cli_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert paired.returncode == 0, paired.stderr
    return folder


def test_kiosk_kitchen_checks_a_fresh_and_a_paired_folder(
    bundles: Bundles, server: ServerProcess, tmp_path: Path
) -> None:
    app = bundles.app("kiosk-kitchen")
    fresh = run_bundle(app, tmp_path, "--data-dir", str(tmp_path / "fresh"), "--self-check")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    lines = report_lines(fresh.stdout)
    assert set(lines) == {"data folder", "pairing", "ticket board", "keyring"}
    assert lines["pairing"].startswith("ok not paired yet")

    folder = _kitchen_pair(server, tmp_path)
    paired = run_bundle(app, tmp_path, "--data-dir", str(folder), "--self-check")
    assert paired.returncode == 0, paired.stdout + paired.stderr
    lines = report_lines(paired.stdout)
    assert f"{server.base_url} demo/main" in lines["pairing"]
    assert "device credentials present" in lines["keyring"]
    assert lines["ticket board"].startswith("ok 1280x800")


def test_the_tarball_installs_updates_and_uninstalls_keeping_the_data(
    bundles: Bundles, tmp_path: Path
) -> None:
    with tarfile.open(bundles.tarball) as archive:
        archive.extractall(tmp_path / "unpacked", filter="tar")
    (unpacked,) = (tmp_path / "unpacked").iterdir()
    places = {
        "PREFIX": tmp_path / "opt" / "kiosk-pos",
        "BIN_DIR": tmp_path / "bin",
        "APPLICATIONS_DIR": tmp_path / "applications",
        "ICONS_DIR": tmp_path / "icons",
        "AUTOSTART_DIR": tmp_path / "autostart",
    }
    env = {**os.environ, **{key: str(value) for key, value in places.items()}}
    for _ in range(2):  # a second run is an update over the first
        installed = subprocess.run(
            ["sh", str(unpacked / "install.sh"), "--kiosk-autostart", "cashier"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert installed.returncode == 0, installed.stderr
    launcher = places["BIN_DIR"] / "kiosk-pos"
    assert launcher.resolve() == places["PREFIX"] / "kiosk-pos" / "kiosk-pos"
    desktop = (places["APPLICATIONS_DIR"] / "kiosk-pos.desktop").read_text()
    assert f"Exec={places['PREFIX']}/kiosk-pos/kiosk-pos\n" in desktop
    autostart = (places["AUTOSTART_DIR"] / "kiosk-pos.desktop").read_text()
    assert f"Exec={places['PREFIX']}/kiosk-pos/kiosk-pos --kiosk\n" in autostart
    assert (places["ICONS_DIR"] / "kiosk-kitchen.png").exists()

    data_dir = tmp_path / "home" / ".local" / "share" / "kiosk-pos"
    checked = run_bundle(launcher, tmp_path, "--data-dir", str(data_dir), "--self-check")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    removed = subprocess.run(
        ["sh", str(places["PREFIX"] / "uninstall.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert removed.returncode == 0, removed.stderr
    assert not places["PREFIX"].exists() and not launcher.exists()
    assert not (places["AUTOSTART_DIR"] / "kiosk-pos.desktop").exists()
    assert (data_dir / "terminal.sqlite3").exists()  # the till's data stays
    shutil.rmtree(tmp_path / "unpacked")
