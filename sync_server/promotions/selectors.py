"""Reads of promotions."""

from __future__ import annotations

from django.db.models import QuerySet

from sync_server.promotions.models import Promotion
from sync_server.tenants.models import Tenant


def promotion_list(
    *, tenant: Tenant, search: str = "", kind: str = "", is_active: bool | None = None
) -> QuerySet[Promotion]:
    queryset = Promotion.objects.filter(tenant=tenant)
    if search:
        queryset = queryset.filter(name__icontains=search)
    if kind:
        queryset = queryset.filter(kind=kind)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    return queryset.order_by("-priority", "name", "id")
