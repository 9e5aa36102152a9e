"""The fault proxy itself, against a tiny loopback HTTP server (no kiosk-server needed)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.chaos.proxy import FaultPlan, FaultProxy


class _Counting(BaseHTTPRequestHandler):
    seen: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Counting.seen.append(body)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def upstream() -> Iterator[tuple[str, int]]:
    _Counting.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ("127.0.0.1", int(server.server_address[1]))
    server.shutdown()
    server.server_close()


def test_pass_through_relays_request_and_answer(upstream: tuple[str, int]) -> None:
    with FaultProxy(upstream, FaultPlan()) as proxy:
        answer = httpx.post(proxy.url + "/x", content=b"hello", timeout=5)
    assert (answer.status_code, answer.content) == (200, b"hello")
    assert _Counting.seen == [b"hello"]


@pytest.mark.parametrize(
    ("fate", "reaches_server", "outcome"),
    [
        ("error_500", False, 500),
        ("throttle_429", False, 429),
        ("drop", False, httpx.TransportError),
        ("reset_after", True, httpx.TransportError),
    ],
)
def test_each_fault(
    upstream: tuple[str, int], fate: str, reaches_server: bool, outcome: object
) -> None:
    plan = FaultPlan()
    setattr(plan, fate, 1.0)
    with FaultProxy(upstream, plan) as proxy:
        if isinstance(outcome, int):
            answer = httpx.post(proxy.url + "/x", content=b"sale", timeout=5)
            assert answer.status_code == outcome
            if fate == "throttle_429":
                assert answer.headers["Retry-After"] == "1"
        else:
            with pytest.raises(httpx.TransportError):
                httpx.post(proxy.url + "/x", content=b"sale", timeout=5)
    assert _Counting.seen == ([b"sale"] if reaches_server else [])
    assert proxy.counts[fate] == 1
