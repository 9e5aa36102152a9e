"""Back-office routes under `/backoffice/`, and `/` sending a browser there."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.generic import RedirectView

from sync_server.backoffice import (
    audit_views,
    catalog_setup_views,
    catalog_views,
    customer_views,
    outlet_views,
    promotion_views,
    settings_views,
    staff_views,
    stock_views,
    tenant_admin_views,
    views,
)
from sync_server.reports.urls import report_patterns

app_name = "backoffice"

backoffice_patterns: list[URLPattern] = [
    path("", views.dashboard_page, name="dashboard"),
    path("login/", views.sign_in_page, name="login"),
    path("logout/", views.sign_out_page, name="logout"),
    path("language/", views.language_page, name="language"),
    path("tenants/", views.tenant_picker_page, name="tenants"),
    path("tenants/new/", tenant_admin_views.tenant_create_page, name="tenant-new"),
    path(
        "tenants/<slug:slug>/suspend/",
        tenant_admin_views.tenant_suspend_page,
        name="tenant-suspend",
    ),
    path("sync/", views.sync_health_page, name="sync-health"),
    path("sync/<uuid:pk>/status/", views.device_status_page, name="device-status"),
    path("orders/", views.order_list_page, name="orders"),
    path("orders/export.csv", views.order_export_page, name="orders-export"),
    path("orders/<uuid:pk>/", views.order_detail_page, name="order"),
    path("shifts/", views.shift_list_page, name="shifts"),
    path("shifts/<uuid:pk>/", views.shift_report_page, name="shift"),
    path("products/", catalog_views.product_list_page, name="products"),
    path("products/new/", catalog_views.product_create_page, name="product-new"),
    path("products/import/", catalog_views.product_import_page, name="product-import"),
    path("products/<uuid:pk>/", catalog_views.product_edit_page, name="product"),
    path("categories/", catalog_views.category_list_page, name="categories"),
    re_path(
        r"^products/export\.(?P<kind>csv|xlsx)$",
        catalog_views.product_export_page,
        name="products-export",
    ),
    path("modifiers/", catalog_setup_views.modifier_group_list_page, name="modifier-groups"),
    path(
        "modifiers/new/",
        catalog_setup_views.modifier_group_create_page,
        name="modifier-group-new",
    ),
    path(
        "modifiers/<uuid:pk>/",
        catalog_setup_views.modifier_group_edit_page,
        name="modifier-group",
    ),
    path(
        "modifiers/<uuid:pk>/delete/",
        catalog_setup_views.modifier_group_delete_page,
        name="modifier-group-delete",
    ),
    path("taxes/", catalog_setup_views.tax_rate_list_page, name="tax-rates"),
    path("taxes/<uuid:pk>/", catalog_setup_views.tax_rate_edit_page, name="tax-rate"),
    path(
        "taxes/<uuid:pk>/delete/", catalog_setup_views.tax_rate_delete_page, name="tax-rate-delete"
    ),
    path("stock/", stock_views.stock_page, name="stock"),
    path("stock/movements/", stock_views.stock_movements_page, name="stock-movements"),
    path("promotions/", promotion_views.promotion_list_page, name="promotions"),
    path("promotions/new/", promotion_views.promotion_create_page, name="promotion-new"),
    path("promotions/<uuid:pk>/", promotion_views.promotion_edit_page, name="promotion"),
    path(
        "promotions/<uuid:pk>/delete/",
        promotion_views.promotion_delete_page,
        name="promotion-delete",
    ),
    path("customers/", customer_views.customer_list_page, name="customers"),
    path("customers/export.csv", customer_views.customer_export_page, name="customers-export"),
    path("customers/new/", customer_views.customer_create_page, name="customer-new"),
    path("customers/<uuid:pk>/", customer_views.customer_page, name="customer"),
    path("staff/", views.staff_list_page, name="staff"),
    path("staff/new/", staff_views.staff_create_page, name="staff-new"),
    path("staff/<uuid:pk>/", staff_views.staff_edit_page, name="staff-member"),
    path("staff/<uuid:pk>/deactivate/", staff_views.staff_deactivate_page, name="staff-deactivate"),
    path("settings/", settings_views.settings_page, name="settings"),
    path("audit/", audit_views.audit_log_page, name="audit"),
    path("outlets/", outlet_views.outlet_list_page, name="outlets"),
    path("outlets/<uuid:pk>/", outlet_views.outlet_edit_page, name="outlet"),
    path("terminals/", views.terminal_list_page, name="terminals"),
    path("terminals/<uuid:pk>/pairing-code/", views.pairing_code_page, name="pairing-code"),
    path("terminals/<uuid:pk>/revoke/", views.terminal_revoke_page, name="terminal-revoke"),
    *report_patterns,  # last: whatever their slugs, they never shadow a page above
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", RedirectView.as_view(url="/backoffice/", permanent=False), name="root"),
    path("backoffice/", include((backoffice_patterns, app_name), namespace="backoffice")),
]
