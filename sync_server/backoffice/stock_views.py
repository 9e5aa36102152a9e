"""Stock pages: levels per outlet and product, adjustments by hand (received, wasted, counted)
with a note, and the movement history, which holds the sales, refunds and voids the ingest
applied as well. Reading is the `products list` cell, adjusting `products update`; a manager
works at their own outlet."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sync_server.accounts.models import User
from sync_server.accounts.permissions import is_allowed
from sync_server.backoffice.access import Desk, backoffice_page, forbidden
from sync_server.backoffice.forms import day_field, local_days
from sync_server.catalog.models import Product
from sync_server.orders.models import Order, StockLevel
from sync_server.stock.models import MovementReason, StockMovement
from sync_server.stock.services import stock_adjust_by_hand
from sync_server.tenants.models import Outlet

MOVEMENTS_PER_PAGE = 50
MAX_ADJUSTMENT = 1_000_000
HAND_REASONS = (
    (MovementReason.RECEIVED.value, gettext_lazy("Received")),
    (MovementReason.WASTED.value, gettext_lazy("Wasted")),
    (MovementReason.COUNTED.value, gettext_lazy("Counted")),
)
REASON_LABELS = {
    MovementReason.SALE.value: gettext_lazy("Sale"),
    MovementReason.REFUND.value: gettext_lazy("Refund"),
    MovementReason.VOID.value: gettext_lazy("Void"),
    **dict(HAND_REASONS),
}


def _outlets(desk: Desk) -> list[Outlet]:
    outlets = Outlet.objects.filter(tenant=desk.tenant).order_by("name")
    if desk.outlet_id is not None:
        outlets = outlets.filter(id=desk.outlet_id)
    return list(outlets)


def _chosen_outlet(desk: Desk, raw: str, outlets: list[Outlet]) -> Outlet | None:
    for outlet in outlets:
        if str(outlet.id) == raw:
            return outlet
    return outlets[0] if outlets else None


def _tracked(desk: Desk) -> list[Product]:
    return list(Product.objects.filter(tenant=desk.tenant, track_stock=True).order_by("name"))


class AdjustmentForm(forms.Form):
    product = forms.ChoiceField(label=gettext_lazy("Product"))
    reason = forms.ChoiceField(label=gettext_lazy("Adjustment"), choices=HAND_REASONS)
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"),
        min_value=0,
        max_value=MAX_ADJUSTMENT,
        help_text=gettext_lazy("Counted: the units on hand now."),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, products: list[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(p.id), f"{p.name} ({p.sku})") for p in products]


@backoffice_page("products", "list", methods=("GET", "POST"))
def stock_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """An outlet's levels of the stock-tracked products; a POST adjusts one (received, wasted,
    counted), which is the `products update` cell."""
    outlets = _outlets(desk)
    source = request.POST if request.method == "POST" else request.GET
    outlet = _chosen_outlet(desk, source.get("outlet", ""), outlets)
    products = _tracked(desk)
    form = AdjustmentForm(request.POST if request.method == "POST" else None, products=products)
    may_adjust = is_allowed(desk.user.role, "products", "update")
    status = 200
    if request.method == "POST":
        if not may_adjust or outlet is None:
            return forbidden(request, _("Your role may not open this page."))
        if form.is_valid():
            stock_adjust_by_hand(
                tenant=desk.tenant,
                outlet_id=outlet.id,
                product_id=uuid.UUID(form.cleaned_data["product"]),
                reason=form.cleaned_data["reason"],
                quantity=form.cleaned_data["quantity"],
                user=desk.user,
                note=form.cleaned_data.get("note") or "",
            )
            return redirect(f"{request.path}?outlet={outlet.id}")
        status = 400
    levels: dict[uuid.UUID, int] = {}
    if outlet is not None:
        levels = dict(
            StockLevel.objects.filter(tenant=desk.tenant, outlet=outlet).values_list(
                "product_id", "quantity"
            )
        )
    return render(
        request,
        "backoffice/stock/levels.html",
        {
            "outlets": outlets,
            "outlet": outlet,
            "rows": [(product, levels.get(product.id, 0)) for product in products],
            "form": form,
            "may_adjust": may_adjust,
            "nav": "stock",
        },
        status=status,
    )


class MovementFilterForm(forms.Form):
    outlet = forms.ChoiceField(label=gettext_lazy("Outlet"), required=False)
    product = forms.ChoiceField(label=gettext_lazy("Product"), required=False)
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), required=False)
    date_from = day_field(gettext_lazy("From"))
    date_to = day_field(gettext_lazy("To"))

    def __init__(
        self, *args: Any, outlets: list[Outlet], products: list[Product], held: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        everything = [] if held else [("", str(gettext_lazy("All")))]
        self._choices("outlet", everything + [(str(o.id), o.name) for o in outlets])
        self._choices(
            "product", [("", str(gettext_lazy("All")))] + [(str(p.id), p.name) for p in products]
        )
        reasons = [(key, str(label)) for key, label in REASON_LABELS.items()]
        self._choices("reason", [("", str(gettext_lazy("All"))), *reasons])

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


@backoffice_page("products", "list")
def stock_movements_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    outlets = _outlets(desk)
    products = _tracked(desk)
    form = MovementFilterForm(
        request.GET or None, outlets=outlets, products=products, held=desk.outlet_id is not None
    )
    movements = StockMovement.objects.filter(tenant=desk.tenant)
    if desk.outlet_id is not None:
        movements = movements.filter(outlet_id=desk.outlet_id)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        zone = ZoneInfo(desk.tenant.time_zone)
        if data.get("outlet"):
            movements = movements.filter(outlet_id=data["outlet"])
        if data.get("product"):
            movements = movements.filter(product_id=data["product"])
        if data.get("reason"):
            movements = movements.filter(reason=data["reason"])
        start, end = local_days(data.get("date_from"), data.get("date_to"), zone)
        if start is not None:
            movements = movements.filter(at__gte=start)
        if end is not None:
            movements = movements.filter(at__lt=end)
    page = Paginator(movements.order_by("-at", "-id"), MOVEMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown = list(page)
    names = dict(
        Product.with_tombstones.filter(id__in={m.product_id for m in shown}).values_list(
            "id", "name"
        )
    )
    receipts = dict(
        Order.objects.filter(id__in={m.order_id for m in shown if m.order_id}).values_list(
            "id", "receipt_number"
        )
    )
    people = dict(
        User.objects.filter(id__in={m.user_id for m in shown if m.user_id}).values_list(
            "id", "username"
        )
    )
    outlet_names = {outlet.id: outlet.name for outlet in outlets}
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/stock/movements.html",
        {
            "form": form,
            "page": page,
            "rows": [
                (
                    movement,
                    outlet_names.get(movement.outlet_id, ""),
                    names.get(movement.product_id, str(movement.product_id)),
                    REASON_LABELS.get(movement.reason, movement.reason),
                    receipts.get(movement.order_id) if movement.order_id else None,
                    people.get(movement.user_id, "") if movement.user_id else "",
                )
                for movement in shown
            ],
            "query": query.urlencode(),
            "nav": "stock",
        },
    )
