"""Routes of the orders read API under `/api/<tenant_slug>/`."""

from django.urls import URLPattern, path

from sync_server.orders import apis

tenant_urlpatterns: list[URLPattern] = [
    path("orders/", apis.OrderListApi.as_view(), name="orders-list"),
    path("orders/<uuid:pk>/", apis.OrderDetailApi.as_view(), name="orders-detail"),
]
