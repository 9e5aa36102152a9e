"""Order writes after ingest: stock per outlet, voids and refunds (with kitchen cancellation)."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from django.db import DataError, connections, models, router
from django.utils import timezone

from shared.protocol import OrderRefundedV1, OrderVoidedV1
from sync_server.common.errors import ItemRefused
from sync_server.common.services import insert_if_absent
from sync_server.common.tenancy import tenant_atomic, tenant_statements
from sync_server.kitchen.services import kitchen_tickets_cancel_lines
from sync_server.orders.error_codes import OrderErrorCode
from sync_server.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    Refund,
    RefundLine,
    StockLevel,
)
from sync_server.reports.rollups import (
    rollups_order_voided,
    rollups_orders_stored,
    rollups_refund_stored,
    rollups_sale_upserts,
)
from sync_server.stock.models import MovementReason
from sync_server.stock.movements import stock_movements_record
from sync_server.tenants.models import Tenant


@functools.cache
def _column_defaults(model: type[models.Model]) -> dict[str, Any]:
    """Every column of the model with its Python default (the database has none)."""
    return {
        field.attname: field.get_default() if field.has_default() else None
        for field in model._meta.concrete_fields
    }


def full_row(model: type[models.Model], values: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A complete row of `model`: defaults, the write time, then the given values."""
    return {**_column_defaults(model), "created_at": now, "updated_at": now, **values}


@dataclass(frozen=True)
class OrderRows:
    """Column values of one order, its lines and its payments (see `orders_store`)."""

    order: Mapping[str, Any]
    lines: Sequence[Mapping[str, Any]]
    payments: Sequence[Mapping[str, Any]]


def orders_store(
    entries: Sequence[OrderRows],
    *,
    tenant: Tenant | None = None,
    also: Sequence[tuple[str, Sequence[Any]]] = (),
) -> set[uuid.UUID]:
    """Store every order whose id is free, with its lines and payments, in the caller's
    transaction: the ids stored now. Ids already taken (replays, or another tenant's) are
    left alone for the caller to answer.

    Rows are plain column values. On PostgreSQL it is one statement for the whole batch
    (data-modifying CTEs over `jsonb_populate_recordset`, parameters bound by the server), so
    a batch costs one round trip besides its transaction's own; ON CONFLICT on the order id
    decides, and lines and payments follow only the orders inserted now. The ids must be
    distinct within `entries`. The rollups ride in the same statement, gated on every order
    being new (the usual case); when one was not, a second statement adds the new ones'.
    `tenant` (theirs) saves reading it for the rollups. `also`: other writes of the same
    transaction (SQL, parameters) sent within that statement on PostgreSQL (data-modifying
    CTEs: the device's status), run as they are elsewhere. Elsewhere: the ORM, step by step.
    """
    if not entries:
        return set()
    connection = connections[router.db_for_write(Order)]
    now = timezone.now()
    if connection.vendor != "postgresql":
        for sql, values in also:
            with connection.cursor() as cursor:
                cursor.execute(sql, values)
        stored: set[uuid.UUID] = set()
        for entry in entries:
            if insert_if_absent(Order(**full_row(Order, entry.order, now))):
                OrderLine.objects.bulk_create(
                    OrderLine(**full_row(OrderLine, line, now)) for line in entry.lines
                )
                Payment.objects.bulk_create(
                    Payment(**full_row(Payment, pay, now)) for pay in entry.payments
                )
                stored.add(uuid.UUID(str(entry.order["id"])))
        rollups_orders_stored(entries=entries, stored=stored, tenant=tenant)
        return stored
    sql, params = _insert_statement(entries, tenant=tenant, also=also, now=now)
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f"{sql} SELECT id FROM new_orders", params)
        stored = {uuid.UUID(str(row[0])) for row in cursor.fetchall()}
    if tenant is None or len(stored) != len(entries):
        rollups_orders_stored(entries=entries, stored=stored, tenant=tenant)
    return stored


def _insert_statement(
    entries: Sequence[OrderRows],
    *,
    tenant: Tenant | None,
    also: Sequence[tuple[str, Sequence[Any]]],
    now: datetime,
) -> tuple[str, list[Any]]:
    """PostgreSQL: the WITH clauses of `orders_store`'s one statement (orders, lines,
    payments; rollups gated on every order being new, with `tenant`; `also`), and their
    parameters; the caller adds the final SELECT."""
    connection = connections[router.db_for_write(Order)]
    order_rows = [full_row(Order, entry.order, now) for entry in entries]
    line_rows = [full_row(OrderLine, line, now) for entry in entries for line in entry.lines]
    payment_rows = [full_row(Payment, pay, now) for entry in entries for pay in entry.payments]
    quote = connection.ops.quote_name
    order_table, line_table, payment_table = (
        quote(model._meta.db_table) for model in (Order, OrderLine, Payment)
    )
    sql = (
        f"WITH new_orders AS (INSERT INTO {order_table} "
        f"SELECT * FROM jsonb_populate_recordset(NULL::{order_table}, %s::jsonb) "
        "ON CONFLICT (id) DO NOTHING RETURNING id), "
        f"new_lines AS (INSERT INTO {line_table} "
        f"SELECT r.* FROM jsonb_populate_recordset(NULL::{line_table}, %s::jsonb) r "
        "WHERE r.order_id IN (SELECT id FROM new_orders)), "
        f"new_payments AS (INSERT INTO {payment_table} "
        f"SELECT r.* FROM jsonb_populate_recordset(NULL::{payment_table}, %s::jsonb) r "
        "WHERE r.order_id IN (SELECT id FROM new_orders))"
    )
    params: list[Any] = [
        json.dumps(rows, default=str) for rows in (order_rows, line_rows, payment_rows)
    ]
    if tenant is not None:
        rollups, rollup_params = rollups_sale_upserts(
            entries=entries,
            tenant=tenant,
            condition=f"(SELECT count(*) FROM new_orders) = {len(entries):d}",
            connection=connection,
        )
        sql += "".join(f", {part}" for part in rollups)
        params += rollup_params
    for index, (extra, values) in enumerate(also):
        sql += f", also{index} AS ({extra})"
        params += list(values)
    return sql, params


def orders_store_new(
    entries: Sequence[OrderRows],
    *,
    tenant: Tenant,
    also: Sequence[tuple[str, Sequence[Any]]] = (),
) -> bool:
    """PostgreSQL: store orders that are all new, with their lines, payments, rollups and
    `also`, in ONE round trip: the tenant setting and `orders_store`'s statement sent
    together (`tenant_statements`), their own transaction (in a caller's transaction, a
    savepoint of it). What a till's single sale costs: no BEGIN, no separate COMMIT.

    False when one of the ids was stored already (a replay, or a race with another push):
    then nothing is written (a guard in the statement divides by zero unless every order
    was inserted, which rolls the whole statement back) and the caller stores them in its
    own transaction, where `orders_store` sorts new from known.
    """
    sql, params = _insert_statement(entries, tenant=tenant, also=also, now=timezone.now())
    guarded = (
        f"{sql}, every_order_new AS (SELECT 1 / (count(*) = {len(entries):d})::int AS ok "
        "FROM new_orders) SELECT ok FROM every_order_new"
    )
    connection = connections[router.db_for_write(Order)]
    try:
        if connection.in_atomic_block:
            with tenant_atomic(tenant):
                tenant_statements(tenant, [(guarded, params)])
        else:
            tenant_statements(tenant, [(guarded, params)])
    except DataError as error:
        if getattr(error.__cause__, "sqlstate", None) != DIVISION_BY_ZERO:
            raise
        return False
    return True


DIVISION_BY_ZERO = "22012"
"""SQLSTATE of the guard of `orders_store_new`: an order of the batch was not new."""


def stock_adjust(*, tenant: Tenant, outlet_id: uuid.UUID, changes: Mapping[uuid.UUID, int]) -> None:
    """Add `changes[product]` units at the outlet (negative: sold), in one upsert statement."""
    changes = {product: delta for product, delta in changes.items() if delta}
    if not changes:
        return
    connection = connections[router.db_for_write(StockLevel)]
    table = connection.ops.quote_name(StockLevel._meta.db_table)
    now = timezone.now()
    rows = []
    params: list[Any] = []
    for product_id, delta in sorted(changes.items()):  # fixed order: no deadlock between orders
        rows.append("(%s, %s, %s, %s, %s, 0, %s, %s)")
        params += [
            _uuid_param(connection, uuid.uuid4()),
            _uuid_param(connection, tenant.id),
            _uuid_param(connection, outlet_id),
            _uuid_param(connection, product_id),
            delta,
            now,
            now,
        ]
    sql = (
        f"INSERT INTO {table} (id, tenant_id, outlet_id, product_id, quantity, version, "
        f"created_at, updated_at) VALUES {', '.join(rows)} "
        f"ON CONFLICT (outlet_id, product_id) DO UPDATE SET "
        f"quantity = {table}.quantity + EXCLUDED.quantity, updated_at = EXCLUDED.updated_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _uuid_param(connection: object, value: uuid.UUID) -> object:
    field = StockLevel._meta.get_field("product_id")
    return field.get_db_prep_value(value, connection)  # type: ignore[arg-type]


def _tracked_quantities(
    lines: list[OrderLine], quantity_of: Mapping[uuid.UUID, int]
) -> dict[uuid.UUID, int]:
    from sync_server.catalog.models import Product

    product_ids = {line.product_id for line in lines if line.product_id}
    tracked = set(
        Product.with_tombstones.filter(id__in=product_ids, track_stock=True).values_list(
            "id", flat=True
        )
    )
    back: dict[uuid.UUID, int] = {}
    for line in lines:
        if line.product_id in tracked and quantity_of.get(line.id):
            assert line.product_id is not None
            back[line.product_id] = back.get(line.product_id, 0) + quantity_of[line.id]
    return back


def _order_of_event(event: OrderVoidedV1 | OrderRefundedV1, *, if_voided: ItemRefused) -> Order:
    """The order a void or refund names, locked until commit; refused if it has not synced,
    and with `if_voided` if it was voided already."""
    order: Order | None = Order.objects.select_for_update().filter(id=event.order_id).first()
    if order is None:
        raise ItemRefused(
            "the order is not on the server yet",
            code=OrderErrorCode.ORDER_UNKNOWN,
            field="order_id",
        )
    if order.status == OrderStatus.VOIDED:
        raise if_voided
    return order


def order_void(*, tenant: Tenant, event: OrderVoidedV1) -> Order:
    """Cancel a paid order: status, who approved and why; stock back; kitchen items cancelled."""
    with tenant_atomic(tenant):
        already = ItemRefused("the order is already voided", code=OrderErrorCode.ALREADY_VOIDED)
        order = _order_of_event(event, if_voided=already)
        lines = list(OrderLine.objects.filter(order=order))
        remaining = {line.id: line.quantity - line.refunded_quantity for line in lines}
        back = _tracked_quantities(lines, remaining)
        stock_adjust(tenant=tenant, outlet_id=order.outlet_id, changes=back)
        stock_movements_record(
            tenant=tenant,
            outlet_id=order.outlet_id,
            reason=MovementReason.VOID,
            changes=[(order.id, back)],
            at=event.at,
        )
        order.status = OrderStatus.VOIDED
        order.voided_at = event.at
        order.void_reason = event.reason
        order.void_approved_by = event.approved_by
        order.save(update_fields=["status", "voided_at", "void_reason", "void_approved_by"])
        rollups_order_voided(tenant=tenant, order=order)
        kitchen_tickets_cancel_lines(tenant=tenant, order_id=order.id, cancelled=None)
        return order


def order_refund(*, tenant: Tenant, event: OrderRefundedV1) -> Refund:
    """Give money back for some lines: quantities and amounts capped by what is left of each."""
    with tenant_atomic(tenant):
        voided = ItemRefused("a voided order cannot be refunded", code=OrderErrorCode.ORDER_VOIDED)
        order = _order_of_event(event, if_voided=voided)
        lines = {line.id: line for line in OrderLine.objects.filter(order=order)}
        for index, refund_line in enumerate(event.lines):
            line = lines.get(refund_line.line_id)
            field = f"lines.{index}"
            if line is None:
                raise ItemRefused(
                    "no such line on this order",
                    code=OrderErrorCode.UNKNOWN_LINE,
                    field=f"{field}.line_id",
                )
            line.refunded_quantity += refund_line.quantity
            line.refunded_minor += refund_line.amount_minor
            if line.refunded_quantity > line.quantity:
                raise ItemRefused(
                    "more refunded than sold",
                    code=OrderErrorCode.OVER_REFUND,
                    field=f"{field}.quantity",
                )
            if line.refunded_minor > line.total_minor:
                raise ItemRefused(
                    "more refunded than charged",
                    code=OrderErrorCode.OVER_REFUND,
                    field=f"{field}.amount_minor",
                )
        refund = Refund(
            id=event.id,
            tenant=tenant,
            order=order,
            at=event.at,
            reason=event.reason,
            approved_by=event.approved_by,
            cashier_id=event.cashier_id,
            amount_minor=event.amount_minor,
            payments=[payment.model_dump(mode="json") for payment in event.payments],
        )
        refund.save()
        RefundLine.objects.bulk_create(
            RefundLine(
                tenant=tenant,
                refund=refund,
                line_id=item.line_id,
                quantity=item.quantity,
                amount_minor=item.amount_minor,
            )
            for item in event.lines
        )
        changed = list({item.line_id: lines[item.line_id] for item in event.lines}.values())
        OrderLine.objects.bulk_update(changed, ["refunded_quantity", "refunded_minor"])
        refunded_qty: dict[uuid.UUID, int] = {}
        for item in event.lines:  # a line named twice in one refund gives back both counts
            refunded_qty[item.line_id] = refunded_qty.get(item.line_id, 0) + item.quantity
        back = _tracked_quantities(changed, refunded_qty)
        stock_adjust(tenant=tenant, outlet_id=order.outlet_id, changes=back)
        stock_movements_record(
            tenant=tenant,
            outlet_id=order.outlet_id,
            reason=MovementReason.REFUND,
            changes=[(order.id, back)],
            at=event.at,
        )
        order.refunded_minor += event.amount_minor
        all_back = all(line.refunded_quantity >= line.quantity for line in lines.values())
        order.status = OrderStatus.REFUNDED if all_back else OrderStatus.PARTIALLY_REFUNDED
        order.save(update_fields=["refunded_minor", "status"])
        rollups_refund_stored(tenant=tenant, refund=refund)
        kitchen_tickets_cancel_lines(tenant=tenant, order_id=order.id, cancelled=refunded_qty)
        return refund
