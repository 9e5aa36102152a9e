"""Back-office pages. Each validates its input, calls selectors or services, renders a template.

Pages are wrapped by `backoffice_page` (sign-in, role, matrix cell, tenant transaction); the
sign-in, sign-out, language and tenant-picker views handle the session itself.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import Throttled

from shared.pricing.tenders import payment_method_label
from sync_server.accounts.backends import TenantScopedBackend
from sync_server.accounts.selectors import user_list
from sync_server.accounts.throttling import (
    check_login_allowed,
    clear_login_failures,
    record_login_failure,
)
from sync_server.backoffice import charts, selectors
from sync_server.backoffice.access import (
    LANGUAGES,
    Desk,
    backoffice_page,
    default_language,
    forbidden,
    may_use_backoffice,
)
from sync_server.backoffice.auth import (
    LANGUAGE_SESSION_KEY,
    TENANT_CHOICE_SESSION_KEY,
    session_scope,
    sign_in,
    sign_out,
    signed_in_user,
)
from sync_server.backoffice.forms import OrderFilter, PeriodForm, SignInForm
from sync_server.backoffice.receipt import receipt_slip
from sync_server.common.errors import Refused
from sync_server.common.tenancy import platform_atomic, tenant_atomic
from sync_server.devices.services import device_revoke, pairing_code_create
from sync_server.link import push
from sync_server.orders.models import Order
from sync_server.orders.selectors import order_detail_queryset
from sync_server.reports.paging import list_page
from sync_server.shifts.models import Shift
from sync_server.tenants.models import Outlet, Terminal, TerminalKind, TerminalStatus
from sync_server.tenants.selectors import tenant_by_slug, tenant_list, terminal_list
from sync_server.tenants.services import terminal_update

ORDERS_PER_PAGE = 50


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("backoffice:dashboard")


@csrf_protect
@require_http_methods(["GET", "POST"])
def sign_in_page(request: HttpRequest) -> HttpResponse:
    """The sign-in form; failures count toward the same throttle as the API's token login."""
    language = request.session.get(LANGUAGE_SESSION_KEY) or default_language(None)
    with translation.override(language if language in LANGUAGES else "en"):
        form = SignInForm(request.POST or None)
        status = 200
        error = ""
        if request.method == "POST" and form.is_valid():
            username = form.cleaned_data["username"]
            try:
                check_login_allowed(request, username)
            except Throttled:
                error, status = _("Too many failed sign-ins. Try again in a few minutes."), 429
            else:
                user = TenantScopedBackend().authenticate(
                    request, username=username, password=form.cleaned_data["password"]
                )
                if user is None:
                    record_login_failure(request, username)
                    error, status = _("Wrong username or password."), 401
                elif not may_use_backoffice(user.role):
                    clear_login_failures(request, username)
                    return forbidden(
                        request,
                        _(
                            "The back office is for owners, admins and managers. "
                            "Your role has no access."
                        ),
                    )
                else:
                    clear_login_failures(request, username)
                    sign_in(request, user)
                    return redirect(_next_url(request))
        elif request.method == "POST":
            status = 400
        return render(
            request,
            "backoffice/sign_in.html",
            {"form": form, "error": error, "next": request.GET.get("next", "")},
            status=status,
        )


@csrf_protect
@require_POST
def sign_out_page(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    return redirect("backoffice:login")


@csrf_protect
@require_POST
def language_page(request: HttpRequest) -> HttpResponse:
    """Remember the viewer's language (English or Indonesian) for this session."""
    language = request.POST.get("language", "")
    if language in LANGUAGES:
        request.session[LANGUAGE_SESSION_KEY] = language
    return redirect(_next_url(request))


@csrf_protect
@require_http_methods(["GET", "POST"])
def tenant_picker_page(request: HttpRequest) -> HttpResponse:
    """A super admin picks the tenant whose back office to open (the platform has no data)."""
    scope = session_scope(request)
    if scope is None:
        return redirect("backoffice:login")
    with platform_atomic() if scope.tenant_id is None else tenant_atomic(scope.tenant_id):
        user = signed_in_user(request, scope)
        if user is None:
            return redirect("backoffice:login")
        if not user.is_super_admin:
            return redirect("backoffice:dashboard")
        if request.method == "POST":
            tenant = tenant_by_slug(slug=request.POST.get("tenant", ""))
            if tenant is None:
                raise Http404("no such tenant")
            request.session[TENANT_CHOICE_SESSION_KEY] = tenant.slug
            return redirect("backoffice:dashboard")
        language = request.session.get(LANGUAGE_SESSION_KEY, "en")
        with translation.override(language if language in LANGUAGES else "en"):
            return render(
                request,
                "backoffice/tenants.html",
                {"tenants": list(tenant_list(search=request.GET.get("q", "")[:100]))},
            )


def period_context(request: HttpRequest, desk: Desk) -> dict[str, Any]:
    outlets = selectors.outlets_for(tenant=desk.tenant, outlet=desk.outlet_id)
    form = PeriodForm(request.GET or None, outlets=outlets, restricted=desk.outlet_id is not None)
    zone = ZoneInfo(desk.tenant.time_zone)
    first, last = form.period_dates(timezone.localdate(timezone=zone))
    outlet = desk.outlet_id or form.outlet_id()
    return {
        "form": form,
        "period": selectors.Period(first=first, last=last, zone=zone),
        "outlet": outlet,
    }


def _change(current: int, previous: int) -> int | None:
    """Percent change against the previous period (None when there is nothing to compare)."""
    if previous == 0:
        return None
    return round((current - previous) * 100 / abs(previous))


@backoffice_page("orders", "list")
def dashboard_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Sales of a period and outlet against the period before, with hours, days and mixes."""
    context = period_context(request, desk)
    period: selectors.Period = context["period"]
    scope = {"tenant": desk.tenant, "outlet": context["outlet"]}
    now = selectors.period_figures(period=period, **scope)
    before = selectors.period_figures(period=period.previous(), **scope)
    average = now.total_collected_minor // now.order_count if now.order_count else 0
    average_before = before.total_collected_minor // before.order_count if before.order_count else 0
    tiles = [
        (
            _("Net sales"),
            desk.money(now.net_sales_minor),
            now.net_sales_minor,
            before.net_sales_minor,
            "net-sales",
        ),
        (_("Orders"), str(now.order_count), now.order_count, before.order_count, "orders"),
        (_("Average ticket"), desk.money(average), average, average_before, "average-ticket"),
        (
            _("Refunds"),
            desk.money(now.refunds_minor),
            now.refunds_minor,
            before.refunds_minor,
            "refunds",
        ),
        (_("Voids"), str(now.void_count), now.void_count, before.void_count, "voids"),
        (
            _("Discounts"),
            desk.money(now.discount_minor),
            now.discount_minor,
            before.discount_minor,
            "discounts",
        ),
        (
            _("Total collected"),
            desk.money(now.total_collected_minor),
            now.total_collected_minor,
            before.total_collected_minor,
            "total-collected",
        ),
    ]
    by_hour = selectors.sales_by_hour(period=period, **scope)
    by_day = selectors.sales_by_day(period=period, **scope)
    context.update(
        {
            "tiles": [
                {"label": label, "value": shown, "change": _change(a, b), "key": key}
                for label, shown, a, b, key in tiles
            ],
            "figures": now,
            "hour_chart": charts.bar_chart(by_hour, title=_("Sales by hour"), money=desk.money),
            "day_chart": charts.line_chart(by_day, title=_("Sales by day"), money=desk.money),
            "by_day": by_day,
            "by_outlet": selectors.sales_by_outlet(period=period, **scope),
            "top_products": selectors.top_products(period=period, **scope),
            "payment_mix": [
                replace(row, label=payment_method_label(row.label, desk.language))
                for row in selectors.payment_mix(period=period, **scope)
            ],
            "voided_minor": selectors.voided_total(period=period, **scope),
            "nav": "dashboard",
        }
    )
    return render(request, "backoffice/dashboard.html", context)


@backoffice_page("terminals", "list")
def sync_health_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Every terminal and kitchen screen: last sync and the flagged orders of the period."""
    context = period_context(request, desk)
    context["devices"] = selectors.device_health(
        tenant=desk.tenant, period=context["period"], outlet=context["outlet"]
    )
    context["silent_minutes"] = int(selectors.SILENT_AFTER.total_seconds() // 60)
    context["period_query"] = request.GET.urlencode()
    context["nav"] = "sync"
    return render(request, "backoffice/sync_health.html", context)


ASK_WAIT_S = 10
"""How long a sync health row waits for a till's answer to "Ask for status"."""


def _asked_at(raw: str) -> datetime | None:
    """The `asked` of a waiting row (milliseconds since the epoch), or None if it is not one."""
    if not raw.isdigit() or len(raw) > 15:
        return None
    return datetime.fromtimestamp(int(raw) / 1000, tz=UTC)


@backoffice_page("terminals", "retrieve", methods=("GET", "POST"))
def device_status_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """One sync health row (htmx). POST: "Ask for status": a linked till is asked to report at
    once and the row polls (GET with `asked`) until its answer lands or `ASK_WAIT_S` passed;
    an unlinked one is said to be so. Who may see the device's row may ask."""
    terminal = _terminal(desk, pk)
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect("backoffice:sync-health")
    context = period_context(request, desk)
    query = request.GET.copy()
    now = timezone.now()
    if request.method == "POST":
        asked: datetime | None = now
    else:
        asked = _asked_at(query.get("asked", "")) if "asked" in query else None
        if "asked" in query and asked is None:
            return HttpResponse(_("That request for a status is not understood."), status=400)
    [device] = selectors.device_health(
        tenant=desk.tenant, period=context["period"], outlet=desk.outlet_id, terminal=terminal.id
    )
    ask = None
    if asked is not None:
        answered = device.status is not None and device.status.updated_at >= asked
        if terminal.kind != TerminalKind.TERMINAL or not device.linked:
            ask = "answered" if answered else "not_linked"
        elif request.method == "POST":
            push.status_request(terminal.id)
            ask = "waiting"
        elif answered:
            ask = "answered"
        else:
            ask = "no_answer" if now - asked > timedelta(seconds=ASK_WAIT_S) else "waiting"
    query.pop("asked", None)
    context["period_query"] = query.urlencode()
    query["asked"] = str(int((asked or now).timestamp() * 1000))
    context.update(device=device, ask=ask, ask_query=query.urlencode(), ask_wait_s=ASK_WAIT_S)
    return render(request, "backoffice/_sync_health_row.html", context)


def _order_filter(request: HttpRequest, desk: Desk) -> OrderFilter:
    return OrderFilter(
        request.GET,
        tenant=desk.tenant,
        outlets=selectors.outlets_for(tenant=desk.tenant, outlet=desk.outlet_id),
        terminals=terminal_list(tenant=desk.tenant, outlet=desk.outlet_id).filter(
            kind=TerminalKind.TERMINAL
        ),
        held_to_outlet=desk.outlet_id,
    )


@backoffice_page("orders", "list")
def order_list_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Orders with filters, newest first, 50 to a page."""
    order_filter = _order_filter(request, desk)
    # Outlets and terminals by separate IN queries, not a join: under row-level security the
    # planner misjudges a join of the tenant's tables and loops over every order (bench/admin.py).
    orders = order_filter.qs.prefetch_related("outlet", "terminal")
    page = list_page(orders, number=request.GET.get("page"), per_page=ORDERS_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/orders.html",
        {"filter": order_filter, "page": page, "query": query.urlencode(), "nav": "orders"},
    )


@backoffice_page("orders", "list")
def order_export_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The filtered orders as CSV (amounts in minor units, times in the tenant's zone)."""
    orders = _order_filter(request, desk).qs.prefetch_related("outlet", "terminal")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "receipt_number",
            "ordered_at",
            "outlet",
            "terminal",
            "status",
            "currency",
            "subtotal_minor",
            "discount_minor",
            "service_charge_minor",
            "tax_minor",
            "rounding_minor",
            "total_minor",
            "refunded_minor",
            "payment_methods",
            "flags",
        ]
    )
    for order in orders:
        writer.writerow(
            [
                order.receipt_number,
                timezone.localtime(order.ordered_at).isoformat(),
                order.outlet.code,
                order.terminal.code,
                order.status,
                order.currency,
                order.subtotal_minor,
                order.discount_minor,
                order.service_charge_minor,
                order.tax_minor,
                order.rounding_minor,
                order.total_minor,
                order.refunded_minor,
                " ".join(sorted({payment.method for payment in order.payments.all()})),
                " ".join(order.flag_list),
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-{desk.tenant.slug}.csv"'
    return response


@backoffice_page("orders", "retrieve")
def order_detail_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """One order in full: lines with modifiers, discounts and taxes, payments, refunds, flags."""
    order: Order = get_object_or_404(
        order_detail_queryset(tenant=desk.tenant).select_related("outlet", "terminal", "shift"),
        pk=pk,
    )
    if not desk.outlet_allowed(order.outlet_id):
        raise Http404("no such order")
    cashier = (
        user_list(tenant=desk.tenant).filter(id=order.cashier_id).first()
        if order.cashier_id
        else None
    )
    slip = receipt_slip(
        order=order,
        tenant=desk.tenant,
        cashier_name=(cashier.full_name or cashier.username) if cashier else "",
        money=desk.money,
    )
    return render(
        request,
        "backoffice/order_detail.html",
        {
            "order": order,
            "details": order.details or {},
            "slip": slip,
            # The business's logo today: tills print the current one on every slip.
            "receipt_logo_url": desk.tenant.receipt_logo.url if desk.tenant.receipt_logo else "",
            "nav": "orders",
        },
    )


def _terminals(desk: Desk) -> Any:
    return terminal_list(tenant=desk.tenant, outlet=desk.outlet_id).select_related("outlet")


@backoffice_page("terminals", "list")
def terminal_list_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Terminals and kitchen screens of the outlets the viewer may see."""
    return render(
        request,
        "backoffice/terminals.html",
        {"terminals": list(_terminals(desk).order_by("outlet__code", "code")), "nav": "terminals"},
    )


def _terminal(desk: Desk, pk: uuid.UUID) -> Terminal:
    terminal: Terminal = get_object_or_404(_terminals(desk), pk=pk)
    return terminal


@backoffice_page("terminals", "create", methods=("POST",))
def pairing_code_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """Issue a one-time pairing code and show it large with its expiry (an htmx fragment)."""
    terminal = _terminal(desk, pk)
    try:
        issued = pairing_code_create(tenant=desk.tenant, terminal=terminal, created_by=desk.user.id)
    except Refused as error:  # a revoked terminal
        return render(
            request,
            "backoffice/pairing_code.html",
            {"terminal": terminal, "error": error.message},
            status=error.status,
        )
    template = "backoffice/pairing_code.html"
    context = {"terminal": terminal, "issued": issued}
    if not request.htmx:  # type: ignore[attr-defined]
        context["nav"] = "terminals"
        template = "backoffice/pairing_code_page.html"
    return render(request, template, context)


@backoffice_page("terminals", "update", methods=("POST",))
def terminal_revoke_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """Revoke a terminal: its pairings end, its next sync is refused."""
    terminal = _terminal(desk, pk)
    terminal_update(tenant=desk.tenant, terminal=terminal, status=TerminalStatus.REVOKED)
    device_revoke(tenant=desk.tenant, terminal=terminal)
    return redirect("backoffice:terminals")


@backoffice_page("orders", "list")
def shift_list_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Shifts, newest first, with the till's and the server's cash difference."""
    shifts = Shift.objects.filter(tenant=desk.tenant).select_related("outlet", "terminal")
    if desk.outlet_id is not None:
        shifts = shifts.filter(outlet_id=desk.outlet_id)
    page = Paginator(shifts.order_by("-opened_at", "id"), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "backoffice/shifts.html", {"page": page, "nav": "shifts"})


@backoffice_page("orders", "retrieve")
def shift_report_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """A shift's Z report: the till's figures next to the server's recount, line by line."""
    shift: Shift = get_object_or_404(
        Shift.objects.filter(tenant=desk.tenant).select_related("outlet", "terminal"), pk=pk
    )
    if not desk.outlet_allowed(shift.outlet_id):
        raise Http404("no such shift")
    server = selectors.shift_figures_on_server(tenant=desk.tenant, shift=shift)
    return render(
        request,
        "backoffice/shift_report.html",
        {
            "shift": shift,
            "server": server,
            "lines": selectors.z_report_lines(shift=shift, server=server),
            "nav": "shifts",
        },
    )


@backoffice_page("users", "list")
def staff_list_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Staff of the tenant (a manager: of their outlet) with role, outlet, PIN set or not."""
    users = user_list(tenant=desk.tenant, search=request.GET.get("q", "").strip()[:100])
    if desk.outlet_id is not None:
        users = users.filter(outlet_id=desk.outlet_id)
    outlets = dict(Outlet.objects.filter(tenant=desk.tenant).values_list("id", "name"))
    return render(
        request,
        "backoffice/staff.html",
        {
            "staff": [(user, outlets.get(user.outlet_id, "")) for user in users],
            "search": request.GET.get("q", ""),
            "nav": "staff",
        },
    )
