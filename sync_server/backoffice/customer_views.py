"""Customer pages: search and group filter, create and edit (the API's CustomerInput and the
customers services), a customer's orders with their totals, and a CSV export."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy

from sync_server.accounts.permissions import is_allowed
from sync_server.backoffice.access import Desk, backoffice_page
from sync_server.backoffice.catalog import show_serializer_errors
from sync_server.backoffice.spreadsheets import csv_download
from sync_server.customers import selectors, services
from sync_server.customers.apis import CustomerInput
from sync_server.customers.models import Customer
from sync_server.orders.models import Order, OrderStatus

CUSTOMERS_PER_PAGE = 50
HISTORY_ORDERS = 50
EXPORT_COLUMNS = ("name", "phone", "email", "group", "loyalty_points")


class CustomerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)
    email = forms.CharField(label=gettext_lazy("Email"), max_length=254, required=False)
    group = forms.CharField(
        label=gettext_lazy("Group"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("Customer-group promotions apply to this group (e.g. member)."),
        widget=forms.TextInput(attrs={"list": "customer-groups"}),
    )
    loyalty_points = forms.IntegerField(
        label=gettext_lazy("Loyalty points"), min_value=0, required=False, initial=0
    )

    def input_data(self) -> dict[str, Any] | None:
        """The fields checked by the API's CustomerInput, or None with the form's errors."""
        if not self.is_valid():
            return None
        raw = {key: value for key, value in self.cleaned_data.items() if value is not None}
        serializer = CustomerInput(data={**raw, "loyalty_points": raw.get("loyalty_points", 0)})
        if serializer.is_valid():
            return dict(serializer.validated_data)
        show_serializer_errors(self, serializer.errors)
        return None


def _groups(desk: Desk) -> list[str]:
    return list(
        Customer.objects.filter(tenant=desk.tenant)
        .exclude(group="")
        .values_list("group", flat=True)
        .distinct()
        .order_by("group")
    )


@backoffice_page("customers", "list")
def customer_list_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    group = request.GET.get("group", "").strip()[:32]
    customers = selectors.customer_list(tenant=desk.tenant, search=search, group=group)
    page = Paginator(customers, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/customers/list.html",
        {
            "page": page,
            "search": search,
            "group": group,
            "groups": _groups(desk),
            "query": query.urlencode(),
            "may_create": is_allowed(desk.user.role, "customers", "create"),
            "nav": "customers",
        },
    )


@backoffice_page("customers", "list")
def customer_export_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Every customer (or the search's) as CSV."""
    customers = selectors.customer_list(
        tenant=desk.tenant,
        search=request.GET.get("q", "").strip()[:100],
        group=request.GET.get("group", "").strip()[:32],
    )
    rows: list[list[Any]] = [list(EXPORT_COLUMNS)]
    rows.extend(list(row) for row in customers.values_list(*EXPORT_COLUMNS))
    return csv_download(rows, f"{desk.tenant.slug}-customers.csv")


def _history(desk: Desk, customer: Customer) -> dict[str, Any]:
    """The customer's orders (a manager: at their outlet) and what they spent, refunds off."""
    orders = Order.objects.filter(tenant=desk.tenant, customer_id=customer.id)
    if desk.outlet_id is not None:
        orders = orders.filter(outlet_id=desk.outlet_id)
    kept = orders.exclude(status=OrderStatus.VOIDED)
    totals = kept.aggregate(
        count=Count("id"), total=Sum("total_minor"), refunded=Sum("refunded_minor")
    )
    spent = (totals["total"] or 0) - (totals["refunded"] or 0)
    return {
        "orders": list(orders.order_by("-ordered_at", "-id")[:HISTORY_ORDERS]),
        "order_count": totals["count"] or 0,
        "spent_minor": spent,
        "average_minor": spent // totals["count"] if totals["count"] else 0,
    }


def _editor(request: HttpRequest, desk: Desk, customer: Customer | None) -> HttpResponse:
    initial = (
        {
            "name": customer.name,
            "phone": customer.phone,
            "email": customer.email,
            "group": customer.group,
            "loyalty_points": customer.loyalty_points,
        }
        if customer
        else {"loyalty_points": 0}
    )
    form = CustomerForm(request.POST if request.method == "POST" else None, initial=initial)
    may_save = is_allowed(desk.user.role, "customers", "update" if customer else "create")
    status = 200
    if request.method == "POST":
        status = 403 if not may_save else 400
        fields = form.input_data() if may_save else None
        if fields is not None:
            if customer is None:
                customer = services.customer_create(tenant=desk.tenant, **fields)
            else:
                services.customer_update(tenant=desk.tenant, customer=customer, **fields)
            return redirect("backoffice:customer", pk=customer.id)
    context: dict[str, Any] = {
        "form": form,
        "customer": customer,
        "groups": _groups(desk),
        "may_save": may_save,
        "nav": "customers",
    }
    if customer is not None:
        context.update(_history(desk, customer))
    return render(request, "backoffice/customers/form.html", context, status=status)


@backoffice_page("customers", "create", methods=("GET", "POST"))
def customer_create_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    return _editor(request, desk, None)


@backoffice_page("customers", "retrieve", methods=("GET", "POST"))
def customer_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """A customer with their orders and totals; saving is the `customers update` cell."""
    customer = get_object_or_404(Customer.objects.filter(tenant=desk.tenant), pk=pk)
    return _editor(request, desk, customer)
