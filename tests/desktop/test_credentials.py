"""Device credentials: the OS keyring or an explicit opt-in, never a silent plaintext file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring

from pos_desktop.credentials import (
    BACKEND_ENV,
    CredentialStoreUnavailable,
    DeviceCredentials,
    secure_backend,
)
from tests.desktop.conftest import MemoryKeyring
from tests.support.server_process import REPO_ROOT


@pytest.fixture
def plaintext_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """What keyring picks on a headless Linux box with keyrings.alt installed and nothing else."""
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    keyring.set_keyring(backend)
    monkeypatch.setattr(keyring.core, "load_config", lambda: None)
    yield backend
    keyring.set_keyring(previous)


def test_headless_fallback_is_refused_with_the_opt_in_named(
    plaintext_fallback: PlaintextKeyring, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(BACKEND_ENV, raising=False)
    with pytest.raises(CredentialStoreUnavailable) as refused:
        DeviceCredentials(tmp_path).store_tokens(access="a", refresh="r")
    assert BACKEND_ENV in str(refused.value)
    assert "keyrings.alt" in str(refused.value)
    assert not Path(plaintext_fallback.file_path).exists()  # nothing was written


def test_explicit_opt_in_allows_the_file_store(
    plaintext_fallback: PlaintextKeyring, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(BACKEND_ENV, "keyrings.alt.file.PlaintextKeyring")
    assert secure_backend() is plaintext_fallback
    credentials = DeviceCredentials(tmp_path)
    credentials.store_tokens(access="acc", refresh="ref")
    assert (credentials.access_token(), credentials.refresh_token()) == ("acc", "ref")


def test_tokens_are_per_data_folder_and_forgettable(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    one = DeviceCredentials(tmp_path / "one")
    two = DeviceCredentials(tmp_path / "two")
    one.store_tokens(access="a1", refresh="r1")
    assert two.refresh_token() is None
    assert one.refresh_token() == "r1"
    one.forget()
    assert one.refresh_token() is None and one.access_token() is None


def test_a_pair_is_one_entry_and_the_old_two_entry_form_is_still_read(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    credentials = DeviceCredentials(tmp_path)
    memory_keyring.set_password(credentials.service, "device-refresh-token", "old-r")
    memory_keyring.set_password(credentials.service, "device-access-token", "old-a")
    assert (credentials.access_token(), credentials.refresh_token()) == ("old-a", "old-r")
    credentials.store_tokens(access="new-a", refresh="new-r")
    assert set(memory_keyring.secrets) == {(credentials.service, "device-tokens")}
    assert (credentials.access_token(), credentials.refresh_token()) == ("new-a", "new-r")


WRITER = """
import sys
from pathlib import Path
from pos_desktop.credentials import DeviceCredentials
credentials = DeviceCredentials(Path(sys.argv[1]))
index = 0
while True:
    index += 1
    pad = "x" * 400
    credentials.store_tokens(access=f"access-{index}-{pad}", refresh=f"refresh-{index}-{pad}")
    if index == 1:
        print("writing", flush=True)
"""


def test_a_kill_during_a_write_leaves_a_whole_pair_in_the_file_store(
    plaintext_fallback: PlaintextKeyring, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """30 SIGKILLs at random moments of a process writing pairs as fast as it can: each time
    the keyring file holds one whole pair (9 of 30 emptied it when it was rewritten in place)."""
    monkeypatch.setenv(BACKEND_ENV, "keyrings.alt.file.PlaintextKeyring")
    data_dir = tmp_path / "till"
    xdg = tmp_path / "xdg"
    env = {
        **os.environ,
        BACKEND_ENV: "keyrings.alt.file.PlaintextKeyring",
        "XDG_DATA_HOME": str(xdg),
    }
    plaintext_fallback.file_path = str(xdg / "python_keyring" / "keyring_pass.cfg")
    credentials = DeviceCredentials(data_dir)
    credentials.store_tokens(access="access-0-", refresh="refresh-0-")
    generator = random.Random(13)
    for _ in range(30):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data_dir)],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
        )
        assert writer.stdout is not None and writer.stdout.readline() == b"writing\n"
        time.sleep(generator.uniform(0, 0.05))
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
        access, refresh = credentials.access_token(), credentials.refresh_token()
        assert access is not None and refresh is not None, "the keyring lost the pair"
        assert access.split("-")[1] == refresh.split("-")[1], "a pair of two different writes"
