"""Tenant (a business and its settings), Outlet (a shop) and Terminal (a paired device)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

from shared.money import default_locale
from sync_server.common.tenancy import TenantOwnedModel, VersionedModel


class Tenant(VersionedModel):
    """A business. The registry itself is not tenant-owned: URLs resolve slugs before any scope."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="IDR")
    # How money reads on tills, slips and reports (CLDR: id_ID gives Rp 25.000); a new tenant
    # without one gets its currency's (shared.money.default_locale).
    locale = models.CharField(max_length=16, default="")
    time_zone = models.CharField(max_length=64, default="UTC")
    prices_include_tax = models.BooleanField(default=False)
    service_charge_bp = models.IntegerField(default=0)
    # Whether tax is charged on the service charge too (PPN on service in Indonesia: yes).
    service_charge_taxed = models.BooleanField(default=True)
    # A line or order discount above this share needs a manager's approval on the terminal.
    approval_discount_threshold_bp = models.IntegerField(default=1000)
    cash_rounding_step_minor = models.BigIntegerField(default=1)
    receipt_header = models.TextField(blank=True, default="")
    receipt_footer = models.TextField(blank=True, default="")
    # The logo printed at the top of receipts: a PNG the server made from the owner's upload
    # (tenants.services.tenant_receipt_logo_set), and its SHA-256, which tells a till whether
    # the one it keeps is still the current one.
    receipt_logo = models.ImageField(upload_to="receipt-logos/", blank=True, default="")
    receipt_logo_sha256 = models.CharField(max_length=64, blank=True, default="")
    tax_id = models.CharField(max_length=64, blank=True, default="")
    address = models.TextField(blank=True, default="")
    is_active = models.BooleanField(default=True)

    objects: ClassVar[models.Manager[Tenant]] = models.Manager()

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_charge_bp__gte=0) & Q(service_charge_bp__lte=10_000),
                name="tenant_service_charge_bp_range",
            ),
            models.CheckConstraint(
                condition=Q(cash_rounding_step_minor__gte=1), name="tenant_cash_rounding_positive"
            ),
            models.CheckConstraint(
                condition=Q(approval_discount_threshold_bp__gte=0)
                & Q(approval_discount_threshold_bp__lte=10_000),
                name="tenant_approval_discount_threshold_bp_range",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.locale:
            self.locale = default_locale(self.currency)
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.slug


class Outlet(TenantOwnedModel):
    """A shop of a tenant; `code` appears in receipt numbers (`MAIN-T1-000123`).

    A kitchen screen colours a ticket amber after `ticket_amber_after_s` seconds and red after
    `ticket_red_after_s`: a counter café is slow at five minutes, a restaurant is not.
    """

    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True, default="")
    default_kitchen_station = models.CharField(max_length=32, default="kitchen")
    ticket_amber_after_s = models.IntegerField(default=300)
    ticket_red_after_s = models.IntegerField(default=600)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "code"],
                condition=Q(deleted_at__isnull=True),
                name="outlet_code_unique_per_tenant",
            ),
            models.CheckConstraint(
                condition=Q(ticket_amber_after_s__gt=0)
                & Q(ticket_red_after_s__gt=models.F("ticket_amber_after_s")),
                name="outlet_ticket_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class TerminalKind(models.TextChoices):
    TERMINAL = "terminal", "Cashier terminal"
    KITCHEN = "kitchen", "Kitchen screen"


class TerminalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"


class Terminal(TenantOwnedModel):
    """A cashier terminal or kitchen screen of an outlet; pairing (issue 4) fills `paired_at`."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="terminals")
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=16, choices=TerminalKind.choices, default=TerminalKind.TERMINAL
    )
    status = models.CharField(
        max_length=16, choices=TerminalStatus.choices, default=TerminalStatus.ACTIVE
    )
    paired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["outlet__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "code"],
                condition=Q(deleted_at__isnull=True),
                name="terminal_code_unique_per_outlet",
            )
        ]

    def __str__(self) -> str:
        return self.code
