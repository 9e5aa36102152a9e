"""Promotion pages: the list, and an editor for every kind with a priced sample-cart preview."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from rest_framework import exceptions

from shared.pricing import PricingInputError, PromotionFormatError
from sync_server.accounts.permissions import is_allowed
from sync_server.backoffice.access import Desk, backoffice_page, forbidden
from sync_server.backoffice.catalog import serializer_messages
from sync_server.backoffice.promotions import (
    ENGINE_FIELDS,
    KIND_LABELS,
    PreviewForm,
    PromotionForm,
    engine_promotion,
    form_initial,
    price_preview,
    summary,
)
from sync_server.common.errors import Refused
from sync_server.promotions import selectors, services
from sync_server.promotions.apis import PromotionInput
from sync_server.promotions.models import Promotion

PREVIEW_ACTION = "preview"


@backoffice_page("promotions", "list")
def promotion_list_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    """Promotions with a name search and a kind filter, each summed up in one line."""
    search = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    if kind not in KIND_LABELS:
        kind = ""
    promotions = selectors.promotion_list(tenant=desk.tenant, search=search, kind=kind)
    rows = [
        (promotion, KIND_LABELS.get(promotion.kind, promotion.kind), summary(desk, promotion))
        for promotion in promotions[:500]
    ]
    return render(
        request,
        "backoffice/promotions/list.html",
        {
            "rows": rows,
            "kinds": list(KIND_LABELS.items()),
            "search": search,
            "kind": kind,
            "may_create": is_allowed(desk.user.role, "promotions", "create"),
            "nav": "promotions",
        },
    )


def _input_errors(form: PromotionForm, errors: dict[str, str]) -> None:
    """Errors of the API's input serializer or the service, shown on the form's fields."""
    for name, message in errors.items():
        key = name.removeprefix("rule.")
        field = ENGINE_FIELDS.get(key, key if key in form.fields else None)
        form.add_error(field, message)


def _save(desk: Desk, form: PromotionForm, promotion: Promotion | None) -> Promotion | None:
    """Check the fields with the API's PromotionInput and write them through the service."""
    fields = form.promotion_fields()
    if fields is None:
        return None
    raw = {
        **fields,
        "valid_from": fields["valid_from"].isoformat() if fields["valid_from"] else None,
        "valid_until": fields["valid_until"].isoformat() if fields["valid_until"] else None,
    }
    serializer = PromotionInput(data=raw, context={"role": desk.user.role, "tenant": desk.tenant})
    if not serializer.is_valid():
        _input_errors(form, serializer_messages(serializer.errors))
        return None
    try:
        if promotion is None:
            return services.promotion_create(tenant=desk.tenant, **serializer.validated_data)
        return services.promotion_update(
            tenant=desk.tenant, promotion=promotion, **serializer.validated_data
        )
    except exceptions.ValidationError as error:
        detail = error.detail if isinstance(error.detail, dict) else {"": error.detail}
        _input_errors(form, serializer_messages(detail))
        return None
    except Refused as error:  # the engine refused the rule (the field is named)
        _input_errors(form, {error.field or "": error.message})
        return None


def _editor(request: HttpRequest, desk: Desk, promotion: Promotion | None) -> HttpResponse:
    posted = request.method == "POST"
    form = PromotionForm(
        request.POST if posted else None,
        initial=form_initial(desk, promotion) if promotion else {"is_active": True, "priority": 0},
        desk=desk,
    )
    sample = PreviewForm(request.POST if posted else None, desk=desk)
    context: dict[str, Any] = {
        "form": form,
        "sample": sample,
        "promotion": promotion,
        "nav": "promotions",
        "may_delete": promotion is not None and is_allowed(desk.user.role, "promotions", "delete"),
    }
    status = 200
    if posted and request.POST.get("action") == PREVIEW_ACTION:
        fields = form.promotion_fields()
        if fields is not None and sample.is_valid():
            try:
                draft = engine_promotion(str(promotion.id) if promotion else "draft", fields)
                context["preview"] = price_preview(desk, draft, sample)
            except (PromotionFormatError, PricingInputError) as error:
                context["preview_problem"] = error.message
        else:
            status = 400
        template = (
            "backoffice/promotions/_preview.html"
            if getattr(request, "htmx", False)
            else "backoffice/promotions/form.html"
        )
        return render(request, template, context, status=status)
    if posted:
        saved = _save(desk, form, promotion)
        if saved is not None:
            return redirect("backoffice:promotions")
        status = 400
    return render(request, "backoffice/promotions/form.html", context, status=status)


@backoffice_page("promotions", "create", methods=("GET", "POST"))
def promotion_create_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    return _editor(request, desk, None)


@backoffice_page("promotions", "retrieve", methods=("GET", "POST"))
def promotion_edit_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """Show one promotion; saving it is the `promotions update` cell (a preview is a read)."""
    promotion = get_object_or_404(Promotion.objects.filter(tenant=desk.tenant), pk=pk)
    saving = request.method == "POST" and request.POST.get("action") != PREVIEW_ACTION
    if saving and not is_allowed(desk.user.role, "promotions", "update"):
        return forbidden(request, _("Your role may not open this page."))
    return _editor(request, desk, promotion)


@backoffice_page("promotions", "delete", methods=("POST",))
def promotion_delete_page(request: HttpRequest, desk: Desk, pk: uuid.UUID) -> HttpResponse:
    """Delete (a tombstone the terminals' catalog feed ships) and go back to the list."""
    promotion = get_object_or_404(Promotion.objects.filter(tenant=desk.tenant), pk=pk)
    services.promotion_delete(tenant=desk.tenant, promotion=promotion)
    return redirect("backoffice:promotions")
