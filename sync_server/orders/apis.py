"""Orders read API: `GET /api/<tenant>/orders/` (filtered, paginated) and one order in full."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rest_framework import exceptions, serializers
from rest_framework.request import Request

from shared.pricing.tenders import PaymentMethod
from sync_server.common.apis import (
    FilterSerializer,
    ResourceDetailMixin,
    ResourceListMixin,
    TenantApi,
)
from sync_server.orders import selectors
from sync_server.orders.models import (
    Order,
    OrderFlag,
    OrderLine,
    OrderStatus,
    Payment,
    Refund,
    RefundLine,
)


class PaymentOutput(serializers.ModelSerializer[Payment]):
    class Meta:
        model = Payment
        fields = [
            "id",
            "method",
            "amount_minor",
            "tendered_minor",
            "change_minor",
            "reference",
            "paid_at",
        ]


class OrderLineOutput(serializers.ModelSerializer[OrderLine]):
    class Meta:
        model = OrderLine
        fields = [
            "id",
            "product_id",
            "category_id",
            "sku",
            "name",
            "quantity",
            "unit_price_minor",
            "modifiers",
            "manual_discount",
            "discounts",
            "taxes",
            "gross_minor",
            "discount_minor",
            "net_minor",
            "tax_minor",
            "total_minor",
            "note",
            "kitchen_station",
            "refunded_quantity",
            "refunded_minor",
        ]


class RefundLineOutput(serializers.ModelSerializer[RefundLine]):
    class Meta:
        model = RefundLine
        fields = ["line", "quantity", "amount_minor"]


class RefundOutput(serializers.ModelSerializer[Refund]):
    lines = RefundLineOutput(many=True)

    class Meta:
        model = Refund
        fields = [
            "id",
            "at",
            "reason",
            "approved_by",
            "cashier_id",
            "amount_minor",
            "payments",
            "lines",
        ]


ORDER_FIELDS = [
    "id",
    "outlet",
    "terminal",
    "shift",
    "receipt_number",
    "status",
    "flags",
    "ordered_at",
    "received_at",
    "currency",
    "cashier_id",
    "customer_id",
    "customer_name",
    "table",
    "subtotal_minor",
    "discount_minor",
    "service_charge_minor",
    "tax_minor",
    "rounding_minor",
    "total_minor",
    "server_total_minor",
    "price_difference_minor",
    "refunded_minor",
    "clock_skew_seconds",
    "payment_methods",
]


class OrderOutput(serializers.ModelSerializer[Order]):
    flags = serializers.SerializerMethodField()
    payment_methods = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ORDER_FIELDS

    def get_flags(self, order: Order) -> list[str]:
        return list(order.flag_list)

    def get_payment_methods(self, order: Order) -> list[str]:
        return sorted({payment.method for payment in order.payments.all()})


class OrderDetailOutput(OrderOutput):
    lines = OrderLineOutput(many=True)
    payments = PaymentOutput(many=True)
    refunds = RefundOutput(many=True)

    class Meta:
        model = Order
        fields = [
            *ORDER_FIELDS,
            "note",
            "catalog_version",
            "kitchen_printed_offline",
            "details",
            "voided_at",
            "void_reason",
            "void_approved_by",
            "lines",
            "payments",
            "refunds",
        ]


class OrderFilter(FilterSerializer):
    date_from = serializers.DateTimeField(required=False)
    date_to = serializers.DateTimeField(required=False)
    outlet = serializers.UUIDField(required=False)
    terminal = serializers.UUIDField(required=False)
    shift = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    payment_method = serializers.ChoiceField(
        choices=[method.value for method in PaymentMethod], required=False
    )
    flag = serializers.ChoiceField(choices=OrderFlag.choices, required=False)


class ReadOnly:
    """Orders arrive only through the sync ingest: the API reads them, and says so (OPTIONS,
    the OpenAPI schema and a 405 with `Allow` for any other method, asked before the
    permission matrix, which would answer a misleading 403)."""

    http_method_names: Sequence[str] = ("get", "head", "options")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.method is None or request.method.lower() not in self.http_method_names:
            raise exceptions.MethodNotAllowed(request.method or "")
        super().initial(request, *args, **kwargs)  # type: ignore[misc]


class OrderListApi(ReadOnly, ResourceListMixin, TenantApi):
    """GET: the tenant's orders, newest first, with a total `count`."""

    resource = "orders"
    OutputSerializer = OrderOutput
    FilterSerializer = OrderFilter

    def list_queryset(self, *, filters: Mapping[str, Any]) -> Any:
        return selectors.order_list(tenant=self.current_tenant, **filters)


class OrderDetailApi(ReadOnly, ResourceDetailMixin, TenantApi):
    """GET one order with lines, payments, refunds and flags."""

    resource = "orders"
    OutputSerializer = OrderDetailOutput

    def detail_queryset(self) -> Any:
        return selectors.order_detail_queryset(tenant=self.current_tenant)
