"""Idempotent ingest of order and event batches from paired terminals.

Every item is validated on its own and stored in its own `tenant_atomic` transaction, so one
bad item never blocks the others. The item's id is the idempotency key, enforced by the
database (INSERT ... ON CONFLICT DO NOTHING): the same id with the same `canonical_digest` is a
`duplicate` answered from what was stored, with another digest a `conflict` that changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from django.db import IntegrityError
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from shared.pricing import CashRounding, PromotionBook, PromotionFormatError, ServiceCharge
from shared.protocol import (
    CashMovementV1,
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
from sync_server.catalog.models import Category, Product, TaxRate
from sync_server.common.tenancy import tenant_atomic
from sync_server.customers.models import Customer
from sync_server.devices.auth import Device
from sync_server.kitchen.services import (
    CatalogStations,
    KitchenLine,
    kitchen_lines_routed,
    kitchen_tickets_create_for_order,
)
from sync_server.orders.models import Order, flags_text, flags_tuple
from sync_server.orders.services import (
    OrderEventRefused,
    insert_if_absent,
    order_refund,
    order_store,
    order_void,
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

CLOCK_TOLERANCE: Final = timedelta(minutes=5)
EVENT_ADAPTER: Final[TypeAdapter[Any]] = TypeAdapter(SyncEventV1)


def _error(message: str, *, code: str, field: str | None = None) -> ErrorV1:
    return ErrorV1(error="rejected", message=message, field=field, code=code)


def _item_id(raw: Any, index: int) -> str:
    """The id a result is keyed by; an item without a readable id is named by its position."""
    if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
        return str(raw["id"]).lower()
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


def _pricing_rules(tenant: Tenant, customer_ids: set[uuid.UUID]) -> PricingRules:
    engine_promotions = []
    for promotion in Promotion.objects.filter(is_active=True):
        try:
            engine_promotions.append(promotion.to_engine())
        except PromotionFormatError:
            log.warning("promotion %s has a malformed rule; not used for re-pricing", promotion.id)
    groups = dict(Customer.with_tombstones.filter(id__in=customer_ids).values_list("id", "group"))
    step = tenant.cash_rounding_step_minor
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
    """Column values of the order, its lines and its payments (see `order_store`)."""
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
                modifiers=tuple(m.name for m in line.modifiers),
                note=line.note,
                station=line.kitchen_station or None,
                product_id=line.product_id,
                category_id=line.category_id,
            )
            for line in order.lines
        ],
        catalog=context.stations,
    )


def _stored_result(model: type[Order] | type[SyncEvent], item_id: uuid.UUID, digest: str) -> Any:
    """Answer for an id already stored: duplicate (same digest) or conflict (another one)."""
    stored = model.objects.filter(id=item_id).values("digest", "flags", "received_at").first()
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


def order_ingest(*, order: OrderV1, context: OrderBatchContext) -> ItemResultV1:
    """Store one validated order with its lines and payments in one transaction (or not)."""
    tenant = context.tenant
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
    try:
        with tenant_atomic(tenant):
            if known_shift is None:
                shift = shift_ensure(
                    tenant=tenant,
                    shift_id=order.shift_id,
                    outlet_id=order.outlet_id,
                    terminal_id=order.terminal_id,
                    opened_at=order.created_at,
                )
                if shift.status == ShiftStatus.CLOSED:
                    flags.append("late")
                    row["flags"] = flags_text(flags)
            if not order_store(order=row, lines=lines, payments=payments):
                return _stored_result(Order, order.id, digest)  # type: ignore[no-any-return]
            tracked: dict[uuid.UUID, int] = {}
            for line in order.lines:
                product = context.products.get(line.product_id) if line.product_id else None
                if product is not None and product.track_stock:
                    tracked[product.id] = tracked.get(product.id, 0) - line.quantity
            stock_adjust(tenant=tenant, outlet_id=order.outlet_id, changes=tracked)
            kitchen_lines = (
                _kitchen_lines(order, context) if _may_reach_the_kitchen(order, context) else []
            )
            if kitchen_lines:
                kitchen_tickets_create_for_order(
                    tenant=tenant,
                    outlet=context.outlet,
                    order_id=order.id,
                    receipt_number=order.receipt_number,
                    table=order.table,
                    customer_name=order.customer_name,
                    lines=kitchen_lines,
                    printed_offline=order.kitchen_printed_offline,
                    order_is_new=True,  # order_store has just inserted it
                )
            if "late" in flags:
                late_shift = Shift.objects.select_for_update().get(id=order.shift_id)
                late_shift.late_order_count += 1
                shift_recount(tenant=tenant, shift=late_shift)
    except ShiftEventRefused as refused:
        return _rejected(
            str(order.id), _error(refused.message, code=refused.code, field="shift_id")
        )
    except IntegrityError as error:
        # A line or payment id that another order already uses: nothing of this order stays.
        log.info("order %s refused by a constraint: %s", order.id, error)
        return _rejected(
            str(order.id),
            _error(
                "a line or payment id is already used", code="duplicate_child_id", field="lines"
            ),
        )
    context.shifts.setdefault(
        order.shift_id, (order.terminal_id, ShiftStatus.CLOSED if "late" in flags else "open")
    )
    return ItemResultV1(
        id=str(order.id),
        status="created",
        flags=tuple(sorted(set(flags))),
        received_at=context.received_at,
    )


def order_batch_ingest(
    *,
    tenant: Tenant,
    device: Device,
    raw_orders: Sequence[Any],
    device_clock_offset: timedelta | None = None,
) -> list[ItemResultV1]:
    """One result per raw order, in the batch's order."""
    parsed: list[OrderV1 | ItemResultV1] = []
    for index, raw in enumerate(raw_orders):
        try:
            parsed.append(OrderV1.model_validate(raw))
        except ValidationError as error:
            parsed.append(_rejected(_item_id(raw, index), error_from_validation(error)))
    valid = [item for item in parsed if isinstance(item, OrderV1)]
    if not valid:
        return [item for item in parsed if isinstance(item, ItemResultV1)]
    context = _batch_context(
        tenant=tenant, device=device, orders=valid, device_clock_offset=device_clock_offset
    )
    return [
        _guarded(str(item.id), order_ingest, order=item, context=context)
        if isinstance(item, OrderV1)
        else item
        for item in parsed
    ]


def _guarded(item_id: str, ingest: Callable[..., ItemResultV1], **kwargs: Any) -> ItemResultV1:
    """One item's ingest; a bug in it rejects that item (its transaction rolled back) instead
    of failing the batch, so the terminal flags it for a manager and the rest flow on."""
    try:
        return ingest(**kwargs)
    except Exception:
        log.exception("ingest of %s failed", item_id)
        return _rejected(
            item_id, _error("the server could not store this item", code="server_error")
        )


# --- events ---------------------------------------------------------------------------------


def _apply_event(*, tenant: Tenant, device: Device, event: WireModel) -> None:
    """The event's effect; raises ShiftEventRefused or OrderEventRefused to reject it."""
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
                return _stored_result(SyncEvent, event.id, digest)  # type: ignore[no-any-return]
            _apply_event(tenant=tenant, device=device, event=event)
    except (ShiftEventRefused, OrderEventRefused) as refused:
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
            results.append(_rejected(_item_id(raw, index), error_from_validation(error)))
            continue
        results.append(
            _guarded(str(event.id), event_ingest, tenant=tenant, device=device, event=event)
        )
    return results
