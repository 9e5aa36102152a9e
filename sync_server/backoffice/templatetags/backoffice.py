"""Template helpers of the back office: money in the tenant's currency and locale, payment
methods by the names the till gives them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from shared.pricing.tenders import payment_method_label
from sync_server.backoffice.access import desk_of

register = template.Library()


@register.simple_tag(takes_context=True)
def money(context: template.Context, amount_minor: Any) -> str:
    """`{% money order.total_minor %}` -> `Rp 25.000` for the demo tenant."""
    desk = desk_of(context["request"])
    if desk is None or amount_minor is None or amount_minor == "":
        return ""
    return desk.money(int(amount_minor))


@register.filter
def method_name(method: str) -> str:
    """`{{ payment.method|method_name }}` -> `Tunai` for `cash` on an Indonesian page."""
    return payment_method_label(str(method), (get_language() or "en").split("-")[0])
