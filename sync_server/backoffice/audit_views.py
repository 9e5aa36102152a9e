"""The audit log page: every change people made in the back office or over the API, filterable.

It is the owners' and admins' page: the matrix cell is `settings update` (whoever may change the
business's settings may read who changed what)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from sync_server.accounts.models import User
from sync_server.backoffice.access import Desk, backoffice_page
from sync_server.backoffice.forms import day_field, local_days
from sync_server.backoffice.models import AuditAction, AuditEntry

ENTRIES_PER_PAGE = 50
ENTITY_LABELS = {
    "catalog.product": gettext_lazy("Product"),
    "catalog.category": gettext_lazy("Category"),
    "catalog.modifiergroup": gettext_lazy("Modifier group"),
    "catalog.modifieroption": gettext_lazy("Modifier option"),
    "catalog.productmodifiergroup": gettext_lazy("Product modifier"),
    "catalog.taxrate": gettext_lazy("Tax"),
    "catalog.outlettaxrate": gettext_lazy("Outlet tax rate"),
    "promotions.promotion": gettext_lazy("Promotion"),
    "customers.customer": gettext_lazy("Customer"),
    "accounts.user": gettext_lazy("User"),
    "tenants.tenant": gettext_lazy("Settings"),
    "tenants.outlet": gettext_lazy("Outlet"),
    "tenants.terminal": gettext_lazy("Terminal"),
}
ACTION_LABELS = {
    AuditAction.CREATE: gettext_lazy("created"),
    AuditAction.UPDATE: gettext_lazy("changed"),
    AuditAction.DELETE: gettext_lazy("deleted"),
}


class AuditFilterForm(forms.Form):
    actor = forms.ChoiceField(label=gettext_lazy("Who"), required=False)
    entity = forms.ChoiceField(label=gettext_lazy("What"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("Change"), required=False)
    date_from = day_field(gettext_lazy("From"))
    date_to = day_field(gettext_lazy("To"))
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, desk: Desk, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", str(gettext_lazy("All")))]
        users = User.objects.filter(tenant=desk.tenant).order_by("username")
        self._choices("actor", everyone + [(str(u.id), u.username) for u in users])
        self._choices("entity", everyone + [(k, str(v)) for k, v in ENTITY_LABELS.items()])
        self._choices("action", everyone + [(k, str(v)) for k, v in ACTION_LABELS.items()])

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def filtered(self, entries: QuerySet[AuditEntry], zone: ZoneInfo) -> QuerySet[AuditEntry]:
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data.get("actor"):
            entries = entries.filter(actor_id=data["actor"])
        if data.get("entity"):
            entries = entries.filter(entity=data["entity"])
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        start, end = local_days(data.get("date_from"), data.get("date_to"), zone)
        if start is not None:
            entries = entries.filter(at__gte=start)
        if end is not None:
            entries = entries.filter(at__lt=end)
        if data.get("q"):
            entries = entries.filter(object_repr__icontains=data["q"].strip())
        return entries


def _changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) rows; a created row shows its values, a deleted one what it was."""
    before = entry.before or {}
    after = entry.after or {}
    keys = list(after) if after else list(before)
    return [(key, before.get(key, ""), after.get(key, "")) for key in keys]


@backoffice_page("settings", "update")
def audit_log_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, desk=desk)
    entries = form.filtered(
        AuditEntry.objects.filter(tenant=desk.tenant), ZoneInfo(desk.tenant.time_zone)
    ).order_by("-at", "-id")
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [
        (
            entry,
            ENTITY_LABELS.get(entry.entity, entry.entity),
            ACTION_LABELS.get(entry.action, entry.action),  # type: ignore[call-overload]
            _changes(entry),
        )
        for entry in page
    ]
    return render(
        request,
        "backoffice/audit/log.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "nav": "audit"},
    )
