"""Taxes and service charge in basis points, inclusive or exclusive, split exactly per line.

Per line, the taxes of one kind (included in the price, or added on top) are
rounded once, half-up, as a combined amount and then split across the rates by
largest remainder. That keeps the line exact (base + included tax == price) and
makes inclusive and exclusive pricing round-trip: a base B taxed on top to
B + T, read back as an inclusive price, gives B and T again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from shared.money import InvalidValueError
from shared.rounding import BASIS_POINTS, RoundingRule, allocate, divide, percent_of

MAX_RATE_BP = 10 * BASIS_POINTS
"""A tax or service charge above 1000% is a typo, not a rate."""


_TRAILING_PERCENT = re.compile(r"\s*\d+(?:[.,]\d+)?\s*%\s*$")


def percent_text(rate_bp: int) -> str:
    """Basis points as a short percent without floats: 1000 -> '10%', 1250 -> '12.5%'."""
    whole, rest = divmod(rate_bp, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"


def tax_label(name: str, rate_bp: int) -> str:
    """A tax as a receipt, screen or report names it: `PB1 10%`, the rate said once.

    A name that already ends in a percent (`PPN 11%`) is not given a second one; the rate
    shown is the one charged, so `PB1 10%` overridden to 5% at an outlet reads `PB1 5%`.
    """
    base = _TRAILING_PERCENT.sub("", name).strip()
    rate = percent_text(rate_bp)
    return f"{base} {rate}" if base else rate


class TaxConfigError(InvalidValueError):
    """A tax rate or service charge setting is not valid."""


@dataclass(frozen=True, slots=True)
class TaxRate:
    """A named tax, e.g. PB1 10% (1000 bp) included in menu prices."""

    rate_id: str
    name: str
    rate_bp: int
    inclusive: bool = False

    def __post_init__(self) -> None:
        _check_text(self.rate_id, "rate_id")
        _check_text(self.name, "name")
        _check_rate(self.rate_bp, "rate_bp")
        _check_flag(self.inclusive, "inclusive")


@dataclass(frozen=True, slots=True)
class ServiceCharge:
    """A service charge in bp on the pre-tax net, added before tax.

    taxed: whether the order's taxes also apply to the service charge (Indonesian
    practice, PB1 on food plus service, so on by default).
    """

    rate_bp: int
    taxed: bool = True
    name: str = "Service charge"

    def __post_init__(self) -> None:
        _check_rate(self.rate_bp, "rate_bp")
        _check_text(self.name, "name")
        _check_flag(self.taxed, "taxed")


@dataclass(frozen=True, slots=True)
class AppliedTax:
    """One tax on one line: which rate, on what base, how much."""

    rate_id: str
    name: str
    rate_bp: int
    inclusive: bool
    """True when the amount is inside the price, False when added on top."""
    base_minor: int
    amount_minor: int
    on_service_charge: bool = False
    """True for tax on the line's share of the service charge (always added on top)."""


@dataclass(frozen=True, slots=True)
class LineTaxes:
    """Taxes of one amount: its tax-exclusive base, the taxes, what is inside and on top."""

    base_minor: int
    taxes: tuple[AppliedTax, ...]
    included_minor: int
    added_minor: int


@dataclass(frozen=True, slots=True)
class TaxTotal:
    """One rate's total over an order (sum of its AppliedTax rows)."""

    rate_id: str
    name: str
    rate_bp: int
    inclusive: bool
    base_minor: int
    amount_minor: int


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Any, ...]:
    """The slot setters of a frozen, slotted, unvalidated dataclass, for building its results fast.

    The engine makes hundreds of result records per cart; a frozen dataclass __init__
    goes through object.__setattr__ per field. Setting the slots directly makes the same
    object. Refuses (at import) a class whose fields differ from names or that validates
    in __post_init__, so the fast path can never skip a check or a field.
    """
    if tuple(item.name for item in fields(cls)) != names or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} changed: update its fast builder")
    return tuple(getattr(cls, name).__set__ for name in names)


_new = object.__new__
(
    _set_tax_rate_id,
    _set_tax_name,
    _set_tax_rate_bp,
    _set_tax_inclusive,
    _set_tax_base,
    _set_tax_amount,
    _set_tax_on_service_charge,
) = _slot_setters(
    AppliedTax,
    (
        "rate_id",
        "name",
        "rate_bp",
        "inclusive",
        "base_minor",
        "amount_minor",
        "on_service_charge",
    ),
)
_set_lt_base, _set_lt_taxes, _set_lt_included, _set_lt_added = _slot_setters(
    LineTaxes, ("base_minor", "taxes", "included_minor", "added_minor")
)


def _applied_tax(
    rate: TaxRate, inclusive: bool, base_minor: int, amount_minor: int, on_service_charge: bool
) -> AppliedTax:
    """AppliedTax(rate.rate_id, rate.name, rate.rate_bp, inclusive, ...), built fast."""
    tax = _new(AppliedTax)
    _set_tax_rate_id(tax, rate.rate_id)
    _set_tax_name(tax, rate.name)
    _set_tax_rate_bp(tax, rate.rate_bp)
    _set_tax_inclusive(tax, inclusive)
    _set_tax_base(tax, base_minor)
    _set_tax_amount(tax, amount_minor)
    _set_tax_on_service_charge(tax, on_service_charge)
    return tax


def _line_taxes(
    base_minor: int, taxes: tuple[AppliedTax, ...], included_minor: int, added_minor: int
) -> LineTaxes:
    """LineTaxes(base_minor, taxes, included_minor, added_minor), built fast."""
    line_taxes = _new(LineTaxes)
    _set_lt_base(line_taxes, base_minor)
    _set_lt_taxes(line_taxes, taxes)
    _set_lt_included(line_taxes, included_minor)
    _set_lt_added(line_taxes, added_minor)
    return line_taxes


def _check_text(value: object, field: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise TaxConfigError(f"{field} must be non-empty text", field=field, code="required")


def _check_flag(value: object, field: str) -> None:
    if not isinstance(value, bool):
        raise TaxConfigError(f"{field} must be true or false", field=field)


def _check_rate(value: object, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TaxConfigError(f"{field} must be an int of basis points", field=field)
    if not 0 <= value <= MAX_RATE_BP:
        raise TaxConfigError(
            f"{field} must be between 0 and {MAX_RATE_BP} bp, got {value}",
            field=field,
            code="out_of_range",
        )


def _split(
    total_minor: int,
    rates: Sequence[TaxRate],
    base_minor: int,
    *,
    inclusive: bool,
    on_service_charge: bool,
) -> list[AppliedTax]:
    if not rates:
        return []
    if len(rates) == 1:
        return [_applied_tax(rates[0], inclusive, base_minor, total_minor, on_service_charge)]
    weights = [rate.rate_bp for rate in rates]
    parts = allocate(total_minor, weights) if any(weights) else [0] * len(rates)
    return [
        _applied_tax(rate, inclusive, base_minor, part, on_service_charge)
        for rate, part in zip(rates, parts, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class TaxPlan:
    """A line's rates sorted and summed once; every line with the same rates shares one."""

    inclusive: tuple[TaxRate, ...]
    exclusive: tuple[TaxRate, ...]
    every: tuple[TaxRate, ...]
    inclusive_bp: int
    exclusive_bp: int
    every_bp: int

    @classmethod
    def of(cls, rates: Iterable[TaxRate]) -> TaxPlan:
        """The plan for these rates (order does not matter: they are sorted by rate_id)."""
        every = tuple(sorted(rates, key=lambda rate: rate.rate_id))
        inclusive = tuple(rate for rate in every if rate.inclusive)
        exclusive = tuple(rate for rate in every if not rate.inclusive)
        return cls(
            inclusive=inclusive,
            exclusive=exclusive,
            every=every,
            inclusive_bp=sum(rate.rate_bp for rate in inclusive),
            exclusive_bp=sum(rate.rate_bp for rate in exclusive),
            every_bp=sum(rate.rate_bp for rate in every),
        )

    def on_amount(self, amount_minor: int) -> LineTaxes:
        """Taxes of a line whose price (after discounts) is amount_minor.

        Inclusive rates are taken out first (base = amount / (1 + their sum), half-up);
        exclusive rates are then added on that base.
        """
        if not self.every:
            return LineTaxes(amount_minor, (), 0, 0)
        base_minor = divide(
            amount_minor * BASIS_POINTS, BASIS_POINTS + self.inclusive_bp, RoundingRule.HALF_UP
        )
        included_minor = amount_minor - base_minor
        added_minor = percent_of(base_minor, self.exclusive_bp)
        taxes = _split(
            included_minor, self.inclusive, base_minor, inclusive=True, on_service_charge=False
        ) + _split(
            added_minor, self.exclusive, base_minor, inclusive=False, on_service_charge=False
        )
        return _line_taxes(base_minor, tuple(taxes), included_minor, added_minor)

    def on_service_charge(self, service_charge_minor: int) -> LineTaxes:
        """Taxes on a line's share of the service charge: every rate is added on top of it."""
        added_minor = percent_of(service_charge_minor, self.every_bp)
        taxes = _split(
            added_minor, self.every, service_charge_minor, inclusive=False, on_service_charge=True
        )
        return _line_taxes(service_charge_minor, tuple(taxes), 0, added_minor)


def tax_amount(amount_minor: int, rates: Iterable[TaxRate]) -> LineTaxes:
    """Taxes of a line whose price (after discounts) is amount_minor (see TaxPlan.on_amount)."""
    return TaxPlan.of(rates).on_amount(amount_minor)


def tax_service_charge(service_charge_minor: int, rates: Iterable[TaxRate]) -> LineTaxes:
    """Taxes on a line's share of the service charge: every rate is added on top of it."""
    return TaxPlan.of(rates).on_service_charge(service_charge_minor)


def service_charge_shares(bases_minor: Sequence[int], service_charge: ServiceCharge) -> list[int]:
    """The order's service charge (rounded once, half-up) split over line bases exactly."""
    total_minor = percent_of(sum(bases_minor), service_charge.rate_bp)
    if total_minor == 0:
        return [0] * len(bases_minor)
    return allocate(total_minor, list(bases_minor))


def total_by_rate(taxes: Iterable[AppliedTax]) -> tuple[TaxTotal, ...]:
    """Order-level tax breakdown: one row per (rate, inclusive) with summed base and amount."""
    totals: dict[tuple[str, bool], list[Any]] = {}
    for tax in taxes:
        key = (tax.rate_id, tax.inclusive)
        row = totals.setdefault(key, [tax.name, tax.rate_bp, 0, 0])
        row[2] += tax.base_minor
        row[3] += tax.amount_minor
    return tuple(
        TaxTotal(rate_id, name, rate_bp, inclusive, base_minor, amount_minor)
        for (rate_id, inclusive), (name, rate_bp, base_minor, amount_minor) in sorted(
            totals.items()
        )
    )


def _check_object(data: object, what: str, *, required: tuple[str, ...]) -> None:
    """Refuse JSON that is not an object or lacks a required field, naming the field."""
    if not isinstance(data, Mapping):
        raise TaxConfigError(f"{what} must be an object", field=None, code="not_object")
    for field in required:
        if field not in data:
            raise TaxConfigError(f"{field} is required", field=field, code="required")


def tax_rate_to_dict(rate: TaxRate) -> dict[str, Any]:
    """A tax rate as plain JSON-able data."""
    return {
        "rate_id": rate.rate_id,
        "name": rate.name,
        "rate_bp": rate.rate_bp,
        "inclusive": rate.inclusive,
    }


def tax_rate_from_dict(data: Mapping[str, Any]) -> TaxRate:
    """A tax rate from JSON data; TaxConfigError names the bad field."""
    _check_object(data, "tax rate", required=("rate_id", "name", "rate_bp"))
    return TaxRate(
        rate_id=data["rate_id"],
        name=data["name"],
        rate_bp=data["rate_bp"],
        inclusive=data.get("inclusive", False),
    )


def service_charge_to_dict(service_charge: ServiceCharge) -> dict[str, Any]:
    """A service charge setting as plain JSON-able data."""
    return {
        "rate_bp": service_charge.rate_bp,
        "taxed": service_charge.taxed,
        "name": service_charge.name,
    }


def service_charge_from_dict(data: Mapping[str, Any]) -> ServiceCharge:
    """A service charge setting from JSON data; TaxConfigError names the bad field."""
    _check_object(data, "service charge", required=("rate_bp",))
    return ServiceCharge(
        rate_bp=data["rate_bp"],
        taxed=data.get("taxed", True),
        name=data.get("name", "Service charge"),
    )
