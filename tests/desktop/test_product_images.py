"""Product pictures are fetched once into the terminal folder; an answer that is not an image
is never kept; an offline till gets no pictures and no error (its tiles show colours)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pos_desktop.sync.images import fetch_missing_images, image_file
from tests.support.server_process import free_port

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class _Media(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        if self.path.endswith(".png"):
            body, kind = PNG, "image/png"
        else:
            body, kind = b"<html>login</html>", "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads `requests`."""


@pytest.fixture
def media_server() -> Iterator[str]:
    _Media.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Media)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pictures_are_fetched_once_and_only_images_are_kept(
    tmp_path: Path, media_server: str
) -> None:
    urls = ["/media/products/cof-001.png", "/media/products/pas-002.png", "/media/other.html"]
    assert fetch_missing_images(tmp_path, media_server, [*urls, urls[0]]) == 2
    assert image_file(tmp_path, urls[0]).read_bytes() == PNG
    assert not image_file(tmp_path, urls[2]).exists()  # a login page is not a picture
    assert fetch_missing_images(tmp_path, media_server, urls) == 0  # kept: only the page again
    assert _Media.requests.count("/media/products/cof-001.png") == 1


def test_an_unreachable_server_leaves_the_tiles_without_pictures(tmp_path: Path) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    urls = [f"/media/products/p{n}.png" for n in range(20)]
    assert fetch_missing_images(tmp_path, nobody, urls) == 0
    assert not (tmp_path / "product-images").exists() or not any(
        (tmp_path / "product-images").iterdir()
    )
