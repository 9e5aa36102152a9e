"""The terminal's device credentials (refresh token) in the OS keyring, never in a plain file."""

from __future__ import annotations

import configparser
import hashlib
import json
import os
from base64 import encodebytes
from pathlib import Path

import keyring
import keyring.backend
from keyring.backends import chainer, fail, null
from keyrings.alt.escape import escape as escape_for_ini
from keyrings.alt.file_base import Keyring as FileKeyring

TOKENS = "device-tokens"
"""One keyring entry holding both tokens as JSON: a pair is written, and lost, as one."""
REFRESH_TOKEN = "device-refresh-token"
ACCESS_TOKEN = "device-access-token"
LEGACY_ENTRIES = (REFRESH_TOKEN, ACCESS_TOKEN)
"""The two entries of earlier versions, still read; replaced by TOKENS on the next write."""
BACKEND_ENV = "PYTHON_KEYRING_BACKEND"
UNAVAILABLE_MESSAGE = (
    "No secure keyring service is available to hold this terminal's device credentials "
    "(no Secret Service, KWallet, macOS Keychain or Windows Credential Locker was found). "
    "Start a keyring service, or opt in explicitly to a file-based store by setting "
    f"{BACKEND_ENV}=keyrings.alt.file.EncryptedKeyring (or keyrings.alt.file.PlaintextKeyring "
    "on a locked-down kiosk) before starting kiosk-pos."
)


class CredentialStoreUnavailable(RuntimeError):
    """Raised instead of silently falling back to an unencrypted file."""

    def __init__(self, message: str = UNAVAILABLE_MESSAGE) -> None:
        super().__init__(message)


def _is_file_fallback(backend: keyring.backend.KeyringBackend) -> bool:
    return type(backend).__module__.startswith("keyrings.alt")


def _chosen_explicitly() -> bool:
    """The operator named a backend (environment or keyringrc.cfg): a file store is then fine."""
    return bool(os.environ.get(BACKEND_ENV)) or keyring.core.load_config() is not None


def secure_backend() -> keyring.backend.KeyringBackend:
    """The keyring backend to use, or CredentialStoreUnavailable naming the opt-in variable."""
    backend = keyring.get_keyring()
    candidates = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    usable = [b for b in candidates if not isinstance(b, fail.Keyring | null.Keyring)]
    if not usable:
        raise CredentialStoreUnavailable()
    if all(_is_file_fallback(b) for b in usable) and not _chosen_explicitly():
        raise CredentialStoreUnavailable()
    return backend


class DeviceCredentials:
    """Secrets of one paired terminal, keyed by its data folder so two terminals never mix."""

    def __init__(self, data_dir: Path) -> None:
        digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
        self.service = f"kiosk-pos/{digest}"

    def _pair(self) -> tuple[str | None, str | None]:
        """(access, refresh) as stored: the one-entry form, else the two entries of old."""
        backend = secure_backend()
        stored = backend.get_password(self.service, TOKENS)
        if stored:
            try:
                pair = json.loads(stored)
                return pair.get("access") or None, pair.get("refresh") or None
            except (ValueError, AttributeError):
                pass  # unreadable: fall back to what the older entries hold
        return (
            backend.get_password(self.service, ACCESS_TOKEN),
            backend.get_password(self.service, REFRESH_TOKEN),
        )

    def refresh_token(self) -> str | None:
        """The stored device refresh token, None when the terminal is not paired."""
        return self._pair()[1]

    def access_token(self) -> str | None:
        """The last access token; kept so a restart does not rotate the refresh token again."""
        return self._pair()[0]

    def store_tokens(self, *, access: str, refresh: str) -> None:
        """Save a rotated pair as ONE entry, atomically, before it is used: the server will
        forget the old refresh token once the new one is used, so a pair half written (or a
        keyring file emptied by a kill mid-write) would lock the terminal out."""
        entry = json.dumps({"access": access, "refresh": refresh})
        _write_entries(
            secure_backend(), self.service, {TOKENS: entry, **dict.fromkeys(LEGACY_ENTRIES)}
        )

    def forget(self) -> None:
        """Remove the credentials (unpairing)."""
        _write_entries(secure_backend(), self.service, dict.fromkeys((TOKENS, *LEGACY_ENTRIES)))


def _write_entries(
    backend: keyring.backend.KeyringBackend, service: str, entries: dict[str, str | None]
) -> None:
    """Set (a value) or delete (None) entries of one service.

    A keyrings.alt file store rewrites its file in place, so a kill mid-write can leave it
    empty: there the whole change goes to a new file that replaces the old one atomically. An
    OS keyring (Secret Service, Keychain, Credential Locker) is a database that writes each
    entry whole; entries are set before old ones are deleted.
    """
    store = _file_store(backend)
    if store is not None:
        _replace_file_entries(store, service, entries)
        return
    for name, value in entries.items():
        if value is not None:
            backend.set_password(service, name, value)
    for name, value in entries.items():
        if value is None and backend.get_password(service, name) is not None:
            backend.delete_password(service, name)


def _file_store(backend: keyring.backend.KeyringBackend) -> FileKeyring | None:
    """The keyrings.alt file backend writes would go to, if that is what is in use."""
    candidates = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    usable = [b for b in candidates if not isinstance(b, fail.Keyring | null.Keyring)]
    first = usable[0] if usable else None
    return first if isinstance(first, FileKeyring) else None


def _replace_file_entries(store: FileKeyring, service: str, entries: dict[str, str | None]) -> None:
    """keyrings.alt's own encoding of each value (its `set_password`), written to a temporary
    file that is synced and renamed over the keyring file: old or new, never half."""
    path = Path(store.file_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    config = configparser.RawConfigParser()
    if path.exists():
        config.read(path, encoding="utf-8")
    section = escape_for_ini(service)
    for name, value in entries.items():
        key = escape_for_ini(name)
        if value is None:
            if config.has_section(section):
                config.remove_option(section, key)
            continue
        encrypted = store.encrypt(value.encode("utf-8"), store._generate_assoc(service, name))
        if not config.has_section(section):
            config.add_section(section)
        config.set(section, key, "\n" + encodebytes(encrypted).decode())
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        config.write(file)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
