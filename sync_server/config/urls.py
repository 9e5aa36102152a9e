"""URL map: auth, schema and docs, super-admin tenants, and `/api/<tenant_slug>/` resources.

A new app needs no edit here: its `urls.py` may define `tenant_urlpatterns` (mounted
under `api/<slug:tenant_slug>/`, views subclass `sync_server.common.apis.TenantApi`)
and `urlpatterns` (mounted at the root); both are collected from INSTALLED_APPS.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve as serve_media
from drf_spectacular.views import (
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework.views import APIView

from sync_server.accounts import apis as accounts
from sync_server.catalog import apis as catalog
from sync_server.common.discovery import collect_from_apps
from sync_server.common.schema_view import CachedSchemaView
from sync_server.customers import apis as customers
from sync_server.devices.apis import TokenRefreshApi as DeviceAwareRefreshApi
from sync_server.promotions import apis as promotions
from sync_server.tenants import apis as tenants


def resource(name: str, list_view: type[APIView], detail_view: type[APIView]) -> list[URLPattern]:
    """`<name>/` (list, create) and `<name>/<uuid:pk>/` (detail, update, delete)."""
    return [
        path(f"{name}/", list_view.as_view(), name=f"{name}-list"),
        path(f"{name}/<uuid:pk>/", detail_view.as_view(), name=f"{name}-detail"),
    ]


tenant_patterns: list[URLPattern | URLResolver] = [
    *resource("products", catalog.ProductListApi, catalog.ProductDetailApi),
    *resource("categories", catalog.CategoryListApi, catalog.CategoryDetailApi),
    *resource("modifier-groups", catalog.ModifierGroupListApi, catalog.ModifierGroupDetailApi),
    *resource("tax-rates", catalog.TaxRateListApi, catalog.TaxRateDetailApi),
    *resource("outlet-tax-rates", catalog.OutletTaxRateListApi, catalog.OutletTaxRateDetailApi),
    *resource("promotions", promotions.PromotionListApi, promotions.PromotionDetailApi),
    *resource("customers", customers.CustomerListApi, customers.CustomerDetailApi),
    *resource("outlets", tenants.OutletListApi, tenants.OutletDetailApi),
    *resource("terminals", tenants.TerminalListApi, tenants.TerminalDetailApi),
    *resource("users", accounts.UserListApi, accounts.UserDetailApi),
    path("settings/", tenants.TenantSettingsApi.as_view(), name="settings"),
    *collect_from_apps("urls", "tenant_urlpatterns"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/auth/token/", accounts.TokenObtainApi.as_view(), name="auth-token"),
    path("api/auth/token/refresh/", DeviceAwareRefreshApi.as_view(), name="auth-refresh"),
    path("api/auth/logout/", accounts.LogoutApi.as_view(), name="auth-logout"),
    path("api/schema/", CachedSchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Both served from drf-spectacular-sidecar's static files: the docs work offline.
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    path("api/", include(resource("tenants", tenants.TenantListApi, tenants.TenantDetailApi))),
    # Product images; a production deployment puts a CDN or object store in front.
    re_path(r"^media/(?P<path>.*)$", serve_media, {"document_root": settings.MEDIA_ROOT}),
    *collect_from_apps("urls", "urlpatterns"),
    path("api/<slug:tenant_slug>/", include(tenant_patterns)),
]
