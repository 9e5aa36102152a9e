"""A tenant's customer; `group` feeds customer-group promotions (e.g. `member`)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from sync_server.common.tenancy import TenantOwnedModel


class Customer(TenantOwnedModel):
    """Someone a cashier attaches to an order for loyalty points and member prices."""

    name = models.CharField(max_length=200)
    phone = models.CharField(max_length=32, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    group = models.CharField(max_length=32, blank=True, default="")
    loyalty_points = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(loyalty_points__gte=0), name="customer_points_not_negative"
            )
        ]
        indexes = [models.Index(fields=["tenant", "phone"], name="customer_phone_idx")]

    def __str__(self) -> str:
        return self.name
