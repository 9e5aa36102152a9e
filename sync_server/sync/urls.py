"""Routes of the sync protocol under `/api/<tenant_slug>/sync/`."""

from django.urls import URLPattern, path

from sync_server.sync import apis

tenant_urlpatterns: list[URLPattern] = [
    path("sync/orders/", apis.OrderSyncApi.as_view(), name="sync-orders"),
    path("sync/events/", apis.EventSyncApi.as_view(), name="sync-events"),
    path("sync/catalog/", apis.CatalogFeedApi.as_view(), name="sync-catalog"),
    path("sync/ready/", apis.ReadyOrdersApi.as_view(), name="sync-ready"),
    path("sync/ping/", apis.DevicePingApi.as_view(), name="sync-ping"),
]
