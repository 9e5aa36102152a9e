"""Product pictures of the catalog, downloaded once into the terminal folder for the tiles.

The feed carries an image url per product (relative to the server, or absolute on a CDN).
A picture is fetched the first time the catalog is shown with it and kept by the url's hash,
so a changed picture (new url) is fetched again and the till never waits on it twice.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urljoin

import httpx

log = logging.getLogger(__name__)
IMAGE_FOLDER = "product-images"
FETCH_TIMEOUT_S = 3.0
MAX_IMAGE_BYTES = 2_000_000
"""Tiles are 150 px wide: anything larger is not a product picture."""


def image_file(data_dir: Path, image_url: str) -> Path:
    """Where the picture of `image_url` is (or will be) kept on this terminal."""
    digest = hashlib.sha256(image_url.encode()).hexdigest()[:32]
    suffix = Path(image_url.split("?", 1)[0]).suffix.lower()
    return (
        data_dir
        / IMAGE_FOLDER
        / f"{digest}{suffix if suffix in {'.png', '.jpg', '.jpeg', '.webp'} else ''}"
    )


def fetch_missing_images(data_dir: Path, server_url: str, image_urls: Iterable[str]) -> int:
    """Download the pictures not on disk yet; returns how many were fetched.

    Stops at the first network failure (an offline till shows colours, not a wait per
    product) and skips answers that are not images; the next catalog load tries again.
    """
    missing = [
        url for url in dict.fromkeys(image_urls) if url and not image_file(data_dir, url).exists()
    ]
    if not missing or not server_url:
        return 0
    fetched = 0
    with httpx.Client(timeout=FETCH_TIMEOUT_S, follow_redirects=True) as client:
        for url in missing:
            try:
                answer = client.get(urljoin(server_url.rstrip("/") + "/", url))
            except httpx.HTTPError:
                break
            kind = answer.headers.get("content-type", "")
            if answer.status_code != 200 or not kind.startswith("image/"):
                continue
            if len(answer.content) > MAX_IMAGE_BYTES:
                continue
            target = image_file(data_dir, url)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                # A unique partial file: two catalog loads at once each write their own, and
                # the rename makes a whole picture appear (a half-written one is never shown).
                handle, partial = tempfile.mkstemp(dir=target.parent, suffix=".part")
                with os.fdopen(handle, "wb") as file:
                    file.write(answer.content)
                os.replace(partial, target)
            except OSError as error:  # a full or read-only disk: tiles keep their colours
                log.warning("product picture not kept: %s", error)
                break
            fetched += 1
    return fetched
