"""Sync protocol v1: the typed wire payloads exchanged by terminals, kitchen screens and the cloud.

Every payload is defined once here and used by both ends. Rules that hold for all of them:

- Money is an integer count of the currency's minor unit (`*_minor`), strictly an int on the
  wire: `1.0`, `"1"` and `1e3` are refused. Percentages are basis points (`*_bp`).
- Every top-level payload carries `protocol_version`; a receiver refuses a version it does not
  speak instead of guessing.
- Models are frozen and refuse unknown fields, so a typo on either side is an error at once.
- Ids of orders, lines, payments and events are UUIDv7 made on the terminal; they are the
  idempotency keys of the ingest (see `canonical_digest`).

Endpoints (all JSON; errors are `ErrorV1`):

=================================================  =====================  =====================
endpoint                                           request                answer
=================================================  =====================  =====================
``POST /api/pair/``                                `PairRequestV1`        `PairResponseV1`
``POST /api/auth/token/refresh/``                  `TokenRefreshV1`       `TokenPairV1`
``POST /api/<tenant>/sync/orders/``                `OrderBatchV1`         `BatchResultV1`
``POST /api/<tenant>/sync/events/``                `EventBatchV1`         `BatchResultV1`
``GET  /api/<tenant>/sync/catalog/?since=&limit=``                        `CatalogPageV1`
=================================================  =====================  =====================

One module on purpose, though long: it is the protocol's specification, read top to bottom by
the authors of both ends; it holds small declarative models and their validators, no logic.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from shared.pricing.tenders import PaymentMethod

PROTOCOL_VERSION: Final = 1
MAX_BATCH_SIZE: Final = 200
MAX_LINES_PER_ORDER: Final = 500
MAX_CATALOG_PAGE: Final = 1000
MAX_MINOR: Final = 10**12
"""Largest absolute amount accepted on the wire: far above any real sale in any currency,
far below where a 64-bit column or a JavaScript number would overflow."""
MAX_BIGINT: Final = 2**63 - 1
"""Largest version or sequence number: what a PostgreSQL bigint column holds."""

MinorUnits = Annotated[int, Field(strict=True, ge=-MAX_MINOR, le=MAX_MINOR)]
NonNegativeMinor = Annotated[int, Field(strict=True, ge=0, le=MAX_MINOR)]
PositiveMinor = Annotated[int, Field(strict=True, gt=0, le=MAX_MINOR)]
BasisPoints = Annotated[int, Field(strict=True, ge=0, le=100_000)]
Quantity = Annotated[int, Field(strict=True, ge=1, le=100_000)]
Count = Annotated[int, Field(strict=True, ge=0, le=10**9)]
Version = Annotated[int, Field(strict=True, ge=0, le=MAX_BIGINT)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=1000)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
ReceiptNumber = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}-\d{6,}$")]

DeviceKind = Literal["terminal", "kitchen"]
Role = Literal["super_admin", "owner", "admin", "manager", "cashier", "kitchen"]
ApprovalAction = Literal[
    "line_discount", "order_discount", "void", "refund", "price_override", "open_drawer"
]
DiscountSource = Literal["promotion", "manual_line", "manual_order"]


class WireModel(BaseModel):
    """Base of every wire model: immutable, and unknown fields are an error, not ignored.

    Text must be storable and sendable: a NUL character (PostgreSQL's text cannot hold it) or
    a lone UTF-16 surrogate (UTF-8 cannot encode it) is a validation error naming the field,
    so the receiver refuses the item instead of failing to store or to answer it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_storable(cls, value: Any) -> Any:
        if not _storable(value):
            raise PydanticCustomError(
                "unstorable_text", "text must not contain NUL characters or lone surrogates"
            )
        return value


def _storable(value: Any) -> bool:
    """False if a string in `value` (or in its tuples) holds NUL or a lone surrogate."""
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, tuple | list):
        return all(_storable(item) for item in value)
    return True


class VersionedPayload(WireModel):
    """A top-level payload; the receiver checks the version before anything else."""

    protocol_version: Literal[1] = PROTOCOL_VERSION


def format_receipt_number(outlet_code: str, terminal_code: str, sequence: int) -> str:
    """`OUTLET-TERMINAL-000123`: unique per terminal, so two offline terminals never collide."""
    if sequence < 1:
        raise ValueError("receipt sequence starts at 1")
    return f"{_receipt_part(outlet_code)}-{_receipt_part(terminal_code)}-{sequence:06d}"


def _receipt_part(code: str) -> str:
    part = "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())
    if not part:
        raise ValueError(f"code {code!r} has no letters or digits for a receipt number")
    return part[:20]


def canonical_digest(payload: WireModel) -> str:
    """SHA-256 of the payload's canonical JSON: the ingest's notion of "same content".

    A replay of an order with the same id and the same digest is a duplicate; the same id with
    another digest is a conflict. Canonical means sorted keys and no insignificant white space,
    so the digest does not depend on field order or on which side serialised it.
    """
    body = json.dumps(
        payload.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# --- errors and results ---------------------------------------------------------------------


class ErrorV1(WireModel):
    """The one error shape of the whole API."""

    error: str
    message: str
    field: str | None = None
    code: str


def error_from_validation(
    exc: ValidationError, *, prefix: str = "", error: str = "validation_error"
) -> ErrorV1:
    """Turn pydantic's first complaint into the API's error shape, naming the field.

    `error` is the category: `validation_error` for a refused request, `rejected` for one
    refused item of a sync batch.
    """
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first.get("loc", ()))
    field = f"{prefix}.{location}".strip(".") if (prefix or location) else None
    return ErrorV1(
        error=error,
        message=_echoable(str(first.get("msg", "invalid value"))),
        field=_echoable(field) if field else None,
        code=str(first.get("type", "invalid")),
    )


def _echoable(text: str, limit: int = 300) -> str:
    """Refused input quoted in an error, made storable and sendable: NUL and lone surrogates
    as escapes, and no longer than `limit`."""
    text = text.replace("\x00", "\\x00")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")[:limit]


ItemStatus = Literal["created", "duplicate", "conflict", "rejected"]


class ItemResultV1(WireModel):
    """What the server did with one order or event of a batch.

    `created`: stored now. `duplicate`: the same id with the same content was stored before;
    this is the stored result. `conflict`: the same id was stored with other content; nothing
    changed. `rejected`: refused with `error`; nothing stored. Only `created` and `duplicate`
    acknowledge the item, so only they let a terminal delete its outbox row.
    """

    id: str
    status: ItemStatus
    error: ErrorV1 | None = None
    flags: tuple[str, ...] = ()
    received_at: AwareDatetime | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status in ("created", "duplicate")


class BatchResultV1(VersionedPayload):
    """One result per item of the batch, in the batch's order."""

    results: tuple[ItemResultV1, ...]


# --- orders ---------------------------------------------------------------------------------


class ModifierV1(WireModel):
    """A chosen modifier option (size, sugar, extra shot) with the price delta charged."""

    option_id: UUID | None = None
    group_name: Name
    name: Name
    price_delta_minor: MinorUnits = 0


class ManualDiscountV1(WireModel):
    """A discount keyed in by staff: percent in basis points or a fixed amount."""

    kind: Literal["percent", "fixed"]
    value: Annotated[int, Field(strict=True, ge=0, le=MAX_MINOR)]
    reason: Text = ""
    approved_by: UUID | None = None

    @model_validator(mode="after")
    def _percent_at_most_whole(self) -> ManualDiscountV1:
        if self.kind == "percent" and self.value > 10_000:
            raise ValueError("a percent discount is at most 10000 bp (100%)")
        return self


class AppliedDiscountV1(WireModel):
    """One discount as it landed on a line (or on the order), named for the receipt."""

    source: DiscountSource
    promotion_id: UUID | None = None
    name: Name
    amount_minor: NonNegativeMinor


class TaxLineV1(WireModel):
    """One tax on a line or on the order: which rate, on what base, how much."""

    tax_rate_id: UUID | None = None
    name: Name
    rate_bp: BasisPoints
    inclusive: bool
    base_minor: MinorUnits
    amount_minor: MinorUnits


class OrderLineV1(WireModel):
    """A sold line at the price the terminal charged, with how that price came about."""

    id: UUID
    product_id: UUID | None = None
    category_id: UUID | None = None
    sku: Annotated[str, StringConstraints(max_length=64)] = ""
    name: Name
    quantity: Quantity
    unit_price_minor: NonNegativeMinor
    modifiers: tuple[ModifierV1, ...] = ()
    note: Text = ""
    kitchen_station: Code | None = None
    manual_discount: ManualDiscountV1 | None = None
    discounts: tuple[AppliedDiscountV1, ...] = ()
    taxes: tuple[TaxLineV1, ...] = ()
    gross_minor: MinorUnits
    discount_minor: NonNegativeMinor = 0
    net_minor: MinorUnits
    tax_minor: MinorUnits = 0
    total_minor: MinorUnits

    @model_validator(mode="after")
    def _gross_fits(self) -> OrderLineV1:
        if line_gross_bound(self) > MAX_MINOR:
            raise PydanticCustomError(
                "too_large", "quantity times unit price (with modifiers) exceeds the money limit"
            )
        return self


def line_gross_bound(line: OrderLineV1) -> int:
    """The largest gross a line can be priced at: quantity times unit price plus modifiers."""
    deltas = sum(max(modifier.price_delta_minor, 0) for modifier in line.modifiers)
    return line.quantity * (line.unit_price_minor + deltas)


class PaymentV1(WireModel):
    """A payment: `amount_minor` is what it paid of the order; cash adds tendered and change."""

    id: UUID
    method: PaymentMethod
    amount_minor: PositiveMinor
    tendered_minor: NonNegativeMinor | None = None
    change_minor: NonNegativeMinor = 0
    reference: Annotated[str, StringConstraints(max_length=120)] = ""
    paid_at: AwareDatetime

    @model_validator(mode="after")
    def _change_is_from_tender(self) -> PaymentV1:
        if self.tendered_minor is not None and self.tendered_minor - self.change_minor != (
            self.amount_minor
        ):
            raise ValueError("tendered minus change must equal the amount paid")
        if self.tendered_minor is None and self.change_minor:
            raise ValueError("change without a tendered amount")
        return self


class ApprovalV1(WireModel):
    """A manager's approval recorded on the order (discount over threshold, void, refund)."""

    action: ApprovalAction
    approved_by: UUID
    at: AwareDatetime
    reason: Text = ""


class OrderV1(VersionedPayload):
    """A paid order as the terminal stored it; the unit of idempotent ingest."""

    id: UUID
    outlet_id: UUID
    terminal_id: UUID
    shift_id: UUID
    receipt_number: ReceiptNumber
    cashier_id: UUID | None = None
    customer_id: UUID | None = None
    customer_name: Annotated[str, StringConstraints(max_length=200)] = ""
    table: Annotated[str, StringConstraints(max_length=40)] = ""
    note: Text = ""
    created_at: AwareDatetime
    currency: CurrencyCode
    lines: Annotated[tuple[OrderLineV1, ...], Field(min_length=1, max_length=MAX_LINES_PER_ORDER)]
    manual_discount: ManualDiscountV1 | None = None
    order_discounts: tuple[AppliedDiscountV1, ...] = ()
    tax_lines: tuple[TaxLineV1, ...] = ()
    subtotal_minor: MinorUnits
    discount_minor: NonNegativeMinor = 0
    service_charge_minor: NonNegativeMinor = 0
    tax_minor: MinorUnits = 0
    rounding_minor: MinorUnits = 0
    total_minor: NonNegativeMinor
    payments: Annotated[tuple[PaymentV1, ...], Field(min_length=1, max_length=20)]
    approvals: tuple[ApprovalV1, ...] = ()
    catalog_version: Version = 0
    kitchen_printed_offline: bool = False

    @model_validator(mode="after")
    def _ids_unique_and_paid(self) -> OrderV1:
        line_ids = [line.id for line in self.lines]
        if len(set(line_ids)) != len(line_ids):
            raise ValueError("line ids must be unique within an order")
        payment_ids = [payment.id for payment in self.payments]
        if len(set(payment_ids)) != len(payment_ids):
            raise ValueError("payment ids must be unique within an order")
        if sum(payment.amount_minor for payment in self.payments) != self.total_minor:
            raise ValueError("payments must add up to the order total")
        if sum(line_gross_bound(line) for line in self.lines) > MAX_MINOR:
            raise PydanticCustomError(
                "too_large", "the lines' quantities times prices exceed the money limit"
            )
        return self


class TillStatusV1(WireModel):
    """What a till says of itself with each pushed batch, for the back office's sync health:
    sales and events still waiting in its outbox, items stuck for a manager, its app version,
    and, as its link heartbeat (`LinkStatusV1`) says them, its newest local sale and the
    catalog version it holds, so a till whose link is down still shows them. The last two
    came later: a till that omits them leaves what the server holds as it was."""

    pending_sales: Count = 0
    needs_attention: Count = 0
    app_version: Annotated[str, StringConstraints(max_length=40)] = ""
    last_sale_at: AwareDatetime | None = None
    catalog_version: Version = 0


class OrderBatchV1(VersionedPayload):
    """What a terminal pushes: up to `MAX_BATCH_SIZE` orders."""

    orders: Annotated[tuple[OrderV1, ...], Field(min_length=1, max_length=MAX_BATCH_SIZE)]
    till_status: TillStatusV1 | None = None


class BatchEnvelopeV1(VersionedPayload):
    """The server's first, lenient read of a batch: items are validated one by one afterwards,
    so one malformed order is rejected alone and never blocks the others."""

    orders: Annotated[list[Any], Field(max_length=MAX_BATCH_SIZE)] = []
    events: Annotated[list[Any], Field(max_length=MAX_BATCH_SIZE)] = []
    till_status: TillStatusV1 | None = None


# --- shift, void and refund events ----------------------------------------------------------


class DenominationCountV1(WireModel):
    """How many notes or coins of one value were counted in the drawer."""

    value_minor: PositiveMinor
    count: Count


class ShiftFiguresV1(WireModel):
    """The X/Z figures of a shift, as the terminal computed them with `shared.reports`.

    `net_sales_minor` excludes tax and service charge; `total_collected_minor` is net sales
    plus service, tax and rounding (payments taken less money refunded).
    """

    order_count: Count = 0
    gross_sales_minor: MinorUnits = 0
    discount_minor: MinorUnits = 0
    service_charge_minor: MinorUnits = 0
    tax_minor: MinorUnits = 0
    net_sales_minor: MinorUnits = 0
    refunds_minor: MinorUnits = 0
    void_count: Count = 0
    payments_by_method: dict[PaymentMethod, MinorUnits] = {}
    cash_in_minor: MinorUnits = 0
    cash_out_minor: MinorUnits = 0
    rounding_minor: MinorUnits = 0
    total_collected_minor: MinorUnits = 0


class ShiftOpenedV1(WireModel):
    kind: Literal["shift_opened"] = "shift_opened"
    id: UUID
    shift_id: UUID
    outlet_id: UUID
    terminal_id: UUID
    cashier_id: UUID | None = None
    at: AwareDatetime
    opening_float_minor: NonNegativeMinor


class CashMovementV1(WireModel):
    """Cash put into or taken out of the drawer during a shift, with the reason."""

    kind: Literal["cash_movement"] = "cash_movement"
    id: UUID
    shift_id: UUID
    direction: Literal["in", "out"]
    amount_minor: PositiveMinor
    reason: Text = ""
    cashier_id: UUID | None = None
    approved_by: UUID | None = None
    """The manager who approved it with their PIN (None from tills before approvals)."""
    at: AwareDatetime


class ShiftClosedV1(WireModel):
    """A closed shift: counted cash by denomination against what was expected."""

    kind: Literal["shift_closed"] = "shift_closed"
    id: UUID
    shift_id: UUID
    cashier_id: UUID | None = None
    at: AwareDatetime
    counted: tuple[DenominationCountV1, ...] = ()
    counted_cash_minor: NonNegativeMinor
    expected_cash_minor: MinorUnits
    difference_minor: MinorUnits
    figures: ShiftFiguresV1 = ShiftFiguresV1()

    @model_validator(mode="after")
    def _difference_adds_up(self) -> ShiftClosedV1:
        if self.counted and sum(d.value_minor * d.count for d in self.counted) != (
            self.counted_cash_minor
        ):
            raise ValueError("counted denominations must add up to counted_cash_minor")
        if self.counted_cash_minor - self.expected_cash_minor != self.difference_minor:
            raise ValueError("difference_minor must be counted minus expected")
        return self


class OrderVoidedV1(WireModel):
    """A whole order cancelled after payment, approved by a manager."""

    kind: Literal["order_voided"] = "order_voided"
    id: UUID
    order_id: UUID
    at: AwareDatetime
    reason: Name
    approved_by: UUID
    cashier_id: UUID | None = None


class RefundLineV1(WireModel):
    line_id: UUID
    quantity: Quantity
    amount_minor: PositiveMinor


class RefundPaymentV1(WireModel):
    method: PaymentMethod
    amount_minor: PositiveMinor
    reference: Annotated[str, StringConstraints(max_length=120)] = ""


class OrderRefundedV1(WireModel):
    """Money given back for some lines (or all of them), approved by a manager."""

    kind: Literal["order_refunded"] = "order_refunded"
    id: UUID
    order_id: UUID
    at: AwareDatetime
    reason: Name
    approved_by: UUID
    cashier_id: UUID | None = None
    lines: Annotated[tuple[RefundLineV1, ...], Field(min_length=1)]
    amount_minor: PositiveMinor
    payments: Annotated[tuple[RefundPaymentV1, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _amounts_add_up(self) -> OrderRefundedV1:
        if sum(line.amount_minor for line in self.lines) != self.amount_minor:
            raise ValueError("refund lines must add up to amount_minor")
        if sum(payment.amount_minor for payment in self.payments) != self.amount_minor:
            raise ValueError("refund payments must add up to amount_minor")
        return self


class CustomerCreatedV1(WireModel):
    """A customer a cashier created at a till, often offline: the cloud keeps the whole record
    (not only the name on an order) and its catalog feed hands it to the other tills."""

    kind: Literal["customer_created"] = "customer_created"
    id: UUID
    customer_id: UUID
    name: Name
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    at: AwareDatetime


SyncEventV1 = Annotated[
    ShiftOpenedV1
    | CashMovementV1
    | ShiftClosedV1
    | OrderVoidedV1
    | OrderRefundedV1
    | CustomerCreatedV1,
    Field(discriminator="kind"),
]


class EventBatchV1(VersionedPayload):
    """What a terminal pushes besides orders: shift, cash, void, refund and customer events."""

    events: Annotated[tuple[SyncEventV1, ...], Field(min_length=1, max_length=MAX_BATCH_SIZE)]
    till_status: TillStatusV1 | None = None


class EventEnvelopeV1(WireModel):
    """Wrapper to validate one event of a batch on its own (discriminated by `kind`)."""

    event: SyncEventV1


# --- pairing and tokens ---------------------------------------------------------------------


class PairRequestV1(VersionedPayload):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=32)]
    device_name: Annotated[str, StringConstraints(max_length=120)] = ""
    app_version: Annotated[str, StringConstraints(max_length=40)] = ""
    device_kind: DeviceKind | None = None
    """The kind of app asking; a code made for the other kind is refused and stays unspent."""


class PairResponseV1(VersionedPayload):
    """Device credentials: a long-lived refresh token bound to this terminal, tenant and outlet."""

    tenant_id: UUID
    tenant_slug: Code
    outlet_id: UUID
    outlet_code: Code
    terminal_id: UUID
    terminal_code: Code
    device_kind: DeviceKind
    access: str
    refresh: str
    server_time: AwareDatetime


class TokenRefreshV1(WireModel):
    refresh: str


class TokenPairV1(WireModel):
    access: str
    refresh: str


# --- catalog change feed --------------------------------------------------------------------

CatalogEntity = Literal[
    "tenant",
    "outlet",
    "category",
    "product",
    "modifier_group",
    "tax_rate",
    "promotion",
    "customer",
    "cashier",
]


class TenantSettingsV1(WireModel):
    id: UUID
    slug: Code
    name: Name
    currency: CurrencyCode
    time_zone: Annotated[str, StringConstraints(max_length=64)]
    locale: Annotated[str, StringConstraints(max_length=16)] = "en_US"
    prices_include_tax: bool = False
    service_charge_bp: BasisPoints = 0
    service_charge_taxed: bool = True
    cash_rounding_step_minor: NonNegativeMinor = 0
    approval_discount_threshold_bp: BasisPoints = 1000
    tax_id: Annotated[str, StringConstraints(max_length=64)] = ""
    address: Text = ""
    receipt_header: Text = ""
    receipt_footer: Text = ""
    receipt_logo_url: Annotated[str, StringConstraints(max_length=500)] = ""
    """Where a terminal of this tenant downloads the receipt logo (a PNG, device token
    required), relative to the server; "" when the business has none."""
    receipt_logo_sha256: Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{64})?$")] = ""
    """The logo's SHA-256: a till downloads it only when this differs from the one it keeps,
    and keeps only bytes that hash to it."""


class OutletV1(WireModel):
    id: UUID
    code: Code
    name: Name
    address: Text = ""
    default_station: Code | None = None
    ticket_amber_after_s: Count = 300
    ticket_red_after_s: Count = 600


class CategoryV1(WireModel):
    id: UUID
    name: Name
    colour: Annotated[str, StringConstraints(max_length=16)] = ""
    sort_order: int = 0
    kitchen_station: Code | None = None


class ModifierOptionV1(WireModel):
    id: UUID
    name: Name
    price_delta_minor: MinorUnits = 0
    is_default: bool = False


class ModifierGroupV1(WireModel):
    id: UUID
    name: Name
    min_select: Count = 0
    max_select: Count = 1
    options: tuple[ModifierOptionV1, ...] = ()


class OutletTaxRateV1(WireModel):
    """An outlet's own rate of a tax (PB1 is set per city: Jakarta 10%, another 5%)."""

    outlet_id: UUID
    rate_bp: BasisPoints


class TaxRateV1(WireModel):
    """A tax; `outlet_rates` are the outlets that charge another rate of it (none: every
    outlet charges `rate_bp`)."""

    id: UUID
    name: Name
    rate_bp: BasisPoints
    inclusive: bool = False
    outlet_rates: tuple[OutletTaxRateV1, ...] = ()

    def rate_bp_at(self, outlet_id: UUID | str | None) -> int:
        """The rate charged at this outlet: its own when it has one, the tax's otherwise."""
        for outlet_rate in self.outlet_rates:
            if outlet_id is not None and str(outlet_rate.outlet_id) == str(outlet_id):
                return outlet_rate.rate_bp
        return self.rate_bp


class ProductV1(WireModel):
    id: UUID
    category_id: UUID | None = None
    sku: Annotated[str, StringConstraints(max_length=64)] = ""
    barcode: Annotated[str, StringConstraints(max_length=64)] = ""
    name: Name
    price_minor: NonNegativeMinor
    tax_rate_ids: tuple[UUID, ...] = ()
    modifier_group_ids: tuple[UUID, ...] = ()
    kitchen_station: Code | None = None
    colour: Annotated[str, StringConstraints(max_length=16)] = ""
    image_url: Annotated[str, StringConstraints(max_length=500)] = ""
    active: bool = True
    track_stock: bool = False


class PromotionV1(WireModel):
    """A promotion; `rule` is `shared.pricing.promotion_to_dict` output, read back with
    `promotion_from_dict`, so the engine's own schema is the only definition of a rule."""

    id: UUID
    name: Name
    active: bool = True
    rule: dict[str, Any]


class CustomerV1(WireModel):
    id: UUID
    name: Name
    phone: Annotated[str, StringConstraints(max_length=40)] = ""
    email: Annotated[str, StringConstraints(max_length=200)] = ""
    group: Annotated[str, StringConstraints(max_length=40)] = ""
    loyalty_points: Count = 0


class CashierV1(WireModel):
    """A person who may sign in on this outlet's terminals offline, by PIN.

    `pin_hash` is Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 sha256>`; the terminal
    verifies it with hashlib, never sees the PIN itself.
    """

    id: UUID
    username: Annotated[str, StringConstraints(max_length=150)]
    display_name: Name
    role: Role
    pin_hash: Annotated[str, StringConstraints(max_length=256)] = ""
    outlet_id: UUID | None = None
    active: bool = True


CATALOG_ENTITY_MODELS: Final[dict[str, type[WireModel]]] = {
    "tenant": TenantSettingsV1,
    "outlet": OutletV1,
    "category": CategoryV1,
    "product": ProductV1,
    "modifier_group": ModifierGroupV1,
    "tax_rate": TaxRateV1,
    "promotion": PromotionV1,
    "customer": CustomerV1,
    "cashier": CashierV1,
}


class CatalogChangeV1(WireModel):
    """One changed row. A tombstone (`deleted`) has no `data`; anything else has it."""

    entity: CatalogEntity
    id: UUID
    version: Version
    deleted: bool = False
    data: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _data_matches_deleted(self) -> CatalogChangeV1:
        if self.deleted and self.data is not None:
            raise ValueError("a tombstone carries no data")
        if not self.deleted and self.data is None:
            raise ValueError("a live row carries its data")
        return self

    def typed_data(self) -> WireModel:
        """The row as its entity's model (raises pydantic.ValidationError if malformed)."""
        if self.data is None:
            raise ValueError(f"{self.entity} {self.id} is a tombstone")
        return CATALOG_ENTITY_MODELS[self.entity].model_validate(self.data)


class CatalogPageV1(VersionedPayload):
    """A page of the change feed. Ask again with `since=next_cursor` while `has_more`.

    The cursor is opaque to terminals. `catalog_version` is the highest version the terminal
    has seen once it applied this page, shown in its status and sent with orders.
    """

    changes: tuple[CatalogChangeV1, ...]
    next_cursor: Annotated[str, StringConstraints(max_length=200)]
    has_more: bool
    catalog_version: Version


# --- kitchen --------------------------------------------------------------------------------

TicketStatus = Literal["new", "started", "done", "cancelled"]


class KitchenItemV1(WireModel):
    line_id: UUID
    name: Name
    quantity: Quantity
    modifiers: tuple[str, ...] = ()
    note: Text = ""
    done: bool = False
    cancelled_quantity: Count = 0


class KitchenTicketV1(WireModel):
    """A ticket for one station, with its per-outlet sequence number for gap-free replay."""

    id: UUID
    order_id: UUID
    outlet_id: UUID
    station: Code
    sequence: Annotated[int, Field(strict=True, ge=1)]
    receipt_number: ReceiptNumber
    table: Annotated[str, StringConstraints(max_length=40)] = ""
    customer_name: Annotated[str, StringConstraints(max_length=200)] = ""
    status: TicketStatus = "new"
    items: tuple[KitchenItemV1, ...]
    already_printed: bool = False
    created_at: AwareDatetime
    started_at: datetime | None = None
    done_at: datetime | None = None
    ordered_at: AwareDatetime | None = None
    """When the order was rung up at the till; `created_at` is when the ticket was made, later
    for a sale synced after an outage. Screens time tickets from the sale. None: unknown."""


class OrderReadyV1(VersionedPayload):
    """Told to the terminal that sold an order once every station bumped it."""

    order_id: UUID
    receipt_number: ReceiptNumber
    ready_at: AwareDatetime


# --- kitchen WebSocket messages -------------------------------------------------------------
# Socket: /ws/<tenant_slug>/kitchen/<outlet_id>/?station=<code> with the device's or a
# kitchen user's access token in the `Authorization: Bearer` header (or `?token=` where a
# client cannot set headers). The screen says `hello` with the last sequence it saw; the
# server answers with every ticket after it, then `caught_up`, then live `ticket` messages.
# Actions carry a `request_id` and are idempotent: repeating one changes nothing twice.
# A screen revoked, paired again or of a suspended business gets `device_revoked`, then the
# socket closes with 4401.

KitchenAction = Literal["start", "bump", "recall", "bump_item"]


class KitchenHelloV1(VersionedPayload):
    type: Literal["hello"] = "hello"
    last_sequence: Annotated[int, Field(strict=True, ge=0, le=MAX_BIGINT)] = 0


class KitchenActionV1(VersionedPayload):
    """A cook's action on a ticket. `recall` without ticket_id undoes the station's last bump."""

    type: Literal["action"] = "action"
    request_id: UUID
    action: KitchenAction
    ticket_id: UUID | None = None
    line_id: UUID | None = None


class KitchenTicketMessageV1(VersionedPayload):
    """A ticket, new or changed (started, bumped, recalled, items cancelled by a void)."""

    type: Literal["ticket"] = "ticket"
    ticket: KitchenTicketV1


class KitchenCaughtUpV1(VersionedPayload):
    """Replay after `hello` is complete; `sequence` is the highest the screen now has."""

    type: Literal["caught_up"] = "caught_up"
    sequence: Annotated[int, Field(strict=True, ge=0)]


class KitchenAckV1(VersionedPayload):
    """The answer to one action: the ticket as it now stands, or the error."""

    type: Literal["ack"] = "ack"
    request_id: UUID
    ticket: KitchenTicketV1 | None = None
    error: ErrorV1 | None = None


KitchenRevokeReason = Literal["revoked", "repaired", "suspended"]


class KitchenRevokedV1(VersionedPayload):
    """This screen's credentials no longer count: revoked in the back office, its terminal paired
    again, or its business suspended. The server closes the socket after it (code 4401); only
    pairing again (or the business resumed) helps, so the screen stops reconnecting quickly."""

    type: Literal["device_revoked"] = "device_revoked"
    reason: KitchenRevokeReason


KitchenServerMessageV1 = Annotated[
    KitchenTicketMessageV1 | KitchenCaughtUpV1 | KitchenAckV1, Field(discriminator="type")
]
"""What the board takes in."""
KitchenSocketMessageV1 = Annotated[
    KitchenTicketMessageV1 | KitchenCaughtUpV1 | KitchenAckV1 | KitchenRevokedV1,
    Field(discriminator="type"),
]
"""Everything the server sends on the kitchen socket: the board's messages and the revocation."""
KitchenClientMessageV1 = Annotated[KitchenHelloV1 | KitchenActionV1, Field(discriminator="type")]
