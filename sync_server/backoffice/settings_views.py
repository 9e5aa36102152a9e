"""The business's settings page: what `PATCH /api/<tenant>/settings/` changes, checked by the
same TenantSettingsInput and written by the same `tenant_update` service (terminals get the
new values with their next catalog pull), and the receipt logo: uploaded, replaced or removed,
checked by the catalog's own image check and shown as the tills will print it."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared.money import InvalidValueError
from sync_server.accounts.permissions import is_allowed
from sync_server.backoffice.access import Desk, backoffice_page, forbidden
from sync_server.backoffice.catalog import money_minor, show_serializer_errors
from sync_server.backoffice.promotions import percent_bp, percent_text
from sync_server.tenants import services
from sync_server.tenants.apis import TenantSettingsInput
from sync_server.tenants.selectors import tenant_by_slug

# Form field -> (settings field, how the form writes it).
PERCENT_FIELDS = {
    "service_charge": "service_charge_bp",
    "approval_threshold": "approval_discount_threshold_bp",
}
PLAIN_FIELDS = (
    "name",
    "time_zone",
    "locale",
    "prices_include_tax",
    "service_charge_taxed",
    "receipt_header",
    "receipt_footer",
    "tax_id",
    "address",
)


class SettingsForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Business name"), max_length=200)
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"))
    locale = forms.CharField(
        label=gettext_lazy("Locale"),
        max_length=16,
        help_text=gettext_lazy("How amounts read, e.g. id_ID (Rp 25.000) or en_US."),
    )
    prices_include_tax = forms.BooleanField(
        label=gettext_lazy("Prices include tax"), required=False
    )
    service_charge = forms.CharField(
        label=gettext_lazy("Service charge (%)"), max_length=10, required=False
    )
    service_charge_taxed = forms.BooleanField(
        label=gettext_lazy("Tax is charged on the service charge"), required=False
    )
    cash_rounding = forms.CharField(
        label=gettext_lazy("Cash rounding step"),
        max_length=40,
        help_text=gettext_lazy("Cash totals round to this amount, e.g. 100."),
    )
    approval_threshold = forms.CharField(
        label=gettext_lazy("Discounts above this need a manager (%)"), max_length=10
    )
    receipt_header = forms.CharField(
        label=gettext_lazy("Receipt header"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    receipt_footer = forms.CharField(
        label=gettext_lazy("Receipt footer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    receipt_logo = forms.ImageField(
        label=gettext_lazy("Receipt logo"),
        required=False,
        help_text=gettext_lazy(
            "JPEG, PNG or WebP, at most 2 MB; printed in black and white at the top of receipts."
        ),
    )
    remove_receipt_logo = forms.BooleanField(
        label=gettext_lazy("Remove the receipt logo"), required=False
    )
    tax_id = forms.CharField(label=gettext_lazy("Tax id"), max_length=64, required=False)
    address = forms.CharField(
        label=gettext_lazy("Address"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, desk: Desk, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.desk = desk
        zone = self.fields["time_zone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = [(name, name) for name in sorted(zoneinfo.available_timezones())]

    def clean_receipt_logo(self) -> bytes | None:
        """The upload as the PNG tills print (refused in words when it is not a picture)."""
        upload = self.cleaned_data.get("receipt_logo")
        return services.receipt_logo_from_upload(upload) if upload else None

    def logo_change(self) -> tuple[bool, bytes | None]:
        """(whether the logo changes, the new logo's PNG or None to remove it); after
        `input_data` found the form valid."""
        png = self.cleaned_data.get("receipt_logo")
        if png is not None:
            return True, png
        return bool(self.cleaned_data.get("remove_receipt_logo")), None

    @staticmethod
    def initial_of(desk: Desk) -> dict[str, Any]:
        tenant = desk.tenant
        initial: dict[str, Any] = {name: getattr(tenant, name) for name in PLAIN_FIELDS}
        initial["locale"] = desk.locale
        for name, column in PERCENT_FIELDS.items():
            initial[name] = percent_text(getattr(tenant, column))
        initial["cash_rounding"] = desk.money(tenant.cash_rounding_step_minor)
        return initial

    def input_data(self) -> dict[str, Any] | None:
        """The settings in the API's units (basis points, minor units), or None (errors set)."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        raw: dict[str, Any] = {name: data.get(name) for name in PLAIN_FIELDS}
        for name, column in PERCENT_FIELDS.items():
            try:
                raw[column] = percent_bp(str(data.get(name) or "0"))
            except ValueError as error:
                self.add_error(name, str(error))
        try:
            raw["cash_rounding_step_minor"] = money_minor(self.desk, str(data["cash_rounding"]))
        except InvalidValueError as error:
            self.add_error("cash_rounding", str(error))
        return None if self.errors else raw


# Settings field -> form field, for the serializer's errors.
FORM_FIELD = {column: name for name, column in PERCENT_FIELDS.items()} | {
    "cash_rounding_step_minor": "cash_rounding"
}


@backoffice_page("settings", "retrieve", methods=("GET", "POST"))
def settings_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Show the business's settings; saving is the `settings update` cell (owner, admin)."""
    may_update = is_allowed(desk.user.role, "settings", "update")
    if request.method == "POST" and not may_update:
        return forbidden(request, _("Your role may not open this page."))
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=SettingsForm.initial_of(desk),
        desk=desk,
    )
    if not may_update:
        for form_field in form.fields.values():
            form_field.disabled = True
    status = 200
    if request.method == "POST":
        status = 400
        raw = form.input_data()
        if raw is not None:
            serializer = TenantSettingsInput(data=raw, partial=True)
            if serializer.is_valid():
                tenant = tenant_by_slug(slug=desk.tenant.slug)
                assert tenant is not None
                services.tenant_update(tenant=tenant, **serializer.validated_data)
                changes_logo, png = form.logo_change()
                if changes_logo:
                    services.tenant_receipt_logo_set(tenant=tenant, png=png)
                return redirect(f"{request.path}?saved=1")
            show_serializer_errors(form, serializer.errors, FORM_FIELD)
    return render(
        request,
        "backoffice/settings/form.html",
        {
            "form": form,
            "may_update": may_update,
            "saved": request.GET.get("saved") == "1",
            "currency": desk.tenant.currency,
            "receipt_logo_url": desk.tenant.receipt_logo.url if desk.tenant.receipt_logo else "",
            "nav": "settings",
        },
        status=status,
    )
