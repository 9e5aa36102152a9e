"""Catalog set-up pages: modifier groups with their options, and tax rates with the rate each
outlet charges instead (PB1 is set per city). The API's input serializers check, the catalog
services write (options are replaced as a list, as over the API)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions

from shared.errors import ShapedError
from shared.money import InvalidValueError
from sync_server.accounts.permissions import is_allowed
from sync_server.backoffice.access import Desk, backoffice_page, forbidden
from sync_server.backoffice.catalog import money_minor, serializer_messages, show_serializer_errors
from sync_server.backoffice.promotions import percent_bp, percent_text
from sync_server.catalog import services
from sync_server.catalog.apis import ModifierGroupInput, OutletTaxRateInput, TaxRateInput
from sync_server.catalog.models import ModifierGroup, ModifierOption, OutletTaxRate, TaxRate
from sync_server.tenants.models import Outlet

OPTION_ROWS = 8


def _refusal_text(error: ShapedError | exceptions.APIException) -> str:
    return error.message if isinstance(error, ShapedError) else str(error.detail)


# --- modifier groups -------------------------------------------------------------------------


class ModifierGroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    min_selections = forms.IntegerField(
        label=gettext_lazy("Choose at least"), min_value=0, max_value=50, initial=0
    )
    max_selections = forms.IntegerField(
        label=gettext_lazy("Choose at most"), min_value=1, max_value=50, initial=1
    )
    sort_order = forms.IntegerField(label=gettext_lazy("Order"), initial=0, required=False)

    def __init__(self, *args: Any, desk: Desk, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.desk = desk
        for row in range(OPTION_ROWS):
            self.fields[f"option_{row}_name"] = forms.CharField(
                label=gettext_lazy("Option"), max_length=100, required=False
            )
            self.fields[f"option_{row}_price"] = forms.CharField(
                label=gettext_lazy("Price change"), max_length=40, required=False
            )
            self.fields[f"option_{row}_default"] = forms.BooleanField(
                label=gettext_lazy("Default"), required=False
            )

    def option_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"option_{row}_name"], self[f"option_{row}_price"], self[f"option_{row}_default"])
            for row in range(OPTION_ROWS)
        ]

    @staticmethod
    def initial_of(desk: Desk, group: ModifierGroup) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": group.name,
            "min_selections": group.min_selections,
            "max_selections": group.max_selections,
            "sort_order": group.sort_order,
        }
        options = ModifierOption.objects.filter(group=group).order_by("sort_order", "name")
        for row, option in enumerate(options[:OPTION_ROWS]):
            initial[f"option_{row}_name"] = option.name
            initial[f"option_{row}_price"] = desk.money(option.price_delta_minor)
            initial[f"option_{row}_default"] = option.is_default
        return initial

    def input_data(self) -> dict[str, Any] | None:
        if not self.is_valid():
            return None
        data = self.cleaned_data
        options = []
        for row in range(OPTION_ROWS):
            name = str(data.get(f"option_{row}_name") or "").strip()
            price = str(data.get(f"option_{row}_price") or "").strip()
            if not name:
                if price:
                    self.add_error(f"option_{row}_name", _("Name the option or clear its price."))
                continue
            try:
                delta = money_minor(self.desk, price) if price else 0
            except InvalidValueError as error:
                self.add_error(f"option_{row}_price", str(error))
                continue
            options.append(
                {
                    "name": name,
                    "price_delta_minor": delta,
                    "is_default": bool(data.get(f"option_{row}_default")),
                }
            )
        if self.errors:
            return None
        return {
            "name": data["name"],
            "min_selections": data["min_selections"],
            "max_selections": data["max_selections"],
            "sort_order": data.get("sort_order") or 0,
            "options": options,
        }


@backoffice_page("modifier-groups", "list")
def modifier_group_list_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    groups = list(ModifierGroup.objects.filter(tenant=desk.tenant).order_by("sort_order", "name"))
    options: dict[uuid.UUID, list[ModifierOption]] = {}
    for option in ModifierOption.objects.filter(tenant=desk.tenant).order_by("sort_order", "name"):
        options.setdefault(option.group_id, []).append(option)
    return render(
        request,
        "backoffice/catalog/modifier_groups.html",
        {
            "groups": [(group, options.get(group.id, [])) for group in groups],
            "may_create": is_allowed(desk.user.role, "modifier-groups", "create"),
            "nav": "products",
        },
    )


def _modifier_group_editor(
    request: HttpRequest, desk: Desk, group: ModifierGroup | None
) -> HttpResponse:
    form = ModifierGroupForm(
        request.POST if request.method == "POST" else None,
        initial=ModifierGroupForm.initial_of(desk, group) if group else None,
        desk=desk,
    )
    status = 200
    if request.method == "POST":
        status = 400
        raw = form.input_data()
        if raw is not None:
            serializer = ModifierGroupInput(data=raw, instance=group)
            if serializer.is_valid():
                fields = dict(serializer.validated_data)
                with transaction.atomic():
                    if group is None:
                        services.modifier_group_create(tenant=desk.tenant, **fields)
                    else:
                        services.modifier_group_update(
                            tenant=desk.tenant, modifier_group=group, **fields
                        )
                return redirect("backoffice:modifier-groups")
            show_serializer_errors(form, serializer.errors)
    return render(
        request,
        "backoffice/catalog/modifier_group_form.html",
        {
            "form": form,
            "group": group,
            "may_delete": group is not None
            and is_allowed(desk.user.role, "modifier-groups", "delete"),
            "nav": "products",
        },
        status=status,
    )


@backoffice_page("modifier-groups", "create", methods=("GET", "POST"))
def modifier_group_create_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    return _modifier_group_editor(request, desk, None)


@backoffice_page("modifier-groups", "update", methods=("GET", "POST"))
def modifier_group_edit_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    group = get_object_or_404(ModifierGroup.objects.filter(tenant=desk.tenant), pk=pk)
    return _modifier_group_editor(request, desk, group)


@backoffice_page("modifier-groups", "delete", methods=("POST",))
def modifier_group_delete_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """Tombstones the group, its options and its product links (the tills drop them)."""
    group = get_object_or_404(ModifierGroup.objects.filter(tenant=desk.tenant), pk=pk)
    services.modifier_group_delete(tenant=desk.tenant, modifier_group=group)
    return redirect("backoffice:modifier-groups")


# --- tax rates -------------------------------------------------------------------------------


class TaxRateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    rate = forms.CharField(label=gettext_lazy("Rate (%)"), max_length=10)
    inclusive = forms.BooleanField(label=gettext_lazy("Included in prices"), required=False)

    def __init__(self, *args: Any, outlets: list[Outlet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outlets = outlets
        for outlet in outlets:
            self.fields[f"outlet_{outlet.id}"] = forms.CharField(
                label=outlet.name,
                max_length=10,
                required=False,
                help_text=gettext_lazy("Blank: the rate above."),
            )

    def outlet_fields(self) -> list[forms.BoundField]:
        return [self[f"outlet_{outlet.id}"] for outlet in self.outlets]

    def _bp(self, name: str) -> int | None:
        text = str(self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return percent_bp(text)
        except ValueError as error:
            self.add_error(name, str(error))
            return None

    def input_data(self) -> tuple[dict[str, Any], dict[uuid.UUID, int | None]] | None:
        """(the tax's fields, outlet id -> its own rate or None), or None with errors."""
        if not self.is_valid():
            return None
        rate = self._bp("rate")
        own = {outlet.id: self._bp(f"outlet_{outlet.id}") for outlet in self.outlets}
        if self.errors or rate is None:
            return None
        fields = {
            "name": self.cleaned_data["name"],
            "rate_bp": rate,
            "inclusive": bool(self.cleaned_data.get("inclusive")),
        }
        return fields, own


def _outlets(desk: Desk) -> list[Outlet]:
    return list(Outlet.objects.filter(tenant=desk.tenant).order_by("name"))


def _save_outlet_rates(
    desk: Desk, form: TaxRateForm, tax_rate: TaxRate, own: dict[uuid.UUID, int | None]
) -> bool:
    """Create, change or remove each outlet's own rate; False with form errors."""
    existing = {row.outlet_id: row for row in OutletTaxRate.objects.filter(tax_rate=tax_rate)}
    for outlet_id, rate_bp in own.items():
        row = existing.get(outlet_id)
        if rate_bp is None:
            if row is not None:
                services.outlet_tax_rate_delete(tenant=desk.tenant, outlet_tax_rate=row)
            continue
        serializer = OutletTaxRateInput(
            data={"tax_rate": str(tax_rate.id), "outlet": str(outlet_id), "rate_bp": rate_bp}
        )
        if not serializer.is_valid():
            for message in serializer_messages(serializer.errors).values():
                form.add_error(f"outlet_{outlet_id}", message)
            return False
        if row is None:
            services.outlet_tax_rate_create(tenant=desk.tenant, **serializer.validated_data)
        elif row.rate_bp != rate_bp:
            services.outlet_tax_rate_update(
                tenant=desk.tenant, outlet_tax_rate=row, rate_bp=rate_bp
            )
    return True


def _save_tax_rate(desk: Desk, form: TaxRateForm, tax_rate: TaxRate | None) -> TaxRate | None:
    data = form.input_data()
    if data is None:
        return None
    fields, own = data
    serializer = TaxRateInput(data=fields)
    if not serializer.is_valid():
        show_serializer_errors(form, serializer.errors, {"rate_bp": "rate"})
        return None
    try:
        with transaction.atomic():
            if tax_rate is None:
                tax_rate = services.tax_rate_create(tenant=desk.tenant, **serializer.validated_data)
            else:
                services.tax_rate_update(
                    tenant=desk.tenant, tax_rate=tax_rate, **serializer.validated_data
                )
            if not _save_outlet_rates(desk, form, tax_rate, own):
                transaction.set_rollback(True)
                return None
    except IntegrityError:
        form.add_error("name", _("A tax with this name exists."))
        return None
    return tax_rate


@backoffice_page("tax-rates", "list", methods=("GET", "POST"))
def tax_rate_list_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Taxes with each outlet's own rate; a POST adds a tax (the `tax-rates create` cell)."""
    outlets = _outlets(desk)
    may_create = is_allowed(desk.user.role, "tax-rates", "create")
    form = TaxRateForm(request.POST if request.method == "POST" else None, outlets=outlets)
    status = 200
    if request.method == "POST":
        if not may_create:
            return forbidden(request, _("Your role may not open this page."))
        if _save_tax_rate(desk, form, None) is not None:
            return redirect("backoffice:tax-rates")
        status = 400
    own = {
        (row.tax_rate_id, row.outlet_id): row.rate_bp
        for row in OutletTaxRate.objects.filter(tenant=desk.tenant)
    }
    rows = [
        (
            tax,
            percent_text(tax.rate_bp),
            [
                percent_text(own[(tax.id, outlet.id)]) if (tax.id, outlet.id) in own else ""
                for outlet in outlets
            ],
        )
        for tax in TaxRate.objects.filter(tenant=desk.tenant).order_by("name")
    ]
    return render(
        request,
        "backoffice/catalog/tax_rates.html",
        {
            "form": form,
            "rows": rows,
            "outlets": outlets,
            "may_create": may_create,
            "may_update": is_allowed(desk.user.role, "tax-rates", "update"),
            "nav": "products",
        },
        status=status,
    )


@backoffice_page("tax-rates", "update", methods=("GET", "POST"))
def tax_rate_edit_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    tax_rate = get_object_or_404(TaxRate.objects.filter(tenant=desk.tenant), pk=pk)
    outlets = _outlets(desk)
    own = dict(OutletTaxRate.objects.filter(tax_rate=tax_rate).values_list("outlet_id", "rate_bp"))
    initial: dict[str, Any] = {
        "name": tax_rate.name,
        "rate": percent_text(tax_rate.rate_bp),
        "inclusive": tax_rate.inclusive,
    }
    for outlet in outlets:
        if outlet.id in own:
            initial[f"outlet_{outlet.id}"] = percent_text(own[outlet.id])
    form = TaxRateForm(
        request.POST if request.method == "POST" else None, initial=initial, outlets=outlets
    )
    status = 200
    if request.method == "POST":
        if _save_tax_rate(desk, form, tax_rate) is not None:
            return redirect("backoffice:tax-rates")
        status = 400
    return render(
        request,
        "backoffice/catalog/tax_rate_form.html",
        {"form": form, "tax_rate": tax_rate, "nav": "products"},
        status=status,
    )


@backoffice_page("tax-rates", "delete", methods=("POST",))
def tax_rate_delete_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """Refused (shown, not a 500) while products still use the tax."""
    tax_rate = get_object_or_404(TaxRate.objects.filter(tenant=desk.tenant), pk=pk)
    try:
        with transaction.atomic():
            services.tax_rate_delete(tenant=desk.tenant, tax_rate=tax_rate)
    except (ShapedError, exceptions.APIException) as error:  # the service's refusal (a 409)
        return render(
            request,
            "backoffice/forbidden.html",
            {"message": _refusal_text(error)},
            status=409,
        )
    return redirect("backoffice:tax-rates")
