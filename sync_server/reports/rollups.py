"""Keeping the rollup tables: what a sale, a void and a refund add, written by upsert.

The ingest calls one function per write, inside the transaction that stores the orders
(`rollups_orders_stored`), voids an order (`rollups_order_voided`) or stores a refund
(`rollups_refund_stored`), so the sums never disagree with the orders they sum. Every
function works from plain column values (the rows the ingest is storing, or rows read back),
so the incremental path and `rollups_rebuild` count with the same code.

A sale adds at the local day and hour it was rung up; a void takes the sale out there again
and counts the void; a refund adds at the day and hour it was given. These are the
definitions of `shared.reports` (the till's X and Z reports), which a test holds equal.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import connections, router

from sync_server.common.tenancy import tenant_atomic
from sync_server.orders.models import Order, OrderLine, OrderStatus, Payment, Refund, RefundLine
from sync_server.reports.models import (
    ROLLUPS,
    DiscountDay,
    PaymentDay,
    ProductDay,
    Rollup,
    SalesHour,
    TaxDay,
)
from sync_server.reports.records import (
    order_tax_lines,
    refund_paid_back,
    refund_tax_of,
)
from sync_server.tenants.models import Tenant

if TYPE_CHECKING:
    from sync_server.orders.services import OrderRows

Row = Mapping[str, Any]
Sums = dict[type[Rollup], dict[tuple[Any, ...], dict[str, int]]]

ORDER_FIELDS = (
    "id",
    "outlet_id",
    "cashier_id",
    "ordered_at",
    "status",
    "subtotal_minor",
    "discount_minor",
    "service_charge_minor",
    "tax_minor",
    "rounding_minor",
    "total_minor",
    "details",
)
LINE_FIELDS = (
    "id",
    "order_id",
    "product_id",
    "category_id",
    "name",
    "quantity",
    "gross_minor",
    "discount_minor",
    "net_minor",
    "tax_minor",
    "total_minor",
    "discounts",
)
PAYMENT_FIELDS = ("order_id", "method", "amount_minor")


def _key(value: Any) -> str:
    return "" if value is None else str(value)


def _local(at: datetime, zone: ZoneInfo) -> tuple[date, int]:
    local = at.astimezone(zone)
    return local.date(), local.hour


class Tally:
    """Sums per rollup table and key, added to by sales, voids and refunds."""

    def __init__(self, *, zone: ZoneInfo, prices_include_tax: bool) -> None:
        self.zone = zone
        self.prices_include_tax = prices_include_tax
        self.sums: Sums = {model: defaultdict(lambda: defaultdict(int)) for model in ROLLUPS}

    def _add(self, model: type[Rollup], key: tuple[Any, ...], **amounts: int) -> None:
        row = self.sums[model][key]
        for name, amount in amounts.items():
            row[name] += amount

    def sale(self, order: Row, lines: Iterable[Row], payments: Iterable[Row], sign: int) -> None:
        """What a sale adds (sign 1) or a void takes out again (sign -1)."""
        outlet, (day, hour) = order["outlet_id"], _local(order["ordered_at"], self.zone)
        tax_lines = order_tax_lines(
            order["details"],
            tax_minor=int(order["tax_minor"]),
            prices_include_tax=self.prices_include_tax,
        )
        self._add(
            SalesHour,
            (outlet, day, hour, _key(order["cashier_id"])),
            orders=sign,
            subtotal_minor=sign * order["subtotal_minor"],
            included_tax_minor=sign
            * sum(int(tax["amount_minor"]) for tax in tax_lines if tax["inclusive"]),
            discount_minor=sign * order["discount_minor"],
            service_charge_minor=sign * order["service_charge_minor"],
            tax_minor=sign * sum(int(tax["amount_minor"]) for tax in tax_lines),
            rounding_minor=sign * order["rounding_minor"],
            total_minor=sign * order["total_minor"],
        )
        seen: set[tuple[Any, ...]] = set()
        key: tuple[Any, ...]
        for tax in tax_lines:
            key = (outlet, day, str(tax["name"]), int(tax["rate_bp"]), bool(tax["inclusive"]))
            self._add(
                TaxDay,
                key,
                orders=0 if (TaxDay, key) in seen else sign,
                base_minor=sign * int(tax.get("base_minor") or 0),
                amount_minor=sign * int(tax["amount_minor"]),
            )
            seen.add((TaxDay, key))
        discounts = list((order["details"] or {}).get("order_discounts") or [])
        for line in lines:
            key = (
                outlet,
                day,
                _key(line["product_id"]),
                _key(line["category_id"]),
                str(line["name"])[:200],
            )
            self._add(
                ProductDay,
                key,
                orders=0 if (ProductDay, key) in seen else sign,
                quantity=sign * line["quantity"],
                gross_minor=sign * line["gross_minor"],
                discount_minor=sign * line["discount_minor"],
                net_minor=sign * line["net_minor"],
                tax_minor=sign * line["tax_minor"],
                total_minor=sign * line["total_minor"],
            )
            seen.add((ProductDay, key))
            discounts += list(line["discounts"] or [])
        for discount in discounts:
            self._add(
                DiscountDay,
                (
                    outlet,
                    day,
                    str(discount.get("source", "")),
                    _key(discount.get("promotion_id")),
                    str(discount.get("name", ""))[:200],
                ),
                uses=sign,
                amount_minor=sign * int(discount.get("amount_minor", 0)),
            )
        for payment in payments:
            key = (outlet, day, str(payment["method"]))
            self._add(
                PaymentDay,
                key,
                orders=0 if (PaymentDay, key) in seen else sign,
                amount_minor=sign * payment["amount_minor"],
            )
            seen.add((PaymentDay, key))

    def void(self, order: Row) -> None:
        """A voided sale counted as a void where it was rung up (after `sale(..., -1)`)."""
        day, hour = _local(order["ordered_at"], self.zone)
        self._add(
            SalesHour,
            (order["outlet_id"], day, hour, _key(order["cashier_id"])),
            voids=1,
            voided_minor=order["total_minor"],
        )

    def refund(self, refund: Row, order: Row, lines: Sequence[tuple[Row, Row]]) -> None:
        """Money given back: `lines` pairs each refund line with the order line it refunds."""
        outlet, (day, hour) = order["outlet_id"], _local(refund["at"], self.zone)
        tax = refund_tax_of(
            (line["total_minor"], line["tax_minor"], item["amount_minor"]) for item, line in lines
        )
        self._add(
            SalesHour,
            (outlet, day, hour, _key(refund["cashier_id"] or order["cashier_id"])),
            refunds=1,
            refunded_minor=refund["amount_minor"],
            refund_tax_minor=tax,
        )
        for payment in refund_paid_back(refund["payments"], refund["amount_minor"]):
            self._add(
                PaymentDay,
                (outlet, day, str(payment.get("method", "cash"))),
                refunds=1,
                refunded_minor=int(payment.get("amount_minor", 0)),
            )
        for item, line in lines:
            self._add(
                ProductDay,
                (
                    outlet,
                    day,
                    _key(line["product_id"]),
                    _key(line["category_id"]),
                    str(line["name"])[:200],
                ),
                refunded_quantity=item["quantity"],
                refunded_minor=item["amount_minor"],
            )


def _sum_columns(model: type[Rollup]) -> list[str]:
    skip = {"id", "tenant", "outlet_id", "day", *model.KEY}
    return [field.attname for field in model._meta.concrete_fields if field.name not in skip]


UPSERT_ROWS = 200
"""Rows per INSERT statement on SQLite (its bound-parameter limit)."""


@dataclass(frozen=True)
class _Upsert:
    """One rollup table's upsert: columns (key first, then sums) and the SQL around them."""

    fields: list[Any]
    table: str
    columns: str
    conflict_and_update: str


def _upsert(model: type[Rollup], connection: Any) -> _Upsert:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key = ["tenant_id", *model.KEY]
    sums = _sum_columns(model)
    by_name = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_name[name] for name in (*key, *sums)]
    conflict = ", ".join(quote(str(by_name[name].column)) for name in key)
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + EXCLUDED.{quote(c)}" for c in sums)
    return _Upsert(
        fields=fields,
        table=table,
        columns=", ".join(quote(str(field.column)) for field in fields),
        conflict_and_update=f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
    )


def _rows_of(model: type[Rollup], tenant_id: uuid.UUID, tally: Tally) -> list[tuple[Any, ...]]:
    """The tally's rows of one table as column values (key, then sums), sorted by key so two
    ingests adding to the same rows take their locks in the same order."""
    sums = _sum_columns(model)
    items = sorted(tally.sums[model].items(), key=lambda item: tuple(map(str, item[0])))
    return [
        (tenant_id, *values, *(amounts.get(name, 0) for name in sums)) for values, amounts in items
    ]


def _upsert_parts(
    tenant_id: uuid.UUID, tally: Tally, connection: Any, *, prefix: str = "r", condition: str = ""
) -> tuple[list[str], list[Any]]:
    """PostgreSQL: the tally's upserts as data-modifying CTEs (`<prefix>0 AS (INSERT ...)`),
    each table's rows one JSON parameter; `condition` (SQL) gates every insert."""
    parts, params = [], []
    where = f"WHERE {condition} " if condition else ""
    for index, model in enumerate(model for model in ROLLUPS if tally.sums[model]):
        upsert = _upsert(model, connection)
        names = [str(field.column) for field in upsert.fields]
        values = [dict(zip(names, row, strict=True)) for row in _rows_of(model, tenant_id, tally)]
        parts.append(
            f"{prefix}{index} AS (INSERT INTO {upsert.table} ({upsert.columns}) "
            f"SELECT {upsert.columns} "
            f"FROM jsonb_populate_recordset(NULL::{upsert.table}, %s::jsonb) "
            f"{where}{upsert.conflict_and_update})"
        )
        params.append(json.dumps(values, default=str))
    return parts, params


def _write(tenant_id: uuid.UUID, tally: Tally) -> None:
    """Add the tally's sums to the tables. On PostgreSQL one statement for every table (an
    upsert per table in data-modifying CTEs, each table's rows as one JSON parameter), so a
    batch's rollups cost one round trip; on SQLite an upsert per table and 200 rows."""
    models = [model for model in ROLLUPS if tally.sums[model]]
    if not models:
        return
    connection = connections[router.db_for_write(models[0])]
    if connection.vendor == "postgresql":
        parts, params = _upsert_parts(tenant_id, tally, connection)
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {', '.join(parts)} SELECT 1", params)
        return
    for model in models:
        upsert = _upsert(model, connection)
        placeholder = f"({', '.join(['%s'] * len(upsert.fields))})"
        rows = _rows_of(model, tenant_id, tally)
        for start in range(0, len(rows), UPSERT_ROWS):
            chunk = rows[start : start + UPSERT_ROWS]
            params = [
                field.get_db_prep_value(value, connection)
                for row in chunk
                for field, value in zip(upsert.fields, row, strict=True)
            ]
            sql = (
                f"INSERT INTO {upsert.table} ({upsert.columns}) "
                f"VALUES {', '.join([placeholder] * len(chunk))} {upsert.conflict_and_update}"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)


def _tally(tenant: Tenant) -> Tally:
    return Tally(zone=ZoneInfo(tenant.time_zone), prices_include_tax=tenant.prices_include_tax)


def _tenant(tenant_id: uuid.UUID) -> Tenant:
    tenant: Tenant = Tenant.objects.only("id", "time_zone", "prices_include_tax").get(id=tenant_id)
    return tenant


def _grouped(rows: Iterable[Row]) -> dict[Any, list[Row]]:
    grouped: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row["order_id"]].append(row)
    return grouped


def rollups_orders_stored(
    *, entries: Sequence[OrderRows], stored: set[uuid.UUID], tenant: Tenant | None = None
) -> None:
    """Add the orders just stored (`stored`, of `entries`: their column values as inserted)
    to the rollups, in the caller's transaction (`tenant`: their tenant, if the caller has
    it, saves reading it)."""
    new = [entry for entry in entries if uuid.UUID(str(entry.order["id"])) in stored]
    if not new:
        return
    tenant_id = uuid.UUID(str(new[0].order["tenant_id"]))
    tally = _tally(tenant if tenant is not None and tenant.id == tenant_id else _tenant(tenant_id))
    for entry in new:
        tally.sale(entry.order, entry.lines, entry.payments, 1)
    _write(tenant_id, tally)


def rollups_sale_upserts(
    *, entries: Sequence[OrderRows], tenant: Tenant, condition: str, connection: Any
) -> tuple[list[str], list[Any]]:
    """PostgreSQL: what storing all of `entries` adds to the rollups, as CTEs (`rollup0 AS
    (INSERT ...)`) gated by `condition`, for the ingest to send within its own insert
    statement (one round trip for orders and rollups); it gates them on every order being
    new and falls back to `rollups_orders_stored` when one was not."""
    tally = _tally(tenant)
    for entry in entries:
        tally.sale(entry.order, entry.lines, entry.payments, 1)
    return _upsert_parts(tenant.id, tally, connection, prefix="rollup", condition=condition)


def rollups_order_voided(*, tenant: Tenant, order: Order) -> None:
    """Take a just-voided sale out of the rollups and count it as a void (caller's
    transaction). Refunds it had stay where they were given, as on the till's reports."""
    tally = _tally(tenant)
    row = {name: getattr(order, name) for name in ORDER_FIELDS}
    lines = OrderLine.objects.filter(tenant=tenant, order_id=order.id).values(*LINE_FIELDS)
    payments = Payment.objects.filter(tenant=tenant, order_id=order.id).values(*PAYMENT_FIELDS)
    tally.sale(row, list(lines), list(payments), -1)
    tally.void(row)
    _write(tenant.id, tally)


def rollups_refund_stored(*, tenant: Tenant, refund: Refund) -> None:
    """Add a just-stored refund (with its lines) to the rollups, in the caller's transaction."""
    tally = _tally(tenant)
    order = refund.order
    _refund(tally, refund, {name: getattr(order, name) for name in ORDER_FIELDS})
    _write(tenant.id, tally)


def _refund(tally: Tally, refund: Refund, order: Row) -> None:
    items = list(
        RefundLine.objects.filter(refund_id=refund.id).values("line_id", "quantity", "amount_minor")
    )
    lines = OrderLine.objects.filter(id__in=[item["line_id"] for item in items])
    line_of = {line["id"]: line for line in lines.values(*LINE_FIELDS)}
    tally.refund(
        {
            "at": refund.at,
            "cashier_id": refund.cashier_id,
            "amount_minor": refund.amount_minor,
            "payments": refund.payments,
        },
        order,
        [(item, line_of[item["line_id"]]) for item in items],
    )


STREAM_CHUNK = 5000
"""Rows fetched per round trip while a rebuild streams the orders, lines and payments."""


def _streamed(rows: Any) -> Iterator[tuple[Any, list[Row]]]:
    """Rows sorted by order id, grouped per order: (order id, its rows)."""
    for order_id, group in groupby(rows.iterator(chunk_size=STREAM_CHUNK), itemgetter("order_id")):
        yield order_id, list(group)


def _children(groups: Iterator[tuple[Any, list[Row]]]) -> Callable[[Any], list[Row]]:
    """A reader that, called with ascending order ids, returns each one's rows (a merge join
    of two id-sorted streams, so the rebuild reads each table once, in index order)."""
    pending: list[tuple[Any, list[Row]]] = []

    def rows_of(order_id: Any) -> list[Row]:
        while True:
            if not pending:
                found = next(groups, None)
                if found is None:
                    return []
                pending.append(found)
            key, rows = pending[0]
            if key == order_id:
                pending.clear()
                return rows
            if key > order_id:
                return []
            pending.clear()  # rows of an order not listed (cannot happen: foreign key)

    return rows_of


def rollups_rebuild(*, tenant: Tenant) -> int:
    """Recount the tenant's rollups from its orders and refunds (one transaction, each table
    read once in id order); the number of orders counted."""
    with tenant_atomic(tenant):
        for model in ROLLUPS:
            model.objects.filter(tenant=tenant).delete()
        tally = _tally(tenant)
        lines_of = _children(
            _streamed(
                OrderLine.objects.filter(tenant=tenant).order_by("order_id").values(*LINE_FIELDS)
            )
        )
        payments_of = _children(
            _streamed(
                Payment.objects.filter(tenant=tenant).order_by("order_id").values(*PAYMENT_FIELDS)
            )
        )
        orders = Order.objects.filter(tenant=tenant).order_by("id").values(*ORDER_FIELDS)
        counted = 0
        for order in orders.iterator(chunk_size=STREAM_CHUNK):
            lines, payments = lines_of(order["id"]), payments_of(order["id"])
            if order["status"] == OrderStatus.VOIDED:
                tally.void(order)
            else:
                tally.sale(order, lines, payments, 1)
            counted += 1
        for refund in Refund.objects.filter(tenant=tenant).select_related("order"):
            _refund(tally, refund, {n: getattr(refund.order, n) for n in ORDER_FIELDS})
        _write(tenant.id, tally)
    return counted
