"""Back-office routes under `/backoffice/`, and `/` sending a browser there."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from sync_server.backoffice import catalog_views, promotion_views, views

app_name = "backoffice"

backoffice_patterns: list[URLPattern] = [
    path("", views.dashboard_page, name="dashboard"),
    path("login/", views.sign_in_page, name="login"),
    path("logout/", views.sign_out_page, name="logout"),
    path("language/", views.language_page, name="language"),
    path("tenants/", views.tenant_picker_page, name="tenants"),
    path("sync/", views.sync_health_page, name="sync-health"),
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
    path("promotions/", promotion_views.promotion_list_page, name="promotions"),
    path("promotions/new/", promotion_views.promotion_create_page, name="promotion-new"),
    path("promotions/<uuid:pk>/", promotion_views.promotion_edit_page, name="promotion"),
    path(
        "promotions/<uuid:pk>/delete/",
        promotion_views.promotion_delete_page,
        name="promotion-delete",
    ),
    path("staff/", views.staff_list_page, name="staff"),
    path("terminals/", views.terminal_list_page, name="terminals"),
    path("terminals/<uuid:pk>/pairing-code/", views.pairing_code_page, name="pairing-code"),
    path("terminals/<uuid:pk>/revoke/", views.terminal_revoke_page, name="terminal-revoke"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", RedirectView.as_view(url="/backoffice/", permanent=False), name="root"),
    path("backoffice/", include((backoffice_patterns, app_name), namespace="backoffice")),
]
