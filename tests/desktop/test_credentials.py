"""Device credentials: the OS keyring or an explicit opt-in, never a silent plaintext file."""

from __future__ import annotations

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
