"""Settings page: the tenant settings API's rules and service, typed as per cent and money;
owners and admins save, managers only read; the receipt logo uploaded, checked, replaced,
removed and audited."""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw

from sync_server.backoffice.models import AuditEntry
from sync_server.common.tenancy import tenant_atomic
from sync_server.tenants.models import Tenant
from tests.server.backoffice.conftest import post_form

pytestmark = pytest.mark.django_db

PAGE = "/backoffice/settings/"


def _form(**changes: str) -> dict[str, Any]:
    values = {
        "name": "Demo Café",
        "time_zone": "Asia/Jakarta",
        "locale": "id_ID",
        "prices_include_tax": "on",
        "service_charge": "5",
        "service_charge_taxed": "on",
        "cash_rounding": "Rp 500",
        "approval_threshold": "15",
        "receipt_header": "Terima kasih",
        "receipt_footer": "Sampai jumpa",
        "tax_id": "01.234.567.8-901.000",
        "address": "Jl. Sudirman 1",
    }
    return {key: value for key, value in {**values, **changes}.items() if value != "-"}


def _post(client: Client, data: dict[str, Any]) -> Any:
    return post_form(client, PAGE, data)


def test_the_owner_saves_every_setting_in_the_apis_units(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    page = client.get(PAGE)
    assert page.status_code == 200 and b"IDR" in page.content
    version = demo_tenant.version
    answer = _post(client, _form(service_charge="-", receipt_footer="Sampai jumpa lagi"))
    assert answer.status_code == 302, answer.content[:3000]
    demo_tenant.refresh_from_db()
    assert demo_tenant.service_charge_bp == 0 and demo_tenant.service_charge_taxed
    assert demo_tenant.cash_rounding_step_minor == 500
    assert demo_tenant.approval_discount_threshold_bp == 1_500
    assert demo_tenant.receipt_footer == "Sampai jumpa lagi" and demo_tenant.prices_include_tax
    assert demo_tenant.version > version  # the tills' next pull carries it
    answer = _post(client, _form(service_charge="7,5", prices_include_tax="-"))
    assert answer.status_code == 302
    demo_tenant.refresh_from_db()
    assert demo_tenant.service_charge_bp == 750 and not demo_tenant.prices_include_tax


def test_bad_values_name_their_field_and_change_nothing(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.owner")
    before = (demo_tenant.locale, demo_tenant.cash_rounding_step_minor, demo_tenant.name)
    for changes, field in [
        ({"locale": "xx_NOPE"}, "locale"),
        ({"cash_rounding": "0"}, "cash_rounding"),
        ({"service_charge": "150"}, "service_charge"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": ""}, "name"),
    ]:
        answer = _post(client, _form(**changes))
        assert answer.status_code == 400, changes
        assert f'data-testid="error-{field}"'.encode() in answer.content, changes
    demo_tenant.refresh_from_db()
    assert (demo_tenant.locale, demo_tenant.cash_rounding_step_minor, demo_tenant.name) == before


def test_a_manager_reads_the_settings_but_may_not_save(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.manager")
    page = client.get(PAGE)
    assert page.status_code == 200 and b'data-testid="save-settings"' not in page.content
    refused = _post(client, _form(name="Taken over"))
    assert refused.status_code == 403
    demo_tenant.refresh_from_db()
    assert demo_tenant.name != "Taken over"


# --- the receipt logo ---------------------------------------------------------------------------


def _picture(size: tuple[int, int] = (400, 200), kind: str = "PNG", mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    image = Image.new(mode, size, (0, 0, 0, 0) if mode == "RGBA" else 0)
    if mode == "RGBA":
        ImageDraw.Draw(image).rectangle((20, 20, size[0] - 20, size[1] - 20), fill="#0f766e")
    image.save(buffer, format=kind)
    return buffer.getvalue()


def _noise_png(side: int) -> bytes:
    """A PNG that does not compress: `side`² random pixels."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def _upload(content: bytes, name: str = "logo.png", kind: str = "image/png") -> Any:
    return SimpleUploadedFile(name, content, content_type=kind)


def test_the_owner_uploads_replaces_and_removes_the_receipt_logo(
    browser: Callable[[str], Client],
    demo_tenant: Tenant,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = browser("demo.owner")
    # (The seeded logo's file stays: this test's changes roll back, so must the files.)
    answer = _post(client, {**_form(), "receipt_logo": _upload(_picture((1200, 600)))})
    assert answer.status_code == 302, answer.content[:3000]
    demo_tenant.refresh_from_db()
    first, first_file = demo_tenant.receipt_logo_sha256, str(demo_tenant.receipt_logo.name)
    stored = default_storage.open(first_file).read()
    assert hashlib.sha256(stored).hexdigest() == first
    with Image.open(io.BytesIO(stored)) as png:  # what tills print: grey, at most 576 dots
        assert (png.format, png.mode, png.size) == ("PNG", "L", (576, 288))
        assert png.getpixel((0, 0)) == 255  # transparency printed as paper, not as black
    page = client.get(PAGE).text
    assert f'src="{demo_tenant.receipt_logo.url}"' in page and "receipt-logo-preview" in page

    # the change is audited by name and hash, never by its bytes
    with tenant_atomic(demo_tenant):
        entry = AuditEntry.objects.filter(entity="tenants.tenant").order_by("-id").first()
    assert entry is not None and entry.after is not None and entry.via == "backoffice"
    assert entry.after["receipt_logo_sha256"] == first
    assert entry.after["receipt_logo"] == first_file and len(str(entry.after)) < 1000

    # a new picture replaces it; the old file goes once the change is committed
    with django_capture_on_commit_callbacks(execute=True):
        answer = _post(client, {**_form(), "receipt_logo": _upload(_picture((100, 50)))})
    assert answer.status_code == 302
    demo_tenant.refresh_from_db()
    assert demo_tenant.receipt_logo_sha256 not in ("", first)
    assert not default_storage.exists(first_file)

    # saving other settings keeps it; ticking "remove" takes it away
    assert _post(client, _form(receipt_footer="Datang lagi")).status_code == 302
    demo_tenant.refresh_from_db()
    assert demo_tenant.receipt_logo_sha256 and demo_tenant.receipt_footer == "Datang lagi"
    answer = _post(client, {**_form(), "remove_receipt_logo": "on"})
    assert answer.status_code == 302
    demo_tenant.refresh_from_db()
    assert (demo_tenant.receipt_logo_sha256, demo_tenant.receipt_logo.name) == ("", "")
    assert "receipt-logo-preview" not in client.get(PAGE).text


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (lambda: _upload(b"just text, not a picture"), "gambar yang valid"),
        (
            lambda: _upload(
                b'<svg xmlns="http://www.w3.org/2000/svg" width="90" height="30">'
                b'<script>alert(1)</script><rect width="90" height="30"/></svg>',
                "logo.svg",
                "image/svg+xml",
            ),
            "gambar yang valid",
        ),
        (lambda: _upload(_picture(kind="GIF", mode="L"), "logo.gif", "image/gif"), "WebP"),
        (lambda: _upload(_noise_png(900)), "2 MB"),
        # a few kilobytes that declare 36 megapixels, and 225 (which Pillow itself refuses)
        (lambda: _upload(_picture((6000, 6000), mode="1")), "6000 × 6000 piksel"),
        (lambda: _upload(_picture((15000, 15000), mode="1")), "gambar yang valid"),
        (lambda: _upload(_noise_png(120)[:3000]), ""),  # cut short
    ],
    ids=["text", "svg", "gif", "over-2-mb", "36-megapixels", "pillow-bomb", "truncated"],
)  # the demo owner reads the back office in Indonesian
def test_a_file_that_is_not_a_logo_is_refused_in_words(
    browser: Callable[[str], Client],
    demo_tenant: Tenant,
    upload: Callable[[], Any],
    words: str,
) -> None:
    client = browser("demo.owner")
    before = (demo_tenant.receipt_logo_sha256, demo_tenant.version)
    answer = _post(client, {**_form(receipt_footer="Changed"), "receipt_logo": upload()})
    assert answer.status_code == 400, answer.content[:2000]
    page = answer.content.decode()
    [error] = re.findall(r'data-testid="error-receipt_logo">([^<]+)<', page)
    assert words in error and len(error) > 10
    demo_tenant.refresh_from_db()
    assert (demo_tenant.receipt_logo_sha256, demo_tenant.version) == before
    assert demo_tenant.receipt_footer != "Changed"  # nothing half-saved


def test_a_manager_may_not_change_the_logo(
    browser: Callable[[str], Client], demo_tenant: Tenant
) -> None:
    client = browser("demo.manager")
    before = demo_tenant.receipt_logo_sha256
    refused = _post(client, {**_form(), "remove_receipt_logo": "on"})
    assert refused.status_code == 403
    demo_tenant.refresh_from_db()
    assert demo_tenant.receipt_logo_sha256 == before
