"""Forms of the back office: sign-in, the dashboard's period and outlet, the orders filter."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shared.pricing.tenders import PaymentMethod
from sync_server.orders.models import Order, OrderFlag, OrderStatus
from sync_server.orders.selectors import order_list
from sync_server.tenants.models import Outlet, Tenant, Terminal

PAYMENT_METHODS: tuple[str, ...] = tuple(method.value for method in PaymentMethod)
MAX_PERIOD_DAYS = 366


class SignInForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), max_length=256, widget=forms.PasswordInput)


class DateInput(forms.DateInput):
    input_type = "date"


FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)
"""The days a filter or a promotion may name: a date far outside them (year 1, 9999) would
overflow when turned into the tenant's local moments, and no shop sells then."""


def day_field(label: Any, **kwargs: Any) -> forms.DateField:
    """A date input limited to FIRST_DAY..LAST_DAY (a clear form error, never a 500)."""
    return forms.DateField(
        label=label,
        required=kwargs.pop("required", False),
        widget=DateInput,
        validators=[MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)],
        **kwargs,
    )


class DayFilter(django_filters.DateFilter):  # type: ignore[misc]
    """The orders list's date filter, limited like `day_field`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DateInput)
        kwargs.setdefault("validators", [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)])
        super().__init__(*args, **kwargs)


def _outlet_choices(outlets: QuerySet[Outlet], *, everything: bool) -> list[tuple[str, str]]:
    choices = [("", str(_("All outlets")))] if everything else []
    return choices + [(str(outlet.id), outlet.name) for outlet in outlets]


def local_days(
    first: date | None, last: date | None, zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """Whole local days as moments: the start of `first`, the end of `last` (exclusive)."""
    start = datetime.combine(first, time.min, zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time.min, zone) if last else None
    return start, end


class PeriodForm(forms.Form):
    """A date range (whole days, tenant time) and an outlet; the default is the last 7 days."""

    date_from = day_field(_("From"))
    date_to = day_field(_("To"))
    outlet = forms.ChoiceField(label=_("Outlet"), required=False)

    def __init__(self, *args: Any, outlets: QuerySet[Outlet], restricted: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        outlet_field = self.fields["outlet"]
        assert isinstance(outlet_field, forms.ChoiceField)
        outlet_field.choices = _outlet_choices(outlets, everything=not restricted)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            raise forms.ValidationError(_("The start date is after the end date."))
        if first and last and (last - first).days >= MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Pick at most a year."))
        return data

    def period_dates(self, today: date) -> tuple[date, date]:
        """The chosen days, or the week up to today."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        last = data.get("date_to") or today
        first = data.get("date_from") or last - timedelta(days=6)
        if first > last:
            first, last = last - timedelta(days=6), last
        return first, last

    def outlet_id(self) -> uuid.UUID | None:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        raw = data.get("outlet") or ""
        return uuid.UUID(raw) if raw else None


class OrderFilter(django_filters.FilterSet):  # type: ignore[misc]
    """The orders list's filters (sale date in tenant days, outlet, terminal, status, payment
    method, flag, receipt number); django-filter draws and validates the form, the API's
    `order_list` selector does the filtering."""

    date_from = DayFilter(label=_("From"))
    date_to = DayFilter(label=_("To"))
    outlet = django_filters.ChoiceFilter(label=_("Outlet"))
    terminal = django_filters.ChoiceFilter(label=_("Terminal"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OrderStatus.choices)
    payment_method = django_filters.ChoiceFilter(
        label=_("Payment"), choices=[(method, method) for method in PAYMENT_METHODS]
    )
    flag = django_filters.ChoiceFilter(
        label=_("Flag"), choices=[(flag.value, flag.value) for flag in OrderFlag]
    )
    receipt = django_filters.CharFilter(label=_("Receipt"), max_length=64)

    class Meta:
        model = Order
        fields: list[str] = []

    def __init__(
        self,
        data: Any,
        *,
        tenant: Tenant,
        outlets: QuerySet[Outlet],
        terminals: QuerySet[Terminal],
        held_to_outlet: uuid.UUID | None,
    ) -> None:
        super().__init__(data, queryset=Order.objects.none())
        self.tenant = tenant
        self.held_to_outlet = held_to_outlet
        self.zone = ZoneInfo(tenant.time_zone)
        if held_to_outlet is None:
            self.filters["outlet"].extra["choices"] = _outlet_choices(outlets, everything=False)
        else:
            del self.filters["outlet"]
        self.filters["terminal"].extra["choices"] = [
            (str(terminal.id), terminal.code) for terminal in terminals
        ]

    def _start(self, day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, time.min, tzinfo=self.zone)

    def filter_queryset(self, queryset: QuerySet[Order]) -> QuerySet[Order]:
        data = self.form.cleaned_data
        last: date | None = data.get("date_to")
        outlet = self.held_to_outlet or (uuid.UUID(data["outlet"]) if data.get("outlet") else None)
        return order_list(
            tenant=self.tenant,
            date_from=self._start(data.get("date_from")),
            date_to=self._start(last + timedelta(days=1) if last else None),
            outlet=outlet,
            terminal=uuid.UUID(data["terminal"]) if data.get("terminal") else None,
            status=data.get("status") or "",
            payment_method=data.get("payment_method") or "",
            flag=data.get("flag") or "",
            search=data.get("receipt") or "",
        )
