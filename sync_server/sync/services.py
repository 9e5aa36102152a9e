"""Idempotent ingest of order and event batches from paired terminals.

Every item is validated, checked and re-priced on its own. The good orders of a batch are then
stored in one `tenant_atomic` transaction; if anything in it fails, it is rolled back whole and
every order is stored again in its own transaction, so one bad item never blocks the others.
Events always go one by one, in their own transactions. The item's id is the idempotency key,
enforced by the database (INSERT ... ON CONFLICT DO NOTHING): the same id with the same
`canonical_digest` is a `duplicate` answered from what was stored, with another digest a
`conflict` that changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from django.db import IntegrityError, OperationalError
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from shared.pricing import CashRounding, PromotionBook, PromotionFormatError, ServiceCharge
from shared.protocol import (
    CashMovementV1,
    CustomerCreatedV1,
    ErrorV1,
    ItemResultV1,
    OrderRefundedV1,
    OrderV1,
    OrderVoidedV1,
    ShiftClosedV1,
    ShiftOpenedV1,
    SyncEventV1,
    WireModel,
    canonical_digest,
    error_from_validation,
)
from sync_server.catalog.models import Category, ModifierOption, OutletTaxRate, Product, TaxRate
from sync_server.common.errors import DATABASE_UNAVAILABLE, ItemRefused
from sync_server.common.services import insert_if_absent
from sync_server.common.tenancy import tenant_atomic
from sync_server.customers.models import Customer
from sync_server.customers.services import customer_create_from_terminal
from sync_server.devices.auth import Device
from sync_server.kitchen.services import (
    CatalogStations,
    KitchenLine,
    KitchenOrder,
    kitchen_lines_routed,
    kitchen_tickets_create_for_new_orders,
)
from sync_server.orders.models import Order, flags_text, flags_tuple
from sync_server.orders.services import (
    OrderEventRefused,
    OrderRows,
    order_refund,
    order_void,
    orders_store,
    stock_adjust,
)
from sync_server.promotions.models import Promotion
from sync_server.shifts.models import Shift, ShiftStatus
from sync_server.shifts.services import (
    ShiftEventRefused,
    cash_movement_add,
    shift_close,
    shift_ensure,
    shift_open,
    shift_recount,
)
from sync_server.sync.models import SyncEvent
from sync_server.sync.repricing import CatalogProduct, PricingRules, reprice_order, tax_rates_of
from sync_server.tenants.models import Outlet, Tenant

log = logging.getLogger("kiosk.sync")
T = TypeVar("T")

CLOCK_TOLERANCE: Final = timedelta(minutes=5)
EVENT_ADAPTER: Final[TypeAdapter[Any]] = TypeAdapter(SyncEventV1)


def _error(message: str, *, code: str, field: str | None = None) -> ErrorV1:
    return ErrorV1(error="rejected", message=message, field=field, code=code)


def _item_id(raw: Any, index: int) -> str:
    """The id a result is keyed by; an item without a readable id (not a UUID: too long, a lone
    surrogate, ...) is named by its position, so the answer never echoes arbitrary input."""
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        try:
            return str(uuid.UUID(raw["id"]))
        except ValueError:
            pass
    return f"#{index}"


def _rejected(item_id: str, error: ErrorV1) -> ItemResultV1:
    return ItemResultV1(id=item_id, status="rejected", error=error)


# --- orders ---------------------------------------------------------------------------------


@dataclass
class OrderBatchContext:
    """Everything a batch's orders need that does not change per order, read once."""

    tenant: Tenant
    device: Device
    outlet: Outlet
    received_at: datetime
    device_clock_offset: timedelta | None
    products: dict[uuid.UUID, CatalogProduct]
    rules: PricingRules
    shifts: dict[uuid.UUID, tuple[uuid.UUID, str]] = field(default_factory=dict)
    """shift id -> (terminal id, status) of shifts known to exist."""
    stationed_categories: frozenset[uuid.UUID] = frozenset()
    """Categories of the batch's lines that name a kitchen station."""
    stations: CatalogStations = field(default_factory=lambda: CatalogStations({}, {}))
    """The batch's products' and categories' stations, so routing reads nothing per order."""
    default_options: frozenset[uuid.UUID] = frozenset()
    """Chosen options that are their group's default (Regular): the cook needs no word of them."""


def _pricing_rules(tenant: Tenant, customer_ids: set[uuid.UUID]) -> PricingRules:
    engine_promotions = []
    for promotion in Promotion.objects.filter(is_active=True):
        try:
            engine_promotions.append(promotion.to_engine())
        except PromotionFormatError:
            log.warning("promotion %s has a malformed rule; not used for re-pricing", promotion.id)
    groups = dict(Customer.with_tombstones.filter(id__in=customer_ids).values_list("id", "group"))
    step = tenant.cash_rounding_step_minor
    outlet_rates: dict[uuid.UUID, dict[str, int]] = {}
    for outlet_id, tax_rate_id, rate_bp in OutletTaxRate.objects.values_list(
        "outlet_id", "tax_rate_id", "rate_bp"
    ):
        outlet_rates.setdefault(outlet_id, {})[str(tax_rate_id)] = rate_bp
    return PricingRules(
        time_zone=tenant.time_zone,
        tax_rates=tax_rates_of(
            TaxRate.with_tombstones.values_list("id", "name", "rate_bp", "inclusive")
        ),
        promotions=PromotionBook(engine_promotions),
        service_charge=(
            ServiceCharge(rate_bp=tenant.service_charge_bp, taxed=tenant.service_charge_taxed)
            if tenant.service_charge_bp
            else None
        ),
        cash_rounding=CashRounding(step_minor=step) if step else None,
        customer_groups=groups,
        outlet_rates=outlet_rates,
    )


def _batch_context(
    *,
    tenant: Tenant,
    device: Device,
    orders: Sequence[OrderV1],
    device_clock_offset: timedelta | None,
) -> OrderBatchContext:
    product_ids = {line.product_id for order in orders for line in order.lines if line.product_id}
    customer_ids = {order.customer_id for order in orders if order.customer_id}
    shift_ids = {order.shift_id for order in orders}
    option_ids = {
        modifier.option_id
        for order in orders
        for line in order.lines
        for modifier in line.modifiers
        if modifier.option_id
    }
    with tenant_atomic(tenant):
        outlet = Outlet.with_tombstones.get(id=device.outlet_id)
        products = {
            row["id"]: CatalogProduct(
                id=row["id"],
                price_minor=row["price_minor"],
                tax_rate_ids=(str(row["tax_rate_id"]),) if row["tax_rate_id"] else (),
                category_id=row["category_id"],
                track_stock=row["track_stock"],
                kitchen_station=row["kitchen_station"],
            )
            for row in Product.with_tombstones.filter(id__in=product_ids).values(
                "id", "price_minor", "tax_rate_id", "category_id", "track_stock", "kitchen_station"
            )
        }
        shifts = {
            row[0]: (row[1], row[2])
            for row in Shift.objects.filter(id__in=shift_ids).values_list(
                "id", "terminal_id", "status"
            )
        }
        rules = _pricing_rules(tenant, customer_ids)
        category_ids = {p.category_id for p in products.values() if p.category_id} | {
            line.category_id for order in orders for line in order.lines if line.category_id
        }
        category_stations = dict(
            Category.with_tombstones.filter(id__in=category_ids)
            .exclude(kitchen_station="")
            .values_list("id", "kitchen_station")
        )
        default_options = frozenset(
            ModifierOption.objects.filter(id__in=option_ids, is_default=True).values_list(
                "id", flat=True
            )
            if option_ids
            else ()
        )
    return OrderBatchContext(
        tenant=tenant,
        device=device,
        outlet=outlet,
        received_at=timezone.now(),
        device_clock_offset=device_clock_offset,
        products=products,
        rules=rules,
        shifts=shifts,
        stationed_categories=frozenset(category_stations),
        stations=CatalogStations(
            products={p.id: (p.kitchen_station, p.category_id) for p in products.values()},
            categories=category_stations,
        ),
        default_options=default_options,
    )


def _check_order(order: OrderV1, context: OrderBatchContext) -> ErrorV1 | None:
    """Refusals that no retry can fix: another terminal's order, foreign products, currency."""
    device = context.device
    if order.terminal_id != device.terminal_id:
        return _error(
            "the order names another terminal", code="wrong_terminal", field="terminal_id"
        )
    if order.outlet_id != device.outlet_id:
        return _error("the order names another outlet", code="wrong_outlet", field="outlet_id")
    if order.currency != context.tenant.currency:
        return _error(
            f"the tenant sells in {context.tenant.currency}",
            code="wrong_currency",
            field="currency",
        )
    for index, line in enumerate(order.lines):
        if line.product_id is not None and line.product_id not in context.products:
            return _error(
                "no such product in this tenant",
                code="unknown_product",
                field=f"lines.{index}.product_id",
            )
    known = context.shifts.get(order.shift_id)
    if known is not None and known[0] != device.terminal_id:
        return _error("the shift belongs to another terminal", code="wrong_shift", field="shift_id")
    return None


MAX_STORED_SKEW: Final = 2**31 - 1
"""Bound of `Order.clock_skew_seconds` (an IntegerField), in both directions."""


def _clock_flags(order: OrderV1, context: OrderBatchContext) -> tuple[list[str], int | None]:
    """A clock off by more than 5 minutes: from the request's `Date` header when the terminal
    sent one; otherwise only a sale dated in the future can prove it (offline sales are old)."""
    if context.device_clock_offset is not None:
        skew = context.device_clock_offset
    else:
        ahead = order.created_at - context.received_at
        skew = ahead if ahead > timedelta(0) else timedelta(0)
    # The column is a 32-bit integer: a clock off by more than ~68 years is stored at the bound
    # (still flagged) rather than failing the insert and losing the sale.
    seconds = max(-MAX_STORED_SKEW, min(MAX_STORED_SKEW, int(skew.total_seconds())))
    return (["clock_skew"] if abs(skew) > CLOCK_TOLERANCE else []), (seconds or None)


def _order_rows(
    order: OrderV1, context: OrderBatchContext, flags: list[str], digest: str, **extra: Any
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Column values of the order, its lines and its payments (see `orders_store`)."""
    tenant_id = context.tenant.id
    row = dict(
        id=order.id,
        tenant_id=tenant_id,
        outlet_id=order.outlet_id,
        terminal_id=order.terminal_id,
        shift_id=order.shift_id,
        receipt_number=order.receipt_number,
        cashier_id=order.cashier_id,
        customer_id=order.customer_id,
        customer_name=order.customer_name,
        table=order.table,
        note=order.note,
        currency=order.currency,
        ordered_at=order.created_at,
        received_at=context.received_at,
        subtotal_minor=order.subtotal_minor,
        discount_minor=order.discount_minor,
        service_charge_minor=order.service_charge_minor,
        tax_minor=order.tax_minor,
        rounding_minor=order.rounding_minor,
        total_minor=order.total_minor,
        flags=flags_text(flags),
        digest=digest,
        catalog_version=order.catalog_version,
        kitchen_printed_offline=order.kitchen_printed_offline,
        details=order.model_dump(
            mode="json", include={"manual_discount", "order_discounts", "tax_lines", "approvals"}
        ),
        **extra,
    )
    lines = [
        dict(
            id=line.id,
            tenant_id=tenant_id,
            order_id=order.id,
            position=position,
            product_id=line.product_id,
            category_id=line.category_id,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            unit_price_minor=line.unit_price_minor,
            gross_minor=line.gross_minor,
            discount_minor=line.discount_minor,
            net_minor=line.net_minor,
            tax_minor=line.tax_minor,
            total_minor=line.total_minor,
            modifiers=[m.model_dump(mode="json") for m in line.modifiers],
            discounts=[d.model_dump(mode="json") for d in line.discounts],
            taxes=[t.model_dump(mode="json") for t in line.taxes],
            manual_discount=(
                line.manual_discount.model_dump(mode="json") if line.manual_discount else None
            ),
            note=line.note,
            kitchen_station=line.kitchen_station or "",
        )
        for position, line in enumerate(order.lines)
    ]
    payments = [
        dict(
            id=payment.id,
            tenant_id=tenant_id,
            order_id=order.id,
            method=payment.method,
            amount_minor=payment.amount_minor,
            tendered_minor=payment.tendered_minor,
            change_minor=payment.change_minor,
            reference=payment.reference,
            paid_at=payment.paid_at,
        )
        for payment in order.payments
    ]
    return row, lines, payments


def _may_reach_the_kitchen(order: OrderV1, context: OrderBatchContext) -> bool:
    """Whether any line, its product or its category names a station, from what the batch read:
    a retail-only order skips the kitchen's own routing query. The kitchen decides the rest."""
    for line in order.lines:
        product = context.products.get(line.product_id) if line.product_id else None
        category_id = product.category_id if product else line.category_id
        if (
            line.kitchen_station
            or (product is not None and product.kitchen_station)
            or category_id in context.stationed_categories
        ):
            return True
    return False


def _kitchen_lines(order: OrderV1, context: OrderBatchContext) -> list[KitchenLine]:
    """Lines the kitchen prepares: those the terminal routed to a station, or whose product or
    category has one (resolved by the kitchen). Retail lines (bottled water) never make a ticket."""
    return kitchen_lines_routed(
        [
            KitchenLine(
                line_id=line.id,
                name=line.name,
                quantity=line.quantity,
                modifiers=tuple(
                    m.name for m in line.modifiers if m.option_id not in context.default_options
                ),
                note=line.note,
                station=line.kitchen_station or None,
                product_id=line.product_id,
                category_id=line.category_id,
            )
            for line in order.lines
        ],
        catalog=context.stations,
    )


def _stored_answer(
    item_id: uuid.UUID, digest: str, stored: Mapping[str, Any] | None
) -> ItemResultV1:
    """Answer for an id already stored: duplicate (same digest) or conflict (another one)."""
    if stored is None:  # the id exists, but under another tenant
        return _rejected(str(item_id), _error("this id is taken", code="id_taken", field="id"))
    if stored["digest"] == digest:
        return ItemResultV1(
            id=str(item_id),
            status="duplicate",
            flags=flags_tuple(stored["flags"]),
            received_at=stored["received_at"],
        )
    return ItemResultV1(
        id=str(item_id),
        status="conflict",
        error=ErrorV1(
            error="conflict",
            message="this id was stored with other content; nothing changed",
            field="id",
            code="conflict",
        ),
        flags=flags_tuple(stored["flags"]),
        received_at=stored["received_at"],
    )


def _stored_results(
    model: type[Order] | type[SyncEvent], digests: Mapping[uuid.UUID, str]
) -> dict[uuid.UUID, ItemResultV1]:
    """`_stored_answer` for many ids already stored, read in one query."""
    stored = {
        row["id"]: row
        for row in model.objects.filter(id__in=list(digests)).values(
            "id", "digest", "flags", "received_at"
        )
    }
    return {
        item_id: _stored_answer(item_id, digest, stored.get(item_id))
        for item_id, digest in digests.items()
    }


def _stored_result(
    model: type[Order] | type[SyncEvent], item_id: uuid.UUID, digest: str
) -> ItemResultV1:
    """Answer for an id already stored: duplicate (same digest) or conflict (another one)."""
    return _stored_results(model, {item_id: digest})[item_id]


@dataclass
class PreparedOrder:
    """An order checked and re-priced, with the rows to store: everything but the writes."""

    order: OrderV1
    digest: str
    flags: list[str]
    rows: OrderRows
    stock: dict[uuid.UUID, int]
    """Units per tracked product it takes out of the outlet's stock (negative)."""
    kitchen: KitchenOrder | None

    def mark_late(self) -> None:
        """Its shift was closed when it arrived: flag it (`_count_late` counts it there)."""
        if "late" not in self.flags:
            self.flags.append("late")
            self.rows.order["flags"] = flags_text(self.flags)  # type: ignore[index]

    def created(self, context: OrderBatchContext) -> ItemResultV1:
        """Its `created` answer, once stored; the batch's later orders then know its shift."""
        context.shifts.setdefault(
            self.order.shift_id,
            (self.order.terminal_id, ShiftStatus.CLOSED if "late" in self.flags else "open"),
        )
        return ItemResultV1(
            id=str(self.order.id),
            status="created",
            flags=tuple(sorted(set(self.flags))),
            received_at=context.received_at,
        )


def order_prepare(*, order: OrderV1, context: OrderBatchContext) -> PreparedOrder | ItemResultV1:
    """Check and re-price one order and build its rows; a refusal is its result. Reads
    nothing: the batch context holds the catalog, the rules and the known shifts."""
    digest = canonical_digest(order)
    refusal = _check_order(order, context)
    if refusal is not None:
        return _rejected(str(order.id), refusal)
    flags, skew_seconds = _clock_flags(order, context)
    price = reprice_order(order, rules=context.rules, products=context.products)
    flags += price.flags
    known_shift = context.shifts.get(order.shift_id)
    if known_shift is not None and known_shift[1] == ShiftStatus.CLOSED:
        flags.append("late")
    row, lines, payments = _order_rows(
        order,
        context,
        flags,
        digest,
        server_total_minor=price.server_total_minor,
        price_difference_minor=price.difference_minor,
        clock_skew_seconds=skew_seconds,
    )
    stock: dict[uuid.UUID, int] = {}
    for line in order.lines:
        product = context.products.get(line.product_id) if line.product_id else None
        if product is not None and product.track_stock:
            stock[product.id] = stock.get(product.id, 0) - line.quantity
    kitchen_lines = _kitchen_lines(order, context) if _may_reach_the_kitchen(order, context) else []
    kitchen = (
        KitchenOrder(
            order_id=order.id,
            receipt_number=order.receipt_number,
            lines=kitchen_lines,
            table=order.table,
            customer_name=order.customer_name,
            printed_offline=order.kitchen_printed_offline,
            ordered_at=order.created_at,
        )
        if kitchen_lines
        else None
    )
    return PreparedOrder(
        order=order,
        digest=digest,
        flags=flags,
        rows=OrderRows(order=row, lines=lines, payments=payments),
        stock=stock,
        kitchen=kitchen,
    )


def _ensure_unknown_shifts(prepared: Sequence[PreparedOrder], context: OrderBatchContext) -> None:
    """Make the provisional shifts the orders name before their `shift_opened` arrived (in
    the caller's transaction; raises ShiftEventRefused); orders of a closed one are late."""
    for order in prepared:
        shift_id = order.order.shift_id
        if shift_id in context.shifts:
            continue
        shift = shift_ensure(
            tenant=context.tenant,
            shift_id=shift_id,
            outlet_id=order.order.outlet_id,
            terminal_id=order.order.terminal_id,
            opened_at=order.order.created_at,
        )
        context.shifts[shift_id] = (shift.terminal_id, shift.status)
    for order in prepared:
        if context.shifts[order.order.shift_id][1] == ShiftStatus.CLOSED:
            order.mark_late()


def _count_late(prepared: Sequence[PreparedOrder], context: OrderBatchContext) -> None:
    """Count late orders on their closed shifts and recount the shifts' expected cash."""
    late: dict[uuid.UUID, int] = {}
    for order in prepared:
        if "late" in order.flags:
            late[order.order.shift_id] = late.get(order.order.shift_id, 0) + 1
    for shift_id, count in sorted(late.items()):
        shift = Shift.objects.select_for_update().get(id=shift_id)
        shift.late_order_count += count
        shift_recount(tenant=context.tenant, shift=shift)


def _sum_stock(prepared: Sequence[PreparedOrder]) -> dict[uuid.UUID, int]:
    total: dict[uuid.UUID, int] = {}
    for order in prepared:
        for product_id, delta in order.stock.items():
            total[product_id] = total.get(product_id, 0) + delta
    return total


def _store_in_one_transaction(
    prepared: Sequence[PreparedOrder], context: OrderBatchContext
) -> dict[uuid.UUID, ItemResultV1]:
    """Store prepared orders (ids distinct) in one transaction: provisional shifts, one
    statement for orders, lines and payments, one stock upsert, one run of kitchen tickets,
    late counts. Orders whose id is stored already get their duplicate/conflict answer.
    Raises whatever failed, with everything rolled back and `context.shifts` as before."""
    shifts_before = dict(context.shifts)
    try:
        with tenant_atomic(context.tenant):
            _ensure_unknown_shifts(prepared, context)
            stored = orders_store([item.rows for item in prepared])
            new = [item for item in prepared if item.order.id in stored]
            stock_adjust(
                tenant=context.tenant, outlet_id=context.outlet.id, changes=_sum_stock(new)
            )
            kitchen = [item.kitchen for item in new if item.kitchen is not None]
            if kitchen:
                kitchen_tickets_create_for_new_orders(
                    tenant=context.tenant, outlet=context.outlet, orders=kitchen
                )
            _count_late(new, context)
            answers = _stored_results(
                Order,
                {item.order.id: item.digest for item in prepared if item.order.id not in stored},
            )
    except BaseException:
        context.shifts.clear()
        context.shifts.update(shifts_before)  # what the rolled-back transaction made is gone
        raise
    answers.update({item.order.id: item.created(context) for item in new})
    return answers


def order_store_prepared(*, prepared: PreparedOrder, context: OrderBatchContext) -> ItemResultV1:
    """Store one prepared order with its lines, payments, stock and kitchen tickets in its
    own transaction (or nothing of it); a refusal the order itself caused is its answer."""
    order_id = prepared.order.id
    try:
        return _store_in_one_transaction([prepared], context)[order_id]
    except ShiftEventRefused as refused:
        return _rejected(
            str(order_id), _error(refused.message, code=refused.code, field="shift_id")
        )
    except IntegrityError as error:
        # A line or payment id that another order already uses: nothing of this order stays.
        log.info("order %s refused by a constraint: %s", order_id, error)
        return _rejected(
            str(order_id),
            _error(
                "a line or payment id is already used", code="duplicate_child_id", field="lines"
            ),
        )


def order_ingest(*, order: OrderV1, context: OrderBatchContext) -> ItemResultV1:
    """Store one validated order with its lines and payments in one transaction (or not)."""
    prepared = order_prepare(order=order, context=context)
    if isinstance(prepared, ItemResultV1):
        return prepared
    return order_store_prepared(prepared=prepared, context=context)


def _store_batch(
    prepared: Sequence[PreparedOrder], context: OrderBatchContext
) -> dict[uuid.UUID, ItemResultV1] | None:
    """Every prepared order of a batch in ONE transaction: one statement for the orders,
    their lines and payments, one stock upsert, one run of kitchen tickets, one commit, one
    nudge. None when anything fails (a child id taken, a refused shift, a deadlock, a bug):
    the transaction is rolled back whole and the caller ingests the orders again one by one
    (`order_ingest`, from the wire: a failed attempt may have flagged some late), so a bad
    order is still rejected alone. A terminal draining its backlog sends 100 at a time;
    order by order, the round trips and commits cost more than everything else together."""
    ids = [item.order.id for item in prepared]
    if len(set(ids)) != len(ids):
        return None  # one id twice in a batch: the careful path answers each copy
    try:
        return _store_in_one_transaction(prepared, context)
    except Exception as error:  # the careful path decides, item by item
        if isinstance(error, IntegrityError | OperationalError | ShiftEventRefused):
            log.info("batch of %d orders stored one by one: %r", len(prepared), error)
        else:  # a bug: every push would quietly pay twice, so say it loudly
            log.exception("batch of %d orders failed; stored one by one", len(prepared))
        return None


def order_batch_ingest(
    *,
    tenant: Tenant,
    device: Device,
    raw_orders: Sequence[Any],
    device_clock_offset: timedelta | None = None,
) -> list[ItemResultV1]:
    """One result per raw order, in the batch's order.

    Every order is validated, checked and re-priced on its own; the good ones are stored
    together (`_store_batch`), or one by one in their own transactions when that fails.
    """
    parsed: list[OrderV1 | ItemResultV1] = []
    for index, raw in enumerate(raw_orders):
        try:
            parsed.append(OrderV1.model_validate(raw))
        except ValidationError as error:
            parsed.append(
                _rejected(_item_id(raw, index), error_from_validation(error, error="rejected"))
            )
    valid = [item for item in parsed if isinstance(item, OrderV1)]
    if not valid:
        return [item for item in parsed if isinstance(item, ItemResultV1)]
    context = _batch_context(
        tenant=tenant, device=device, orders=valid, device_clock_offset=device_clock_offset
    )
    prepared: dict[int, PreparedOrder | ItemResultV1] = {
        index: _guarded(str(item.id), order_prepare, order=item, context=context)
        for index, item in enumerate(parsed)
        if isinstance(item, OrderV1)
    }
    ready = [item for item in prepared.values() if isinstance(item, PreparedOrder)]
    attempted = len(ready) > 1
    stored = _store_batch(ready, context) if attempted else None
    results: list[ItemResultV1] = []
    for index, item in enumerate(parsed):
        outcome = prepared.get(index)
        if outcome is None:
            assert isinstance(item, ItemResultV1)
            results.append(item)
        elif isinstance(outcome, ItemResultV1):
            results.append(outcome)
        elif stored is not None:
            results.append(stored[outcome.order.id])
        elif attempted:
            results.append(
                _guarded(str(outcome.order.id), order_ingest, order=outcome.order, context=context)
            )
        else:
            results.append(
                _guarded(
                    str(outcome.order.id), order_store_prepared, prepared=outcome, context=context
                )
            )
    return results


def _guarded(item_id: str, ingest: Callable[..., T], **kwargs: Any) -> T | ItemResultV1:
    """One item's ingest; a bug in it rejects that item (its transaction rolled back) instead
    of failing the batch, so the terminal flags it for a manager and the rest flow on.

    A database that is down, deadlocked or timed out is not the item's fault: that error
    goes up and the whole request is a 503 with Retry-After, so the terminal backs off and
    sends the batch again (what did commit comes back `duplicate`)."""
    try:
        return ingest(**kwargs)
    except DATABASE_UNAVAILABLE:
        raise
    except Exception:
        log.exception("ingest of %s failed", item_id)
        return _rejected(
            item_id, _error("the server could not store this item", code="server_error")
        )


# --- events ---------------------------------------------------------------------------------


def _apply_event(*, tenant: Tenant, device: Device, event: WireModel) -> None:
    """The event's effect; raises ShiftEventRefused, OrderEventRefused or CustomerEventRefused
    to reject it."""
    if isinstance(event, ShiftOpenedV1):
        if event.terminal_id != device.terminal_id or event.outlet_id != device.outlet_id:
            raise ShiftEventRefused(
                "the shift names another terminal", code="wrong_terminal", field="terminal_id"
            )
        shift_open(tenant=tenant, event=event)
    elif isinstance(event, CashMovementV1):
        cash_movement_add(
            tenant=tenant, event=event, outlet_id=device.outlet_id, terminal_id=device.terminal_id
        )
    elif isinstance(event, ShiftClosedV1):
        shift_close(
            tenant=tenant, event=event, outlet_id=device.outlet_id, terminal_id=device.terminal_id
        )
    elif isinstance(event, CustomerCreatedV1):
        customer_create_from_terminal(tenant=tenant, event=event)
    elif isinstance(event, OrderVoidedV1 | OrderRefundedV1):
        terminal_id = Order.objects.filter(id=event.order_id).values_list("terminal_id", flat=True)
        found = terminal_id.first()
        if found is not None and found != device.terminal_id:
            raise OrderEventRefused(
                "the order was sold on another terminal", code="wrong_terminal", field="order_id"
            )
        if isinstance(event, OrderVoidedV1):
            order = order_void(tenant=tenant, event=event)
        else:
            order = order_refund(tenant=tenant, event=event).order
        shift = Shift.objects.select_for_update().get(id=order.shift_id)
        if shift.status == ShiftStatus.CLOSED:
            shift_recount(tenant=tenant, shift=shift)


def event_ingest(*, tenant: Tenant, device: Device, event: Any) -> ItemResultV1:
    """Apply one validated event exactly once: its ledger row and its effect commit together."""
    digest = canonical_digest(event)
    received_at = timezone.now()
    try:
        with tenant_atomic(tenant):
            ledger = SyncEvent(
                id=event.id,
                tenant=tenant,
                terminal_id=device.terminal_id,
                kind=event.kind,
                digest=digest,
                received_at=received_at,
            )
            if not insert_if_absent(ledger):
                return _stored_result(SyncEvent, event.id, digest)
            _apply_event(tenant=tenant, device=device, event=event)
    except ItemRefused as refused:  # shift, order or customer event refused
        return _rejected(
            str(event.id), _error(refused.message, code=refused.code, field=refused.field)
        )
    except IntegrityError as error:
        log.info("event %s refused by a constraint: %s", event.id, error)
        return _rejected(
            str(event.id), _error("the event clashes with stored data", code="conflict_id")
        )
    return ItemResultV1(id=str(event.id), status="created", received_at=received_at)


def event_batch_ingest(
    *, tenant: Tenant, device: Device, raw_events: Sequence[Any]
) -> list[ItemResultV1]:
    """One result per raw event, in the batch's order."""
    results = []
    for index, raw in enumerate(raw_events):
        try:
            event = EVENT_ADAPTER.validate_python(raw)
        except ValidationError as error:
            results.append(
                _rejected(_item_id(raw, index), error_from_validation(error, error="rejected"))
            )
            continue
        results.append(
            _guarded(str(event.id), event_ingest, tenant=tenant, device=device, event=event)
        )
    return results
