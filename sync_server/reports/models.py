"""Rollup tables: a tenant's sales summed per outlet and local day (and hour), kept by the ingest.

Each table holds sums only, added to in the transaction that stores an order, a refund or a
void (`sync_server.reports.rollups`), so a report over a period reads a number of rows that
grows with days, outlets and products, never with orders. Days and hours are the tenant's
local time when the sale (or refund) was rung up; `rebuild_rollups` recounts them from the
orders, for instance after the tenant's time zone changed.

Keys that may be absent (a cashier, a product, a category, a promotion) are stored as text,
"" when absent, so that the unique key (the upsert's conflict target) never holds a NULL.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from sync_server.common.tenancy import TenantScopedManager, UnscopedManager


class Rollup(models.Model):
    """Base of the rollup tables: tenant-owned (fail-closed manager, row-level security)."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    outlet_id = models.UUIDField()
    day = models.DateField()

    objects: ClassVar[TenantScopedManager[Any]] = TenantScopedManager()
    unscoped: ClassVar[UnscopedManager[Any]] = UnscopedManager()

    KEY: ClassVar[tuple[str, ...]] = ()
    """Columns of the unique key besides tenant; every other integer column is a sum."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.day} " + " ".join(
            str(getattr(self, name)) for name in self.KEY[2:]
        )


class SalesHour(Rollup):
    """Sales per outlet, local day, hour and cashier: the X/Z waterfall's sums, voids, refunds.

    Sales count at the hour they were rung up (a voided one is taken out there and counted as
    a void); refunds count at the hour they were given, as the till's reports count them.
    """

    hour = models.SmallIntegerField()
    cashier_key = models.CharField(max_length=36, default="")
    orders = models.IntegerField(default=0)
    subtotal_minor = models.BigIntegerField(default=0)
    included_tax_minor = models.BigIntegerField(default=0)
    discount_minor = models.BigIntegerField(default=0)
    service_charge_minor = models.BigIntegerField(default=0)
    tax_minor = models.BigIntegerField(default=0)
    rounding_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField(default=0)
    voids = models.IntegerField(default=0)
    voided_minor = models.BigIntegerField(default=0)
    refunds = models.IntegerField(default=0)
    refunded_minor = models.BigIntegerField(default=0)
    refund_tax_minor = models.BigIntegerField(default=0)

    KEY = ("outlet_id", "day", "hour", "cashier_key")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "outlet_id", "day", "hour", "cashier_key"],
                name="rollup_sales_hour_key",
            )
        ]
        indexes = [models.Index(fields=["tenant", "day"], name="rollup_sales_hour_day")]


class ProductDay(Rollup):
    """Lines sold per product (as named on the line) and day; refunded lines on the refund's day."""

    product_key = models.CharField(max_length=36, default="")
    category_key = models.CharField(max_length=36, default="")
    name = models.CharField(max_length=200)
    orders = models.IntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    gross_minor = models.BigIntegerField(default=0)
    discount_minor = models.BigIntegerField(default=0)
    net_minor = models.BigIntegerField(default=0)
    tax_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField(default=0)
    refunded_quantity = models.BigIntegerField(default=0)
    refunded_minor = models.BigIntegerField(default=0)

    KEY = ("outlet_id", "day", "product_key", "category_key", "name")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "outlet_id", "day", "product_key", "category_key", "name"],
                name="rollup_product_day_key",
            )
        ]
        indexes = [models.Index(fields=["tenant", "day"], name="rollup_product_day_day")]


class PaymentDay(Rollup):
    """Payments taken per method and day (net of change); money refunded by method."""

    method = models.CharField(max_length=32)
    orders = models.IntegerField(default=0)
    amount_minor = models.BigIntegerField(default=0)
    refunds = models.IntegerField(default=0)
    refunded_minor = models.BigIntegerField(default=0)

    KEY = ("outlet_id", "day", "method")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "outlet_id", "day", "method"], name="rollup_payment_day_key"
            )
        ]
        indexes = [models.Index(fields=["tenant", "day"], name="rollup_payment_day_day")]


class TaxDay(Rollup):
    """Tax per rate and day on the sales (base and amount), what a PBJT return adds up."""

    name = models.CharField(max_length=200)
    rate_bp = models.IntegerField()
    inclusive = models.BooleanField()
    orders = models.IntegerField(default=0)
    base_minor = models.BigIntegerField(default=0)
    amount_minor = models.BigIntegerField(default=0)

    KEY = ("outlet_id", "day", "name", "rate_bp", "inclusive")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "outlet_id", "day", "name", "rate_bp", "inclusive"],
                name="rollup_tax_day_key",
            )
        ]
        indexes = [models.Index(fields=["tenant", "day"], name="rollup_tax_day_day")]


class DiscountDay(Rollup):
    """Discounts given per source (promotion, manual line, manual order), promotion and day."""

    source = models.CharField(max_length=16)
    promotion_key = models.CharField(max_length=36, default="")
    name = models.CharField(max_length=200)
    uses = models.IntegerField(default=0)
    amount_minor = models.BigIntegerField(default=0)

    KEY = ("outlet_id", "day", "source", "promotion_key", "name")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "outlet_id", "day", "source", "promotion_key", "name"],
                name="rollup_discount_day_key",
            )
        ]
        indexes = [models.Index(fields=["tenant", "day"], name="rollup_discount_day_day")]


ROLLUPS: tuple[type[Rollup], ...] = (SalesHour, ProductDay, PaymentDay, TaxDay, DiscountDay)
