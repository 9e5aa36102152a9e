"""An in-memory keyring for tests, so no test ever reads or writes the developer's real one."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import keyring
import keyring.backend
from jaraco.classes import properties


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives and dies with the test (never the developer's real keyring)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@contextmanager
def memory_keyring_installed() -> Iterator[MemoryKeyring]:
    """The process keyring swapped for a fresh in-memory one until the block ends."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


KILL_ON_WRITE_FILE_ENV = "KIOSK_TEST_KEYRING_FILE"


class KillOnWriteKeyring(keyring.backend.KeyringBackend):
    """A power cut at the worst moment: reads come from a keyrings.alt file store (path in
    KIOSK_TEST_KEYRING_FILE), and the first write SIGKILLs the process before anything is
    written. Named in PYTHON_KEYRING_BACKEND for a `kiosk-pos` subprocess."""

    @properties.classproperty
    def priority(cls) -> float:
        # Never chosen by discovery: only where it is named and its file is given.
        if not os.environ.get(KILL_ON_WRITE_FILE_ENV):
            raise RuntimeError(f"{KILL_ON_WRITE_FILE_ENV} is not set")
        return 0.1

    def get_password(self, service: str, username: str) -> str | None:
        from keyrings.alt.file import PlaintextKeyring

        store = PlaintextKeyring()
        store.file_path = os.environ[KILL_ON_WRITE_FILE_ENV]
        value = store.get_password(service, username)
        return str(value) if value is not None else None

    def set_password(self, service: str, username: str, password: str) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def delete_password(self, service: str, username: str) -> None:
        os.kill(os.getpid(), signal.SIGKILL)
