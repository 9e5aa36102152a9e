"""An order as the terminal charged it, with what the server found (flags), and outlet stock."""

from __future__ import annotations

from django.db import models

from sync_server.common.tenancy import TenantOwnedModel
from sync_server.shifts.models import Shift
from sync_server.tenants.models import Outlet, Terminal


class OrderStatus(models.TextChoices):
    PAID = "paid", "Paid"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"
    VOIDED = "voided", "Voided"


class OrderFlag(models.TextChoices):
    """What the server noticed; never a reason to refuse a paid sale."""

    PRICE_MISMATCH = "price_mismatch", "Totals differ from the server's re-pricing"
    CATALOG_PRICE_CHANGED = "catalog_price_changed", "Charged a price the catalog no longer has"
    PRICE_CHECK_FAILED = "price_check_failed", "The server could not re-price the order"
    CLOCK_SKEW = "clock_skew", "The terminal clock is off by more than 5 minutes"
    LATE = "late", "Arrived after its shift was closed on the server"


def flags_text(flags: list[str] | tuple[str, ...]) -> str:
    """Flags stored as ` a b ` so `flags__contains=" a "` filters on any database."""
    return f" {' '.join(sorted(set(flags)))} " if flags else ""


def flags_tuple(text: str) -> tuple[str, ...]:
    return tuple(text.split())


class Order(TenantOwnedModel):
    """Ids are the terminal's UUIDv7; `digest` is `canonical_digest` of the order as received."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="+")
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="orders")
    receipt_number = models.CharField(max_length=64)
    cashier_id = models.UUIDField(null=True, blank=True)
    customer_id = models.UUIDField(null=True, blank=True)
    customer_name = models.CharField(max_length=200, blank=True, default="")
    table = models.CharField(max_length=40, blank=True, default="")
    note = models.TextField(blank=True, default="")
    currency = models.CharField(max_length=3)
    ordered_at = models.DateTimeField()
    """Terminal time of the sale."""
    received_at = models.DateTimeField()
    """Server time the order first arrived."""
    subtotal_minor = models.BigIntegerField()
    discount_minor = models.BigIntegerField(default=0)
    service_charge_minor = models.BigIntegerField(default=0)
    tax_minor = models.BigIntegerField(default=0)
    rounding_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField()
    server_total_minor = models.BigIntegerField(null=True, blank=True)
    price_difference_minor = models.BigIntegerField(default=0)
    """Charged total minus the server's re-priced total (0 when they agree)."""
    clock_skew_seconds = models.IntegerField(null=True, blank=True)
    refunded_minor = models.BigIntegerField(default=0)
    status = models.CharField(max_length=24, choices=OrderStatus.choices, default=OrderStatus.PAID)
    flags = models.CharField(max_length=200, blank=True, default="")
    digest = models.CharField(max_length=64)
    catalog_version = models.BigIntegerField(default=0)
    kitchen_printed_offline = models.BooleanField(default=False)
    details = models.JSONField(default=dict, blank=True)
    """Order-level discounts, tax lines, manual discount and approvals, as sent."""
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True, default="")
    void_approved_by = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-ordered_at"]
        indexes = [
            models.Index(fields=["tenant", "ordered_at"], name="order_tenant_time_idx"),
            models.Index(fields=["shift"], name="order_shift_idx"),
            models.Index(fields=["terminal", "receipt_number"], name="order_receipt_idx"),
            # A customer's order history (back office), newest first; most sales have none.
            models.Index(
                fields=["tenant", "customer_id", "ordered_at"],
                name="order_tenant_customer_idx",
                condition=models.Q(customer_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number

    @property
    def flag_list(self) -> tuple[str, ...]:
        return flags_tuple(self.flags)


class OrderLine(TenantOwnedModel):
    """A sold line at the price charged; `refunded_quantity` grows with refunds."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.IntegerField()
    product_id = models.UUIDField(null=True, blank=True)
    category_id = models.UUIDField(null=True, blank=True)
    sku = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=200)
    quantity = models.IntegerField()
    unit_price_minor = models.BigIntegerField()
    gross_minor = models.BigIntegerField()
    discount_minor = models.BigIntegerField(default=0)
    net_minor = models.BigIntegerField()
    tax_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField()
    modifiers = models.JSONField(default=list, blank=True)
    discounts = models.JSONField(default=list, blank=True)
    taxes = models.JSONField(default=list, blank=True)
    manual_discount = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    kitchen_station = models.CharField(max_length=40, blank=True, default="")
    refunded_quantity = models.IntegerField(default=0)
    refunded_minor = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name}"


class Payment(TenantOwnedModel):
    """What one tender paid of the order; cash keeps tendered and change."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(max_length=16)
    amount_minor = models.BigIntegerField()
    tendered_minor = models.BigIntegerField(null=True, blank=True)
    change_minor = models.BigIntegerField(default=0)
    reference = models.CharField(max_length=120, blank=True, default="")
    paid_at = models.DateTimeField()

    class Meta:
        ordering = ["paid_at"]
        indexes = [models.Index(fields=["order", "method"], name="payment_method_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.amount_minor}"


class Refund(TenantOwnedModel):
    """Money given back for some lines; the id is the terminal's event id."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    at = models.DateTimeField()
    reason = models.CharField(max_length=200)
    approved_by = models.UUIDField()
    cashier_id = models.UUIDField(null=True, blank=True)
    amount_minor = models.BigIntegerField()
    payments = models.JSONField(default=list)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"refund {self.amount_minor} of {self.order_id}"


class RefundLine(TenantOwnedModel):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField()
    amount_minor = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.quantity} of {self.line_id}"


class StockLevel(TenantOwnedModel):
    """Units on hand of a stock-tracked product at one outlet (negative: sold more than known)."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="+")
    product_id = models.UUIDField()
    quantity = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outlet", "product_id"], name="stock_outlet_product")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.outlet_id}: {self.quantity}"
