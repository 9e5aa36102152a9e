"""Report pages of the back office (`/backoffice/reports/`), each with its CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from shared.pricing.tenders import payment_method_label
from sync_server.backoffice.access import Desk, backoffice_page
from sync_server.backoffice.spreadsheets import formula_safe
from sync_server.backoffice.views import period_context
from sync_server.reports.tables import EVENTS, REPORTS, REPORTS_BY_SLUG, Report, Scope, Table

NUMERIC = ("count", "money", "bp", "seconds")


def _report(slug: str) -> Report:
    report = REPORTS_BY_SLUG.get(slug)
    if report is None:
        raise Http404("no such report")
    return report


def _table(request: HttpRequest, desk: Desk, report: Report) -> tuple[dict[str, Any], Table]:
    context = period_context(request, desk)
    period = context["period"]
    scope = Scope(
        tenant=desk.tenant,
        first=period.first,
        last=period.last,
        outlet=context["outlet"],
        language=desk.language,
    )
    return context, report.build(scope)


def _shown(desk: Desk, kind: str, value: Any) -> Any:
    if value is None or value == "":
        return ""
    if kind == "money":
        return desk.money(int(value))
    if kind == "bp":
        return f"{int(value) / 100:g}%"
    if kind == "method":
        return payment_method_label(str(value), desk.language)
    if kind == "event":
        return EVENTS.get(str(value), value)
    if kind == "seconds":
        minutes, seconds = divmod(int(value), 60)
        return f"{minutes}:{seconds:02d}"
    return value


@backoffice_page("orders", "list")
def report_index_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The list of reports."""
    return render(request, "backoffice/reports/index.html", {"reports": REPORTS, "nav": "reports"})


@backoffice_page("orders", "list")
def report_page(request: HttpRequest, desk: Desk, slug: str) -> HttpResponse:
    """One report for a period and outlet, shown in the tenant's money format."""
    report = _report(slug)
    context, table = _table(request, desk, report)
    kinds = [column.kind for column in table.columns]

    def shown(row: list[Any]) -> list[tuple[Any, bool]]:
        return [
            (_shown(desk, kind, value), kind in NUMERIC)
            for kind, value in zip(kinds, row, strict=True)
        ]

    context.update(
        {
            "report": report,
            "reports": REPORTS,
            "table": table,
            "headers": [(column.label, column.kind in NUMERIC) for column in table.columns],
            "rows": [shown(row) for row in table.rows],
            "totals": shown(table.totals) if table.totals else None,
            "query": request.GET.urlencode(),
            "nav": "reports",
        }
    )
    return render(request, "backoffice/reports/report.html", context)


@backoffice_page("orders", "list")
def report_export_page(request: HttpRequest, desk: Desk, slug: str) -> HttpResponse:
    """The same report as CSV: money in minor units, rates in basis points, times in seconds."""
    report = _report(slug)
    context, table = _table(request, desk, report)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.name for column in table.columns])
    writer.writerows(formula_safe(table.rows))
    if table.totals:
        writer.writerow(table.totals)
    period = context["period"]
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"{report.slug}-{desk.tenant.slug}-{period.first}-{period.last}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
