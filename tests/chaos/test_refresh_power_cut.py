"""A till loses power during a token refresh, or its credentials, and still syncs every sale.

1. SIGKILL between the server's rotation answer and the keyring write; the till comes back
   long after the old 60 s replay window (the spend is dated ten minutes back on the server:
   its clock, as far as that token is concerned) and syncs without being paired again.
2. A till whose credentials are gone is paired again, same data folder, with a new code of
   its terminal; its unsynced sales stay and sync.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import keyring
import psycopg
import pytest
from keyrings.alt.file import PlaintextKeyring

from pos_desktop.credentials import BACKEND_ENV, DeviceCredentials
from tests.chaos.support import (
    TENANT,
    Cloud,
    assert_same_orders_once,
    cli_command,
    cli_env,
    drain,
    pair,
    run_cli,
    simulate,
)
from tests.support import pg
from tests.support.keyring import KILL_ON_WRITE_FILE_ENV
from tests.support.server_process import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def till_keyring(till: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlaintextKeyring]:
    """This process reading and writing the till's own file keyring (what `cli_env` names)."""
    backend = PlaintextKeyring()
    backend.file_path = str(till.parent / "xdg-data" / "python_keyring" / "keyring_pass.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv(BACKEND_ENV, "keyrings.alt.file.PlaintextKeyring")
    yield backend
    keyring.set_keyring(previous)


def _terminal_id(till: Path) -> str:
    with sqlite3.connect(till / "terminal.sqlite3") as connection:
        (value,) = connection.execute(
            "SELECT value FROM settings WHERE key = 'terminal'"
        ).fetchone()
    return str(json.loads(value)["terminal_id"])


def _admin(cloud: Cloud) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        f"postgresql://postgres@{pg.HOST_PORT}/{cloud.server.database.name}", autocommit=True
    )


def test_a_power_cut_between_the_rotation_and_the_keyring_write_is_survived(
    cloud: Cloud, till: Path, till_keyring: PlaintextKeyring
) -> None:
    terminal_id = pair(cloud, till)
    simulate(till, orders=4, seed=21)
    credentials = DeviceCredentials(till)
    refresh = credentials.refresh_token()
    assert refresh is not None
    # The access token has expired: the next call refreshes first.
    credentials.store_tokens(access="expired", refresh=refresh)

    env = {
        **cli_env(till.parent),
        BACKEND_ENV: "tests.support.keyring.KillOnWriteKeyring",
        KILL_ON_WRITE_FILE_ENV: till_keyring.file_path,
    }
    cut = subprocess.run(
        cli_command(till, "sync", "--until-empty", "--timeout", "60"),
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert cut.returncode == -9, cut.stdout + cut.stderr  # killed at the keyring write
    assert credentials.refresh_token() == refresh  # the new pair never reached the keyring
    with _admin(cloud) as admin:
        spent = admin.execute(
            "UPDATE token_blacklist_blacklistedtoken"
            " SET blacklisted_at = blacklisted_at - interval '10 minutes'"
        ).rowcount
    assert spent == 1, "the server should have rotated the refresh token once"

    drain(till, 120)
    assert_same_orders_once(cloud, till, terminal_id, expected=4)
    assert credentials.refresh_token() != refresh


def _code_for(cloud: Cloud, terminal_id: str) -> str:
    answer = httpx.post(
        f"{cloud.server.base_url}/api/{TENANT}/terminals/{terminal_id}/pairing-code/",
        headers=cloud._owner_headers(),
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["code"])


def test_a_till_paired_again_keeps_and_syncs_its_unsynced_sales(
    cloud: Cloud, till: Path, till_keyring: PlaintextKeyring
) -> None:
    terminal_id = pair(cloud, till)
    simulate(till, orders=3, seed=22)
    DeviceCredentials(till).forget()  # the keyring was wiped: the till cannot sign in
    refused = run_cli(till, "sync", "--until-empty", "--timeout", "20")
    assert refused.returncode != 0
    again = run_cli(
        till, "pair", "--server", cloud.server.base_url, "--code", _code_for(cloud, terminal_id)
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert _terminal_id(till) == terminal_id
    drain(till, 120)
    assert_same_orders_once(cloud, till, terminal_id, expected=3)


def test_a_code_of_another_terminal_does_not_take_over_a_paired_folder(
    cloud: Cloud, till: Path, till_keyring: PlaintextKeyring
) -> None:
    terminal_id = pair(cloud, till)
    other = run_cli(
        till, "pair", "--server", cloud.server.base_url, "--code", cloud.new_terminal_code()
    )
    assert other.returncode != 0
    assert "sells as" in other.stdout + other.stderr
    assert _terminal_id(till) == terminal_id
    assert os.path.exists(till / "terminal.sqlite3")
