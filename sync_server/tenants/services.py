"""Writes of tenants (super admin), outlets and terminals."""

from __future__ import annotations

import hashlib
import io
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from sync_server.common.errors import ErrorCategory, Refused
from sync_server.common.images import check_image
from sync_server.common.services import apply_fields, create_owned, soft_delete
from sync_server.tenants.error_codes import TenantErrorCode
from sync_server.tenants.models import Outlet, Tenant, Terminal


@transaction.atomic
def tenant_create(**fields: Any) -> Tenant:
    """Register a business (super admin only)."""
    tenant = Tenant(**fields)
    tenant.save()
    return tenant


@transaction.atomic
def tenant_update(*, tenant: Tenant, **fields: Any) -> Tenant:
    """Change a tenant's settings; the version bump ships them to terminals. A new time zone
    recounts the sales rollups, whose days and hours are the tenant's local ones."""
    from sync_server.reports.rollups import rollups_rebuild

    zone = tenant.time_zone
    tenant = apply_fields(tenant, fields)
    if tenant.time_zone != zone:
        rollups_rebuild(tenant=tenant)
    return tenant


RECEIPT_LOGO_MAX_DOTS = 576
"""The print width of 80 mm paper: a logo is never printed wider, so never stored wider."""


def receipt_logo_png(picture: IO[bytes]) -> bytes:
    """The PNG a till prints from an uploaded picture (already passed `check_image`): grey on
    white (transparency flattened), at most 576 dots each way, without the upload's metadata,
    so what is stored and shipped to every till is small, plain and the same for all."""
    picture.seek(0)
    with Image.open(picture) as source:
        rgba = source.convert("RGBA")
    rgba.thumbnail((RECEIPT_LOGO_MAX_DOTS, RECEIPT_LOGO_MAX_DOTS))
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    buffer = io.BytesIO()
    flat.convert("L").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def receipt_logo_from_upload(upload: Any) -> bytes:
    """An upload (after Django's or DRF's ImageField) checked as product images are, then
    made the PNG tills print. A file whose header passed but whose pixels do not decode (cut
    short) is refused in words too: ValidationError, never a server error."""
    check_image(upload)
    try:
        return receipt_logo_png(upload)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(_("This image cannot be read.")) from error


@transaction.atomic
def tenant_receipt_logo_set(*, tenant: Tenant, png: bytes | None) -> Tenant:
    """Give the business a receipt logo (`png`, from `receipt_logo_png`) or take it away
    (None). The version bump ships the new SHA-256 to the tills, which fetch the picture;
    the previous file goes once the change is committed."""
    previous = tenant.receipt_logo.name or ""
    if png is None:
        fields: dict[str, Any] = {"receipt_logo": "", "receipt_logo_sha256": ""}
    else:
        digest = hashlib.sha256(png).hexdigest()
        name = default_storage.save(
            f"receipt-logos/{tenant.id}/{digest[:16]}.png", ContentFile(png)
        )
        fields = {"receipt_logo": name, "receipt_logo_sha256": digest}
    tenant = apply_fields(tenant, fields)
    if previous and previous != tenant.receipt_logo.name:
        transaction.on_commit(lambda: default_storage.delete(previous))
    return tenant


@transaction.atomic
def tenant_delete(*, tenant: Tenant) -> None:
    """Tombstone and deactivate a tenant: its users can no longer sign in."""
    apply_fields(tenant, {"is_active": False, "deleted_at": timezone.now()})


@transaction.atomic
def outlet_create(*, tenant: Tenant, **fields: Any) -> Outlet:
    return create_owned(Outlet, tenant=tenant, data=fields)


@transaction.atomic
def outlet_update(*, tenant: Tenant, outlet: Outlet, **fields: Any) -> Outlet:
    return apply_fields(outlet, fields)


@transaction.atomic
def outlet_delete(*, tenant: Tenant, outlet: Outlet) -> None:
    """Refuse while live terminals belong to the outlet (409)."""
    if Terminal.objects.filter(outlet=outlet).exists():
        raise Refused(
            "the outlet still has terminals",
            code=TenantErrorCode.IN_USE,
            category=ErrorCategory.CONFLICT,
        )
    soft_delete(outlet)


@transaction.atomic
def terminal_create(*, tenant: Tenant, **fields: Any) -> Terminal:
    """Register a device slot; pairing the real device is a separate step (issue 4)."""
    return create_owned(Terminal, tenant=tenant, data=fields)


@transaction.atomic
def terminal_update(*, tenant: Tenant, terminal: Terminal, **fields: Any) -> Terminal:
    return apply_fields(terminal, fields)


@transaction.atomic
def terminal_delete(*, tenant: Tenant, terminal: Terminal) -> None:
    soft_delete(terminal)
