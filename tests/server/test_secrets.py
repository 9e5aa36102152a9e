"""Finding 1 of the hardening review: no token signed with a key anyone can read or guess."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from sync_server.accounts.models import User
from sync_server.config.env import (
    DEMO_SECRET_KEY_FILE,
    MIN_SECRET_KEY_LENGTH,
    SecretKeyRefused,
    read_env,
    signing_key,
)
from tests.support.server_process import REPO_ROOT

POSTGRES_URL = "postgresql://kiosk_app:pw@127.0.0.1:5432/kiosk"
OLD_PUBLIC_KEY = "kiosk-dev-secret-key-not-for-production-0123456789abcdef"
"""The development key the source used to carry: tokens signed with it must be worthless."""


def test_postgres_without_a_key_or_with_a_short_one_is_refused(tmp_path: Path) -> None:
    for secret in ("", "short-but-set", "x" * (MIN_SECRET_KEY_LENGTH - 1)):
        env = read_env({"DATABASE_URL": POSTGRES_URL, "KIOSK_SECRET_KEY": secret})
        with pytest.raises(SecretKeyRefused):
            signing_key(env)
    good = "k" * MIN_SECRET_KEY_LENGTH
    assert signing_key(read_env({"DATABASE_URL": POSTGRES_URL, "KIOSK_SECRET_KEY": good})) == good


def test_a_short_key_is_refused_with_debug_off_even_on_sqlite(tmp_path: Path) -> None:
    base = {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_SECRET_KEY": "short"}
    with pytest.raises(SecretKeyRefused):
        signing_key(read_env(base))
    assert signing_key(read_env({**base, "KIOSK_DEBUG": "1"})) == "short"


def test_the_sqlite_demo_makes_its_own_key_per_data_folder(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    key = signing_key(read_env({"KIOSK_DATA_DIR": str(first)}))
    assert len(key) >= MIN_SECRET_KEY_LENGTH and key != OLD_PUBLIC_KEY
    assert signing_key(read_env({"KIOSK_DATA_DIR": str(first)})) == key  # kept across starts
    assert signing_key(read_env({"KIOSK_DATA_DIR": str(second)})) != key
    mode = stat.S_IMODE(os.stat(first / DEMO_SECRET_KEY_FILE).st_mode)
    assert mode == 0o600


@pytest.mark.parametrize("secret", [None, "too-short"])
def test_serve_refuses_to_start_on_postgres_without_a_real_key(
    tmp_path: Path, secret: str | None
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"KIOSK_SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    env.update({"DATABASE_URL": POSTGRES_URL, "KIOSK_DATA_DIR": str(tmp_path)})
    if secret:
        env["KIOSK_SECRET_KEY"] = secret
    finished = subprocess.run(
        [sys.executable, "-m", "sync_server.cli", "serve", "--port", "1"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 2, finished.stderr
    assert "KIOSK_SECRET_KEY" in finished.stderr


@pytest.mark.django_db
def test_a_token_minted_with_the_old_public_key_is_refused(user_of: Any) -> None:
    owner: User = user_of("owner")
    now = int(timezone.now().timestamp())
    claims = {
        "token_type": "access",
        "exp": now + 600,
        "iat": now,
        "jti": "forged",
        "user_id": str(owner.id),
        "role": "owner",
        "tenant_id": str(owner.tenant_id),
        "tenant_slug": "demo",
    }
    forged = jwt.encode(claims, OLD_PUBLIC_KEY, algorithm="HS256")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")
    answer = client.patch("/api/demo/settings/", {"name": "pwned"}, format="json")
    assert answer.status_code == 401, answer.content
