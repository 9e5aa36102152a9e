"""Catalog pages' logic: product fields from a form or a CSV row, checked by the API's own
input serializer (one set of rules), and a CSV import that previews every row's errors and
then writes all rows or none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shared.money import InvalidValueError, parse_money
from sync_server.backoffice.access import Desk
from sync_server.backoffice.spreadsheets import XLSX_MAGIC, xlsx_as_csv
from sync_server.catalog import services
from sync_server.catalog.apis import CategoryInput, ProductInput
from sync_server.catalog.models import Category, Product, TaxRate
from sync_server.common.images import check_image

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
CSV_COLUMNS = (
    "sku",
    "name",
    "price",
    "category",
    "barcode",
    "cost",
    "tax_rate",
    "kitchen_station",
    "active",
    "track_stock",
)
REQUIRED_COLUMNS = frozenset({"sku", "name", "price"})
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "ya"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "tidak", ""})


def serializer_messages(errors: Mapping[str, Any]) -> dict[str, str]:
    """DRF's nested error lists flattened to one sentence per field."""
    return {
        name: " ".join(str(item) for item in (value if isinstance(value, list) else [value]))
        for name, value in errors.items()
    }


def show_serializer_errors(
    form: forms.Form, errors: Mapping[str, Any], rename: Mapping[str, str] | None = None
) -> None:
    """A serializer's errors on the form's fields (`rename`: serializer field -> form field);
    errors of fields the form does not have go to the top of the form."""
    for name, message in serializer_messages(errors).items():
        field = (rename or {}).get(name, name)
        form.add_error(field if field in form.fields else None, message)


def checked_product_fields(
    desk: Desk, raw: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Run `raw` through the API's ProductInput for this viewer: (validated fields, errors)."""
    serializer = ProductInput(data=raw, context={"role": desk.user.role, "tenant": desk.tenant})
    if serializer.is_valid():
        return dict(serializer.validated_data), {}
    return {}, serializer_messages(serializer.errors)


def cost_visible(desk: Desk) -> bool:
    """Whether this viewer's role sees and writes product costs (the API's field rule)."""
    return "cost_minor" in ProductInput(context={"role": desk.user.role}).fields


def money_minor(desk: Desk, text: str) -> int:
    """An amount typed in the tenant's locale (`25.000`, `Rp 25.000`) in minor units."""
    return parse_money(text.strip(), desk.tenant.currency, desk.locale).amount_minor


class ProductForm(forms.Form):
    """What the product page edits; amounts are typed as money, not minor units."""

    sku = forms.CharField(label=gettext_lazy("SKU"), max_length=64)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    price = forms.CharField(label=gettext_lazy("Price"), max_length=40)
    cost = forms.CharField(label=gettext_lazy("Cost"), max_length=40, required=False)
    tax_rate = forms.ChoiceField(label=gettext_lazy("Tax"), required=False)
    barcode = forms.CharField(label=gettext_lazy("Barcode"), max_length=64, required=False)
    kitchen_station = forms.CharField(
        label=gettext_lazy("Kitchen station"), max_length=32, required=False
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    track_stock = forms.BooleanField(label=gettext_lazy("Track stock"), required=False)
    image = forms.ImageField(label=gettext_lazy("Image"), required=False)

    def __init__(self, *args: Any, desk: Desk, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.desk = desk
        self._choices("category", Category.objects.filter(tenant=desk.tenant).order_by("name"))
        self._choices("tax_rate", TaxRate.objects.filter(tenant=desk.tenant).order_by("name"))

    def _choices(self, name: str, rows: Any) -> None:
        choice = self.fields[name]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [("", "—")] + [(str(row.id), row.name) for row in rows]

    def _money(self, name: str) -> int | None:
        text = str(getattr(self, "cleaned_data", {}).get(name) or "").strip()
        if not text:
            return None
        try:
            return money_minor(self.desk, text)
        except InvalidValueError as error:
            self.add_error(name, str(error))
            return None

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if not image:
            return None
        check_image(image)
        return image

    def product_fields(self) -> dict[str, Any] | None:
        """The validated fields for `product_create`/`product_update`, or None (errors set)."""
        valid = self.is_valid()  # every field's error at once: also parse the amounts
        price = self._money("price")
        cost = self._money("cost")
        if not valid or self.errors:
            return None
        data = self.cleaned_data
        raw: dict[str, Any] = {
            "sku": data["sku"],
            "name": data["name"],
            "price_minor": price,
            "category": data.get("category") or None,
            "tax_rate": data.get("tax_rate") or None,
            "barcode": data.get("barcode") or "",
            "kitchen_station": data.get("kitchen_station") or "",
            "is_active": bool(data.get("is_active")),
            "track_stock": bool(data.get("track_stock")),
        }
        if cost_visible(self.desk):
            raw["cost_minor"] = cost or 0
        fields, errors = checked_product_fields(self.desk, raw)
        for name, message in errors.items():
            form_name = {"price_minor": "price", "cost_minor": "cost"}.get(name, name)
            self.add_error(form_name if form_name in self.fields else None, message)
        return fields if not errors else None


class CategoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    colour = forms.CharField(label=gettext_lazy("Colour"), max_length=7, required=False)
    kitchen_station = forms.CharField(
        label=gettext_lazy("Kitchen station"), max_length=32, required=False
    )

    def category_fields(self) -> dict[str, Any] | None:
        if not self.is_valid():
            return None
        serializer = CategoryInput(data={k: v or "" for k, v in self.cleaned_data.items()})
        if serializer.is_valid():
            return dict(serializer.validated_data)
        show_serializer_errors(self, serializer.errors)
        return None


@dataclass
class ImportRow:
    """One CSV row: its line number, the fields it would write, and what is wrong with it."""

    line: int
    sku: str
    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    existing: Product | None = None

    @property
    def action(self) -> str:
        return "update" if self.existing is not None else "create"


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    problem: str = ""

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def ready(self) -> bool:
        return not self.problem and bool(self.rows) and not self.bad_rows


def _flag(text: str, default: bool) -> bool | None:
    word = text.strip().lower()
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def _row_preview(
    desk: Desk,
    line: int,
    values: dict[str, str],
    *,
    categories: dict[str, Category],
    tax_rates: dict[str, TaxRate],
    products: dict[str, Product],
    cost_allowed: bool,
) -> ImportRow:
    row = ImportRow(
        line=line, sku=values.get("sku", "").strip(), name=values.get("name", "").strip()
    )
    raw: dict[str, Any] = {
        "sku": row.sku,
        "name": row.name,
        "barcode": values.get("barcode", "").strip(),
        "kitchen_station": values.get("kitchen_station", "").strip(),
    }
    unparsed: set[str] = set()  # said once, as "not an amount", not again as "required"
    for column, target, required in (("price", "price_minor", True), ("cost", "cost_minor", False)):
        text = values.get(column, "").strip()
        if column == "cost" and not cost_allowed:
            continue
        if not text:
            if required:
                unparsed.add(target)
                row.errors.append(_("%(column)s: required") % {"column": column})
            continue
        try:
            raw[target] = money_minor(desk, text)
        except InvalidValueError:
            unparsed.add(target)
            row.errors.append(
                _("%(column)s: not an amount: %(text)s") % {"column": column, "text": text}
            )
    for column, lookup, target in (
        ("category", categories, "category"),
        ("tax_rate", tax_rates, "tax_rate"),
    ):
        name = values.get(column, "").strip()
        if name:
            found = lookup.get(name.casefold())
            if found is None:
                row.errors.append(
                    _("%(column)s: no such name: %(name)s") % {"column": column, "name": name}
                )
            else:
                raw[target] = str(found.id)
    for column, target, default in (
        ("active", "is_active", True),
        ("track_stock", "track_stock", False),
    ):
        flag = _flag(values.get(column, ""), default)
        if flag is None:
            row.errors.append(_("%(column)s: use yes or no") % {"column": column})
        else:
            raw[target] = flag
    fields, errors = checked_product_fields(desk, raw)
    row.errors.extend(
        f"{name}: {message}" for name, message in errors.items() if name not in unparsed
    )
    row.fields = fields
    row.existing = products.get(row.sku)
    return row


def preview_product_csv(desk: Desk, text: str) -> ImportPreview:
    """Check every row of a product CSV without writing anything."""
    reader = csv.DictReader(io.StringIO(text))
    columns = {(name or "").strip().lower() for name in reader.fieldnames or []}
    missing = sorted(REQUIRED_COLUMNS - columns)
    if missing:
        return ImportPreview(
            rows=[], problem=_("Missing columns: %(names)s") % {"names": ", ".join(missing)}
        )
    unknown = sorted(columns - set(CSV_COLUMNS))
    if unknown:
        return ImportPreview(
            rows=[], problem=_("Unknown columns: %(names)s") % {"names": ", ".join(unknown)}
        )
    categories = {c.name.casefold(): c for c in Category.objects.filter(tenant=desk.tenant)}
    tax_rates = {t.name.casefold(): t for t in TaxRate.objects.filter(tenant=desk.tenant)}
    products = {p.sku: p for p in Product.objects.filter(tenant=desk.tenant)}
    cost_allowed = cost_visible(desk)
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    for index, values in enumerate(reader, start=2):
        if len(rows) >= MAX_IMPORT_ROWS:
            return ImportPreview(rows=[], problem=_("At most 5000 rows per file."))
        clean = {(key or "").strip().lower(): (value or "") for key, value in values.items()}
        row = _row_preview(
            desk,
            index,
            clean,
            categories=categories,
            tax_rates=tax_rates,
            products=products,
            cost_allowed=cost_allowed,
        )
        if row.sku and row.sku in seen:
            row.errors.append(_("sku: also on line %(line)s") % {"line": seen[row.sku]})
        seen.setdefault(row.sku, index)
        rows.append(row)
    if not rows:
        return ImportPreview(rows=[], problem=_("The file has no rows."))
    return ImportPreview(rows=rows)


def read_upload(upload: UploadedFile[bytes]) -> str:
    """The uploaded CSV as text (UTF-8, a spreadsheet's BOM allowed), or an XLSX workbook's
    first sheet as CSV text; ValueError if neither."""
    if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        raise ValueError(_("The file is larger than 2 MB."))
    data = bytes(upload.read())
    if data.startswith(XLSX_MAGIC):
        return xlsx_as_csv(data, max_rows=MAX_IMPORT_ROWS + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(_("Save the file as CSV in UTF-8.")) from error


def import_products(desk: Desk, preview: ImportPreview) -> int:
    """Write every row of a clean preview; the caller's transaction makes it all or nothing."""
    if not preview.ready:
        raise ValueError("the preview has errors")
    for row in preview.rows:
        if row.existing is not None:
            services.product_update(tenant=desk.tenant, product=row.existing, **row.fields)
        else:
            services.product_create(tenant=desk.tenant, **row.fields)
    return len(preview.rows)
