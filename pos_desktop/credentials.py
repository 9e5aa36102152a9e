"""The terminal's device credentials (refresh token) in the OS keyring, never in a plain file."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import keyring
import keyring.backend
from keyring.backends import chainer, fail, null

REFRESH_TOKEN = "device-refresh-token"
ACCESS_TOKEN = "device-access-token"
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

    def refresh_token(self) -> str | None:
        """The stored device refresh token, None when the terminal is not paired."""
        return secure_backend().get_password(self.service, REFRESH_TOKEN)

    def access_token(self) -> str | None:
        """The last access token; kept so a restart does not rotate the refresh token again."""
        return secure_backend().get_password(self.service, ACCESS_TOKEN)

    def store_tokens(self, *, access: str, refresh: str) -> None:
        """Save a rotated pair at once: the server has already forgotten the old refresh token."""
        backend = secure_backend()
        backend.set_password(self.service, REFRESH_TOKEN, refresh)
        backend.set_password(self.service, ACCESS_TOKEN, access)

    def forget(self) -> None:
        """Remove the credentials (unpairing)."""
        backend = secure_backend()
        for name in (REFRESH_TOKEN, ACCESS_TOKEN):
            if backend.get_password(self.service, name) is not None:
                backend.delete_password(self.service, name)
