"""Outlets and their devices: add an outlet, change its kitchen station and ticket timers, add a
cashier terminal or a kitchen screen (paired afterwards from the terminals page). The API's
OutletInput and TerminalInput check, the tenants services write."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sync_server.accounts.permissions import is_allowed
from sync_server.backoffice.access import Desk, backoffice_page, forbidden
from sync_server.backoffice.catalog import show_serializer_errors
from sync_server.tenants import services
from sync_server.tenants.apis import OutletInput, TerminalInput
from sync_server.tenants.models import Outlet, Terminal, TerminalKind


class OutletForm(forms.Form):
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("Short, in receipt numbers (MAIN-T1-000123)."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    address = forms.CharField(
        label=gettext_lazy("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    default_kitchen_station = forms.CharField(
        label=gettext_lazy("Kitchen station"),
        max_length=32,
        initial="kitchen",
        help_text=gettext_lazy("Where tickets go when a product and its category name none."),
    )
    ticket_amber_after_s = forms.IntegerField(
        label=gettext_lazy("Ticket amber after (seconds)"), min_value=1, initial=300
    )
    ticket_red_after_s = forms.IntegerField(
        label=gettext_lazy("Ticket red after (seconds)"), min_value=1, initial=600
    )

    def __init__(self, *args: Any, outlet: Outlet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if outlet is not None:
            self.fields["code"].disabled = True  # receipts already carry it


class DeviceForm(forms.Form):
    outlet = forms.ChoiceField(label=gettext_lazy("Outlet"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=TerminalKind.choices)
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=32)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)

    def __init__(self, *args: Any, outlets: list[Outlet], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "device")
        super().__init__(*args, **kwargs)
        field = self.fields["outlet"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(outlet.id), outlet.name) for outlet in outlets]


def _outlets(desk: Desk) -> list[Outlet]:
    outlets = Outlet.objects.filter(tenant=desk.tenant).order_by("name")
    if desk.outlet_id is not None:
        outlets = outlets.filter(id=desk.outlet_id)
    return list(outlets)


def _save_outlet(desk: Desk, form: OutletForm, outlet: Outlet | None) -> bool:
    if not form.is_valid():
        return False
    data = {key: value for key, value in form.cleaned_data.items() if value is not None}
    if outlet is not None:
        data.pop("code", None)
    serializer = OutletInput(data=data, instance=outlet, partial=outlet is not None)
    if not serializer.is_valid():
        show_serializer_errors(form, serializer.errors)
        return False
    try:
        with transaction.atomic():
            if outlet is None:
                services.outlet_create(tenant=desk.tenant, **serializer.validated_data)
            else:
                services.outlet_update(
                    tenant=desk.tenant, outlet=outlet, **serializer.validated_data
                )
    except IntegrityError:
        form.add_error("code", _("Another outlet has this code."))
        return False
    return True


def _save_device(desk: Desk, form: DeviceForm) -> bool:
    if not form.is_valid():
        return False
    serializer = TerminalInput(
        data=dict(form.cleaned_data), context={"role": desk.user.role, "tenant": desk.tenant}
    )
    if not serializer.is_valid():
        show_serializer_errors(form, serializer.errors)
        return False
    try:
        with transaction.atomic():
            services.terminal_create(tenant=desk.tenant, **serializer.validated_data)
    except IntegrityError:
        form.add_error("code", _("This outlet already has a device with this code."))
        return False
    return True


@backoffice_page("outlets", "list", methods=("GET", "POST"))
def outlet_list_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Outlets with their devices; POST `add=outlet` or `add=device` (their create cells)."""
    outlets = _outlets(desk)
    adding = request.POST.get("add") if request.method == "POST" else None
    outlet_form = OutletForm(request.POST if adding == "outlet" else None)
    device_form = DeviceForm(request.POST if adding == "device" else None, outlets=outlets)
    status = 200
    if adding is not None:
        resource = "outlets" if adding == "outlet" else "terminals"
        if adding not in ("outlet", "device") or not is_allowed(desk.user.role, resource, "create"):
            return forbidden(request, _("Your role may not open this page."))
        saved = (
            _save_outlet(desk, outlet_form, None)
            if adding == "outlet"
            else _save_device(desk, device_form)
        )
        if saved:
            return redirect("backoffice:terminals" if adding == "device" else "backoffice:outlets")
        status = 400
    devices: dict[uuid.UUID, list[Terminal]] = {}
    for terminal in Terminal.objects.filter(tenant=desk.tenant).order_by("kind", "code"):
        devices.setdefault(terminal.outlet_id, []).append(terminal)
    return render(
        request,
        "backoffice/outlets/list.html",
        {
            "rows": [(outlet, devices.get(outlet.id, [])) for outlet in outlets],
            "outlet_form": outlet_form,
            "device_form": device_form,
            "may_add_outlet": is_allowed(desk.user.role, "outlets", "create"),
            "may_add_device": is_allowed(desk.user.role, "terminals", "create"),
            "may_update": is_allowed(desk.user.role, "outlets", "update"),
            "nav": "outlets",
        },
        status=status,
    )


@backoffice_page("outlets", "update", methods=("GET", "POST"))
def outlet_edit_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    outlet = get_object_or_404(Outlet.objects.filter(tenant=desk.tenant), pk=pk)
    form = OutletForm(
        request.POST if request.method == "POST" else None,
        initial={
            "code": outlet.code,
            "name": outlet.name,
            "address": outlet.address,
            "default_kitchen_station": outlet.default_kitchen_station,
            "ticket_amber_after_s": outlet.ticket_amber_after_s,
            "ticket_red_after_s": outlet.ticket_red_after_s,
        },
        outlet=outlet,
    )
    status = 200
    if request.method == "POST":
        if _save_outlet(desk, form, outlet):
            return redirect("backoffice:outlets")
        status = 400
    return render(
        request,
        "backoffice/outlets/form.html",
        {"form": form, "outlet": outlet, "nav": "outlets"},
        status=status,
    )
