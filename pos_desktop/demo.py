"""`make demo`: the whole product on one machine, from an empty folder to a paired till.

Starts the cloud server on SQLite with the demo tenant, pairs the cashier terminal `t1` and
the kitchen screen `k1` of outlet `main` (asking for the one-time codes as the demo owner,
as an owner would in the back office), then opens the kitchen screen and the cashier app.
Closing the cashier app stops the rest. A second run reuses the same folders. On an X11
desktop it first checks the system libraries Qt's windows need (`pos_desktop.xcb_check`):
installed when run as root, otherwise the one `apt-get install` line to run is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import keyring
from keyring.backends import chainer, fail, null

from pos_desktop.credentials import BACKEND_ENV
from pos_desktop.kitchen.demo import demo_pairing_code
from pos_desktop.xcb_check import ensure_xcb_libraries

HOST = "127.0.0.1"
EXIT_MISSING_LIBRARIES = 3
DEMO_FILE_KEYRING = "keyrings.alt.file.PlaintextKeyring"


def _python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def _wait_until_up(base_url: str, server: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    """Poll the schema endpoint until the server answers (or fail with its exit code)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the demo server stopped with exit code {server.returncode}")
        try:
            if httpx.get(f"{base_url}/api/schema/", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the demo server did not answer at {base_url} within {timeout_s:.0f} s")


def _demo_keyring_env() -> dict[str, str]:
    """The environment for the apps: a real OS keyring when there is one.

    A desktop without a keyring service (a bare Linux session) gets keyrings.alt's file store,
    named explicitly and announced: acceptable for a demo on your own machine, never a silent
    default of the product itself.
    """
    env = dict(os.environ)
    if env.get(BACKEND_ENV):
        return env
    backend = keyring.get_keyring()
    candidates = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    real = [
        b
        for b in candidates
        if not isinstance(b, fail.Keyring | null.Keyring)
        and not type(b).__module__.startswith("keyrings.alt")
    ]
    if not real:
        print(
            f"No OS keyring service found: the demo stores device tokens with "
            f"{BACKEND_ENV}={DEMO_FILE_KEYRING} (demo only).",
            flush=True,
        )
        env[BACKEND_ENV] = DEMO_FILE_KEYRING
    return env


def _till_is_paired(till_dir: Path, env: dict[str, str]) -> bool:
    answer = subprocess.run(
        _python_module("pos_desktop.cli", "--data-dir", str(till_dir), "status", "--json"),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return bool(json.loads(answer.stdout).get("paired"))


def pair_demo_till(*, till_dir: Path, base_url: str, env: dict[str, str]) -> None:
    """Pair the till `t1` of outlet `main` unless this folder already is."""
    if _till_is_paired(till_dir, env):
        return
    code = demo_pairing_code(base_url, screen_code="t1")
    subprocess.run(
        _python_module(
            "pos_desktop.cli",
            "--data-dir",
            str(till_dir),
            "pair",
            "--server",
            base_url,
            "--code",
            code,
        ),
        env=env,
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pos_desktop.demo", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path("data/demo"))
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-kitchen", action="store_true", help="do not open the kitchen screen")
    parser.add_argument(
        "--pair-only",
        action="store_true",
        help="start the server and pair the till, then stop (a check of the set-up)",
    )
    args = parser.parse_args(argv)
    if not args.pair_only and not ensure_xcb_libraries():
        return EXIT_MISSING_LIBRARIES  # before the server starts: nothing to clean up
    data_dir: Path = args.data_dir.resolve()
    base_url = f"http://{HOST}:{args.port}"
    env = _demo_keyring_env()

    server = subprocess.Popen(
        _python_module(
            "sync_server.demo", "--data-dir", str(data_dir / "server"), "--port", str(args.port)
        ),
        env=env,
    )
    children: list[subprocess.Popen[bytes]] = [server]
    try:
        _wait_until_up(base_url, server)
        pair_demo_till(till_dir=data_dir / "till", base_url=base_url, env=env)
        print(
            f"Back office: {base_url}/backoffice/ (sign in as demo.owner / kiosk-demo).",
            flush=True,
        )
        kitchen_command = _python_module(
            "pos_desktop.kitchen.cli", "--data-dir", str(data_dir / "kitchen"), "demo"
        )
        kitchen_command += ["--server", base_url]
        if args.pair_only:
            return 0
        if not args.no_kitchen:
            children.append(subprocess.Popen(kitchen_command, env=env))
        print(
            f"Cashier app: sign in with PIN 3333 (cashier) or 2222 (manager). "
            f"Server {base_url}, data in {data_dir}.",
            flush=True,
        )
        cashier = subprocess.Popen(
            _python_module("pos_desktop.cli", "--data-dir", str(data_dir / "till")), env=env
        )
        children.append(cashier)
        return cashier.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    sys.exit(main())
