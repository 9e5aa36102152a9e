"""The one check of an uploaded picture (a product's image, the receipt logo): size, type and
pixel count, after Django's ImageField has had Pillow open and verify the file.

A small file can still declare a huge canvas (a "decompression bomb") that would take the
server's or the till's memory when decoded; Pillow refuses only the most extreme ones, so the
pixel count is checked here from the header, before anything decodes the picture.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_IMAGE_PIXELS = 25_000_000
"""A 5,000 × 5,000 picture: more than any phone photo, far below what would hurt to decode."""


def check_image(upload: Any) -> None:
    """Refuse, in words, an upload Django's ImageField accepted but we do not want: over 2 MB,
    not JPEG/PNG/WebP (a GIF, an SVG never opens at all), or over 25 megapixels."""
    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        raise forms.ValidationError(_("The image is larger than 2 MB."))
    opened = getattr(upload, "image", None)  # set by forms.ImageField, already verified
    if opened is None or getattr(opened, "format", None) not in IMAGE_FORMATS:
        raise forms.ValidationError(_("Use a JPEG, PNG or WebP image."))
    width, height = opened.size
    if width * height > MAX_IMAGE_PIXELS:
        raise forms.ValidationError(
            _("The image is %(width)d × %(height)d pixels; at most 25 megapixels, please.")
            % {"width": width, "height": height}
        )
