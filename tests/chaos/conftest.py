"""Chaos fixtures: one real kiosk-server (PostgreSQL) per module, a fresh data folder per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chaos.support import Cloud
from tests.support.server_process import running_server


@pytest.fixture(scope="module")
def cloud() -> Iterator[Cloud]:
    with running_server() as server:
        yield Cloud(server)


@pytest.fixture
def till(tmp_path: Path) -> Path:
    """A terminal data folder; its keyring file lives beside it (see support.cli_env)."""
    return tmp_path / "till"
