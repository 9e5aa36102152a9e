"""The e2e helper really serves: login over HTTP, survive a kill, come back on the same port."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.server.conftest import requires_postgres
from tests.support.server_process import running_server


def _post(url: str, body: dict[str, str]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@requires_postgres
@pytest.mark.slow
@pytest.mark.timeout(240)
def test_running_server_logs_in_and_restarts_on_same_port() -> None:
    with running_server() as server:
        status, body = _post(
            f"{server.base_url}/api/auth/token/",
            {"username": "demo.cashier", "password": "kiosk-demo"},
        )
        assert status == 200 and set(body) == {"access", "refresh"}
        port = server.port
        server.restart(hard=True)
        assert server.running and server.port == port
        status, body = _post(
            f"{server.base_url}/api/auth/token/", {"username": "demo.cashier", "password": "bad"}
        )
        assert status == 401 and body["error"] == "not_authenticated"
        assert "BYPASS" not in server.log()  # the app role is not the owner
