"""Stored orders and refunds as `shared.reports` records: one reading for rollups and recounts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.reports import RefundRecord, SaleTax, refund_tax_minor


def order_tax_lines(
    details: Mapping[str, Any] | None, *, tax_minor: int, prices_include_tax: bool
) -> list[Mapping[str, Any]]:
    """The order's tax lines as stored (`TaxLineV1` as JSON). A till that sent no per-rate
    breakdown: one line of the order's tax, included in prices or added on top as the
    tenant's prices are."""
    tax_lines: list[Mapping[str, Any]] = list((details or {}).get("tax_lines") or [])
    if not tax_lines and tax_minor:
        tax_lines = [
            {
                "name": "Tax",
                "rate_bp": 0,
                "inclusive": prices_include_tax,
                "amount_minor": tax_minor,
            }
        ]
    return tax_lines


def sale_taxes_of(tax_lines: Iterable[Mapping[str, Any]]) -> tuple[SaleTax, ...]:
    return tuple(
        SaleTax(
            name=str(tax["name"]),
            rate_bp=int(tax["rate_bp"]),
            inclusive=bool(tax["inclusive"]),
            amount_minor=int(tax["amount_minor"]),
        )
        for tax in tax_lines
    )


def refund_paid_back(payments: list[Mapping[str, Any]] | None, amount_minor: int) -> list[Any]:
    """How a refund was paid back: its payments, or all in cash when the till named none."""
    return list(payments or [{"method": "cash", "amount_minor": amount_minor}])


def refund_tax_of(lines: Iterable[tuple[int, int, int]]) -> int:
    """The tax inside a refund: (line total, line tax, amount given back) per refunded line."""
    return sum(
        refund_tax_minor(line_total_minor=total, line_tax_minor=tax, amount_minor=amount)
        for total, tax, amount in lines
    )


def refund_records(
    *, payments: list[Mapping[str, Any]] | None, amount_minor: int, tax_minor: int
) -> list[RefundRecord]:
    """One refund as records per method paid back (its tax on the first), as the till has it."""
    return [
        RefundRecord(
            method=str(payment.get("method", "cash")),
            amount_minor=int(payment.get("amount_minor", 0)),
            tax_minor=tax_minor if index == 0 else 0,
        )
        for index, payment in enumerate(refund_paid_back(payments, amount_minor))
    ]
