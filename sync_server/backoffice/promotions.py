"""Promotion editor logic: a form over every kind and condition `shared.pricing` knows, the
rule JSON it stores, and a preview that prices a sample cart with the engine before saving.

The form never decides what a valid promotion is: it builds the engine's JSON, and
`shared.pricing.promotion_from_dict` (the same check the service runs) names the bad field.
It stays one module of about 600 lines on purpose: each form field, the rule-JSON key it
becomes and the way an existing rule fills it back are read together, kind by kind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared.money import InvalidValueError
from shared.pricing import (
    Cart,
    CartLine,
    Customer,
    PricedCart,
    PromotionFormatError,
    PromotionKind,
    PromotionTarget,
    ServiceCharge,
    price_cart,
    promotion_from_dict,
)
from shared.pricing import Promotion as EnginePromotion
from shared.pricing import TaxRate as EngineTaxRate
from shared.rounding import BASIS_POINTS
from sync_server.backoffice.access import Desk
from sync_server.backoffice.catalog import money_minor
from sync_server.backoffice.forms import day_field
from sync_server.catalog.models import Category, Product, TaxRate
from sync_server.promotions.models import Promotion

WINDOW_SLOTS = 3
SAMPLE_LINES = 4
MAX_SAMPLE_QUANTITY = 99
WEEKDAYS = (
    ("0", gettext_lazy("Mon")),
    ("1", gettext_lazy("Tue")),
    ("2", gettext_lazy("Wed")),
    ("3", gettext_lazy("Thu")),
    ("4", gettext_lazy("Fri")),
    ("5", gettext_lazy("Sat")),
    ("6", gettext_lazy("Sun")),
)
KIND_LABELS = {
    PromotionKind.PERCENT_OFF.value: gettext_lazy("Percent off"),
    PromotionKind.FIXED_OFF.value: gettext_lazy("Amount off"),
    PromotionKind.BUY_X_GET_Y.value: gettext_lazy("Buy X get Y"),
    PromotionKind.BUNDLE.value: gettext_lazy("Bundle price"),
}
TARGET_LABELS = {
    PromotionTarget.ORDER.value: gettext_lazy("The whole order"),
    PromotionTarget.PRODUCT.value: gettext_lazy("Chosen products"),
    PromotionTarget.CATEGORY.value: gettext_lazy("Chosen categories"),
}
# The engine's field at fault -> the form field that shows its error.
ENGINE_FIELDS = {
    "name": "name",
    "kind": "kind",
    "target": "target",
    "percent_bp": "percent",
    "amount_off_minor": "amount_off",
    "buy_quantity": "buy_quantity",
    "get_quantity": "get_quantity",
    "bundle_items": "bundle_items",
    "bundle_price_minor": "bundle_price",
    "min_spend_minor": "min_spend",
    "max_discount_minor": "max_discount",
    "customer_group_ids": "customer_groups",
    "windows": "window_0_days",
    "weekdays": "window_0_days",
    "start": "window_0_start",
    "end": "window_0_end",
    "valid_from": "valid_from",
    "valid_until": "valid_until",
    "priority": "priority",
}


class TimeInput(forms.TimeInput):
    input_type = "time"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


def percent_bp(text: str) -> int:
    """`20`, `12,5` or `12.5` (per cent) in basis points; ValueError when not a share."""
    try:
        value = Decimal(text.strip().rstrip("%").strip().replace(",", "."))
        if not value.is_finite() or not 0 <= value <= 100:  # NaN, Infinity, 1e999999999
            raise ValueError(_("Type a percentage between 0 and 100, at most two decimals."))
        points = value * 100
    except ArithmeticError as error:  # InvalidOperation and its kin: not a number at all
        raise ValueError(_("Type a percentage such as 20 or 12.5.")) from error
    if points != points.to_integral_value() or not 0 <= points <= BASIS_POINTS:
        raise ValueError(_("Type a percentage between 0 and 100, at most two decimals."))
    return int(points)


def percent_text(points: int) -> str:
    """Basis points as the percentage the form shows (1250 -> `12.5`)."""
    text = f"{Decimal(points) / 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _groups(text: str) -> list[str]:
    return sorted({group.strip() for group in text.split(",") if group.strip()})


class PromotionForm(forms.Form):
    """Every promotion field; amounts typed as money, shares as per cent, windows in local time."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=list(KIND_LABELS.items()))
    target = forms.ChoiceField(
        label=gettext_lazy("Applies to"), choices=list(TARGET_LABELS.items()), required=False
    )
    products = forms.MultipleChoiceField(
        label=gettext_lazy("Products"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Categories"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    percent = forms.CharField(
        label=gettext_lazy("Percent off"),
        max_length=10,
        required=False,
        help_text=gettext_lazy("For buy X get Y: the discount on the Y items (100 = free)."),
    )
    amount_off = forms.CharField(label=gettext_lazy("Amount off"), max_length=40, required=False)
    buy_quantity = forms.IntegerField(
        label=gettext_lazy("Buy quantity"), min_value=0, max_value=999, required=False
    )
    get_quantity = forms.IntegerField(
        label=gettext_lazy("Get quantity"), min_value=0, max_value=999, required=False
    )
    bundle_items = forms.CharField(
        label=gettext_lazy("Bundle items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line: SKU and quantity, e.g. LAT-001 2"),
    )
    bundle_price = forms.CharField(
        label=gettext_lazy("Bundle price"), max_length=40, required=False
    )
    min_spend = forms.CharField(label=gettext_lazy("Minimum spend"), max_length=40, required=False)
    max_discount = forms.CharField(
        label=gettext_lazy("Maximum discount"), max_length=40, required=False
    )
    customer_groups = forms.CharField(
        label=gettext_lazy("Customer groups"),
        max_length=400,
        required=False,
        help_text=gettext_lazy("Comma-separated, e.g. member, staff. Empty: every customer."),
    )
    valid_from = day_field(gettext_lazy("Valid from"))
    valid_until = day_field(gettext_lazy("Valid until"))
    priority = forms.IntegerField(
        label=gettext_lazy("Priority"), min_value=-1000, max_value=1000, initial=0, required=False
    )
    exclusive = forms.BooleanField(label=gettext_lazy("Exclusive"), required=False)
    stackable = forms.BooleanField(label=gettext_lazy("Stackable"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, desk: Desk, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.desk = desk
        products = list(Product.objects.filter(tenant=desk.tenant).order_by("name", "id"))
        self.products_by_id = {str(product.id): product for product in products}
        self._set_choices("products", [(str(p.id), f"{p.name} ({p.sku})") for p in products])
        self._set_choices(
            "categories",
            [
                (str(c.id), c.name)
                for c in Category.objects.filter(tenant=desk.tenant).order_by("name")
            ],
        )
        for slot in range(WINDOW_SLOTS):
            self.fields[f"window_{slot}_days"] = forms.MultipleChoiceField(
                label=gettext_lazy("Days"),
                choices=WEEKDAYS,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"window_{slot}_start"] = forms.TimeField(
                label=gettext_lazy("From"), required=False, widget=TimeInput
            )
            self.fields[f"window_{slot}_end"] = forms.TimeField(
                label=gettext_lazy("Until"), required=False, widget=TimeInput
            )

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def window_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        """(days, from, until) bound fields of each schedule slot, for the template."""
        return [
            (self[f"window_{slot}_days"], self[f"window_{slot}_start"], self[f"window_{slot}_end"])
            for slot in range(WINDOW_SLOTS)
        ]

    # --- form -> engine JSON ---------------------------------------------------------------

    def _money(self, name: str, *, optional: bool = True) -> int | None:
        text = str(self.cleaned_data.get(name) or "").strip()
        if not text:
            return None if optional else 0
        try:
            return money_minor(self.desk, text)
        except InvalidValueError as error:
            self.add_error(name, str(error))
            return None

    def _percent(self) -> int:
        text = str(self.cleaned_data.get("percent") or "").strip()
        if not text:
            return 0
        try:
            return percent_bp(text)
        except ValueError as error:
            self.add_error("percent", str(error))
            return 0

    def _bundle(self) -> list[dict[str, Any]]:
        by_sku = {product.sku.lower(): key for key, product in self.products_by_id.items()}
        items: list[dict[str, Any]] = []
        for number, line in enumerate(
            str(self.cleaned_data.get("bundle_items") or "").splitlines(), 1
        ):
            words = line.split()
            if not words:
                continue
            quantity = 1
            if len(words) > 1 and words[-1].isdigit():
                quantity = int(words[-1])
                words = words[:-1]
            name = " ".join(words)
            product_id = by_sku.get(name.lower()) or (name if name in self.products_by_id else None)
            if product_id is None:
                self.add_error(
                    "bundle_items",
                    _("Line %(number)s: no product has the SKU %(sku)s.")
                    % {"number": number, "sku": name},
                )
                continue
            items.append({"product_id": product_id, "quantity": quantity})
        return items

    def _windows(self) -> list[dict[str, Any]]:
        windows: list[dict[str, Any]] = []
        for slot in range(WINDOW_SLOTS):
            days = self.cleaned_data.get(f"window_{slot}_days") or []
            start: time | None = self.cleaned_data.get(f"window_{slot}_start")
            end: time | None = self.cleaned_data.get(f"window_{slot}_end")
            if not days and start is None and end is None:
                continue
            if not days or start is None or end is None:
                self.add_error(
                    f"window_{slot}_days", _("A time window needs its days, a start and an end.")
                )
                continue
            windows.append(
                {
                    "weekdays": sorted(int(day) for day in days),
                    "start": start.isoformat(timespec="minutes"),
                    "end": end.isoformat(timespec="minutes"),
                }
            )
        return windows

    def promotion_fields(self) -> dict[str, Any] | None:
        """Fields for `promotion_create`/`promotion_update` (columns and the rule), checked by
        the engine; None with the errors on the form."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        kind = data["kind"]
        rule: dict[str, Any] = {}
        if kind == PromotionKind.BUNDLE.value:
            rule["bundle_items"] = self._bundle()
            rule["bundle_price_minor"] = self._money("bundle_price", optional=False)
        else:
            target = data.get("target") or PromotionTarget.ORDER.value
            rule["target"] = target
            if target == PromotionTarget.PRODUCT.value:
                rule["target_ids"] = sorted(data.get("products") or [])
            elif target == PromotionTarget.CATEGORY.value:
                rule["target_ids"] = sorted(data.get("categories") or [])
            if kind in (PromotionKind.PERCENT_OFF.value, PromotionKind.BUY_X_GET_Y.value):
                rule["percent_bp"] = self._percent()
            if kind == PromotionKind.FIXED_OFF.value:
                rule["amount_off_minor"] = self._money("amount_off", optional=False)
            if kind == PromotionKind.BUY_X_GET_Y.value:
                rule["buy_quantity"] = data.get("buy_quantity") or 0
                rule["get_quantity"] = data.get("get_quantity") or 0
        min_spend = self._money("min_spend")
        if min_spend:
            rule["min_spend_minor"] = min_spend
        max_discount = self._money("max_discount")
        if max_discount is not None:
            rule["max_discount_minor"] = max_discount
        groups = _groups(str(data.get("customer_groups") or ""))
        if groups:
            rule["customer_group_ids"] = groups
        windows = self._windows()
        if windows:
            rule["windows"] = windows
        fields = {
            "name": data["name"].strip(),
            "kind": kind,
            "priority": data.get("priority") or 0,
            "exclusive": bool(data.get("exclusive")),
            "stackable": bool(data.get("stackable")),
            "is_active": bool(data.get("is_active")),
            "valid_from": data.get("valid_from"),
            "valid_until": data.get("valid_until"),
            "rule": rule,
        }
        if self.errors:
            return None
        try:
            engine_promotion("preview", fields)
        except PromotionFormatError as error:
            field = ENGINE_FIELDS.get(error.field or "")
            if error.field == "target_ids":
                category = data.get("target") == PromotionTarget.CATEGORY.value
                field = "categories" if category else "products"
            self.add_error(field, error.message)
            return None
        return fields


def engine_promotion(promotion_id: str, fields: dict[str, Any]) -> EnginePromotion:
    """The engine's promotion from saved-form fields (raises PromotionFormatError)."""
    data: dict[str, Any] = {
        **fields["rule"],
        "promotion_id": promotion_id,
        "name": fields["name"] or "?",
        "kind": fields["kind"],
        "priority": fields["priority"],
        "exclusive": fields["exclusive"],
        "stackable": fields["stackable"],
        "valid_from": fields["valid_from"].isoformat() if fields["valid_from"] else None,
        "valid_until": fields["valid_until"].isoformat() if fields["valid_until"] else None,
    }
    return promotion_from_dict(data)


def form_initial(desk: Desk, promotion: Promotion) -> dict[str, Any]:
    """The form's starting values for a stored promotion (the inverse of `promotion_fields`)."""
    rule = promotion.rule
    target = rule.get("target", PromotionTarget.ORDER.value)
    target_ids = list(rule.get("target_ids", []))
    skus = dict(
        Product.objects.filter(
            tenant=desk.tenant,
            id__in=_uuids(item.get("product_id") for item in rule.get("bundle_items", [])),
        ).values_list("id", "sku")
    )
    bundle_lines = []
    for item in rule.get("bundle_items", []):
        product_id = str(item.get("product_id", ""))
        sku = next((sku for key, sku in skus.items() if str(key) == product_id), product_id)
        bundle_lines.append(f"{sku} {item.get('quantity', 1)}")
    initial: dict[str, Any] = {
        "name": promotion.name,
        "kind": promotion.kind,
        "target": target,
        "products": target_ids if target == PromotionTarget.PRODUCT.value else [],
        "categories": target_ids if target == PromotionTarget.CATEGORY.value else [],
        "percent": percent_text(int(rule.get("percent_bp", 0))),
        "amount_off": _shown(desk, rule.get("amount_off_minor")),
        "buy_quantity": rule.get("buy_quantity", 0),
        "get_quantity": rule.get("get_quantity", 0),
        "bundle_items": "\n".join(bundle_lines),
        "bundle_price": _shown(desk, rule.get("bundle_price_minor")),
        "min_spend": _shown(desk, rule.get("min_spend_minor")),
        "max_discount": _shown(desk, rule.get("max_discount_minor")),
        "customer_groups": ", ".join(rule.get("customer_group_ids", [])),
        "valid_from": promotion.valid_from,
        "valid_until": promotion.valid_until,
        "priority": promotion.priority,
        "exclusive": promotion.exclusive,
        "stackable": promotion.stackable,
        "is_active": promotion.is_active,
    }
    for slot, window in enumerate(rule.get("windows", [])[:WINDOW_SLOTS]):
        initial[f"window_{slot}_days"] = [str(day) for day in window.get("weekdays", [])]
        initial[f"window_{slot}_start"] = window.get("start")
        initial[f"window_{slot}_end"] = window.get("end")
    return initial


def _uuids(values: Any) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def _shown(desk: Desk, amount_minor: Any) -> str:
    return "" if amount_minor is None else desk.money(int(amount_minor))


# --- preview -------------------------------------------------------------------------------


class PreviewForm(forms.Form):
    """A sample cart (a few products and quantities), a moment and a customer group."""

    at = forms.DateTimeField(label=gettext_lazy("At"), required=False, widget=DateTimeInput)
    customer_group = forms.CharField(
        label=gettext_lazy("Customer group"), max_length=32, required=False
    )

    def __init__(self, *args: Any, desk: Desk, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "sample")
        super().__init__(*args, **kwargs)
        self.desk = desk
        products = Product.objects.filter(tenant=desk.tenant, is_active=True).order_by("name")
        self.products_by_id = {str(product.id): product for product in products}
        choices = [("", "—")] + [(key, p.name) for key, p in self.products_by_id.items()]
        for slot in range(SAMPLE_LINES):
            self.fields[f"product_{slot}"] = forms.ChoiceField(
                label=gettext_lazy("Product"), choices=choices, required=False
            )
            self.fields[f"quantity_{slot}"] = forms.IntegerField(
                label=gettext_lazy("Quantity"),
                min_value=1,
                max_value=MAX_SAMPLE_QUANTITY,
                required=False,
                initial=1,
            )

    def line_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"product_{slot}"], self[f"quantity_{slot}"]) for slot in range(SAMPLE_LINES)]

    def moment(self) -> datetime:
        """The chosen moment in the tenant's zone (the form's naive value is local), or now."""
        chosen: datetime | None = self.cleaned_data.get("at")
        zone = ZoneInfo(self.desk.tenant.time_zone)
        if chosen is None:
            return timezone.now().astimezone(zone)
        return chosen.replace(tzinfo=zone) if chosen.tzinfo is None else chosen.astimezone(zone)

    def cart(self) -> Cart:
        lines = []
        for slot in range(SAMPLE_LINES):
            product = self.products_by_id.get(self.cleaned_data.get(f"product_{slot}") or "")
            if product is None:
                continue
            lines.append(
                CartLine(
                    line_id=f"sample-{slot}",
                    product_id=str(product.id),
                    quantity=self.cleaned_data.get(f"quantity_{slot}") or 1,
                    unit_price_minor=product.price_minor,
                    category_id=str(product.category_id) if product.category_id else None,
                    tax_rate_ids=(str(product.tax_rate_id),) if product.tax_rate_id else (),
                    name=product.name,
                )
            )
        return Cart(currency=self.desk.tenant.currency, lines=tuple(lines))


@dataclass(frozen=True)
class PreviewLine:
    name: str
    quantity: int
    gross: str
    discounts: list[tuple[str, str]]
    net: str
    tax: str
    total: str


@dataclass(frozen=True)
class Preview:
    """The sample cart priced with the draft promotion, every figure already written as money."""

    at: datetime
    lines: list[PreviewLine]
    subtotal: str
    discount: str
    discount_minor: int
    service_charge: str
    tax: str
    total: str
    applied: bool


def price_preview(desk: Desk, promotion: EnginePromotion, sample: PreviewForm) -> Preview:
    """Price the sample cart through `shared.pricing` with the tenant's taxes and service
    charge and the draft promotion alone (so its effect is what the preview shows)."""
    tenant = desk.tenant
    at = sample.moment()
    customer_group = str(sample.cleaned_data.get("customer_group") or "").strip()
    priced: PricedCart = price_cart(
        sample.cart(),
        at=at,
        time_zone=tenant.time_zone,
        promotions=(promotion,),
        tax_rates=tuple(
            EngineTaxRate(str(rate.id), rate.name, rate.rate_bp, inclusive=rate.inclusive)
            for rate in TaxRate.objects.filter(tenant=tenant)
        ),
        service_charge=(
            ServiceCharge(rate_bp=tenant.service_charge_bp, taxed=tenant.service_charge_taxed)
            if tenant.service_charge_bp
            else None
        ),
        customer=Customer("sample", customer_group or None) if customer_group else None,
    )
    names = {line.line_id: line.name for line in sample.cart().lines}
    return Preview(
        at=at,
        lines=[
            PreviewLine(
                name=names.get(line.line_id, line.product_id),
                quantity=line.quantity,
                gross=desk.money(line.gross_minor),
                discounts=[(d.name, desk.money(d.amount_minor)) for d in line.discounts],
                net=desk.money(line.net_minor),
                tax=desk.money(line.tax_minor),
                total=desk.money(line.total_minor),
            )
            for line in priced.lines
        ],
        subtotal=desk.money(priced.subtotal_minor),
        discount=desk.money(priced.discount_minor),
        discount_minor=priced.discount_minor,
        service_charge=desk.money(priced.service_charge_minor),
        tax=desk.money(priced.tax_minor),
        total=desk.money(priced.total_minor),
        applied=any(total.promotion_id == promotion.promotion_id for total in priced.promotions),
    )


def summary(desk: Desk, promotion: Promotion) -> str:
    """One line on what a stored promotion does, for the list (`20% · Mon–Fri 15:00–17:00`)."""
    rule = promotion.rule
    parts: list[str] = []
    if promotion.kind in (PromotionKind.PERCENT_OFF.value, PromotionKind.BUY_X_GET_Y.value):
        if promotion.kind == PromotionKind.BUY_X_GET_Y.value:
            parts.append(
                _("buy %(buy)s get %(get)s")
                % {"buy": rule.get("buy_quantity", 0), "get": rule.get("get_quantity", 0)}
            )
        parts.append(f"{percent_text(int(rule.get('percent_bp', 0)))}%")
    elif promotion.kind == PromotionKind.FIXED_OFF.value:
        parts.append(desk.money(int(rule.get("amount_off_minor", 0))))
    else:
        parts.append(
            _("%(count)s items for %(price)s")
            % {
                "count": sum(int(i.get("quantity", 1)) for i in rule.get("bundle_items", [])),
                "price": desk.money(int(rule.get("bundle_price_minor", 0))),
            }
        )
    day_names = dict(WEEKDAYS)
    for window in rule.get("windows", []):
        days = ",".join(str(day_names.get(str(day), day)) for day in window.get("weekdays", []))
        parts.append(f"{days} {window.get('start')}–{window.get('end')}")
    if rule.get("customer_group_ids"):
        parts.append(", ".join(rule["customer_group_ids"]))
    return " · ".join(parts)
