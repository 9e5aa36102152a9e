"""Payment methods, their labels, the cash-rounding rule and how tenders split into payments.

One place for what the till charges and the server re-checks: cash rounding applies only
when every tender is cash, change comes out of the last cash handed over, and a card (or
any non-cash method) never pays more than is due.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from shared.money import InvalidValueError
from shared.pricing.types import CashRounding


class PaymentMethod(StrEnum):
    """How a payment was made; the values are the wire's and the databases' codes."""

    CASH = "cash"
    CARD = "card"
    QRIS = "qris"
    EWALLET = "ewallet"
    VOUCHER = "voucher"
    OTHER = "other"


PAYMENT_METHOD_LABELS: Mapping[str, Mapping[PaymentMethod, str]] = {
    "en": {
        PaymentMethod.CASH: "Cash",
        PaymentMethod.CARD: "Card",
        PaymentMethod.QRIS: "QRIS",
        PaymentMethod.EWALLET: "E-wallet",
        PaymentMethod.VOUCHER: "Voucher",
        PaymentMethod.OTHER: "Other",
    },
    "id": {
        PaymentMethod.CASH: "Tunai",
        PaymentMethod.CARD: "Kartu",
        PaymentMethod.QRIS: "QRIS",
        PaymentMethod.EWALLET: "E-wallet",
        PaymentMethod.VOUCHER: "Voucher",
        PaymentMethod.OTHER: "Lainnya",
    },
}
"""language (the locale's first part: `id` of `id_ID`) -> method -> what people read."""


def payment_method_label(method: str, language: str = "en") -> str:
    """The method as a slip or a screen names it; an unknown code is shown as it is."""
    labels = PAYMENT_METHOD_LABELS.get(language.split("_")[0], PAYMENT_METHOD_LABELS["en"])
    try:
        return labels[PaymentMethod(method)]
    except ValueError:
        return method


def cash_rounding_applies(methods: Iterable[str]) -> bool:
    """Cash rounding applies only when every tender is cash (a card pays the exact amount)."""
    return all(method == PaymentMethod.CASH for method in methods)


def cash_rounding_for(methods: Iterable[str], rounding: CashRounding | None) -> CashRounding | None:
    """The tenant's cash rounding if these tenders call for it, else none."""
    return rounding if rounding is not None and cash_rounding_applies(methods) else None


class TenderError(InvalidValueError):
    """The tenders cannot pay the amount due (none, unknown method, too little, too much)."""


class TenderLike(Protocol):
    """What the customer handed over: a method and an amount."""

    @property
    def method(self) -> str: ...

    @property
    def amount_minor(self) -> int: ...


@dataclass(frozen=True)
class Tender:
    """What the customer handed over: cash may exceed what is due (change), others may not."""

    method: str
    amount_minor: int
    reference: str = ""


TenderT = TypeVar("TenderT", bound=TenderLike)


@dataclass(frozen=True)
class PaymentSplit(Generic[TenderT]):
    """One tender as a payment of the order: what it paid and the change it got back."""

    tender: TenderT
    paid_minor: int
    change_minor: int

    @property
    def is_cash(self) -> bool:
        return self.tender.method == PaymentMethod.CASH

    @property
    def tendered_minor(self) -> int | None:
        """What was handed over, for cash (the wire records it only for cash)."""
        return self.tender.amount_minor if self.is_cash else None


_METHODS = frozenset(method.value for method in PaymentMethod)


def _check_tender(tender: TenderLike) -> None:
    if tender.method not in _METHODS:
        raise TenderError("Unknown payment method.", field="method", code="bad_method")
    if isinstance(tender.amount_minor, bool) or not isinstance(tender.amount_minor, int):
        raise TenderError("Amounts are whole minor units.", field="amount_minor")
    if tender.amount_minor <= 0:
        raise TenderError("A payment must be above zero.", field="amount_minor")


def split_tenders(tenders: Sequence[TenderT], due_minor: int) -> list[PaymentSplit[TenderT]]:
    """Split what was handed over into payments of `due_minor` (TenderError if it cannot).

    Non-cash tenders never exceed what is due; the change comes out of the last cash
    tendered, and a cash tender that would be all change is refused as not needed.
    """
    if not tenders:
        raise TenderError("Add a payment.", field="tenders", code="no_payment")
    for tender in tenders:
        _check_tender(tender)
    non_cash_minor = sum(t.amount_minor for t in tenders if t.method != PaymentMethod.CASH)
    cash_minor = sum(t.amount_minor for t in tenders if t.method == PaymentMethod.CASH)
    if non_cash_minor > due_minor:
        raise TenderError(
            "Card and other payments cannot exceed what is due.",
            field="amount_minor",
            code="overpaid",
        )
    if non_cash_minor + cash_minor < due_minor:
        raise TenderError(
            "The payments do not cover the total.", field="amount_minor", code="underpaid"
        )
    change_left = non_cash_minor + cash_minor - due_minor
    splits: list[PaymentSplit[TenderT]] = []
    for tender in reversed(tenders):  # change comes out of the last cash tendered
        change = min(change_left, tender.amount_minor) if tender.method == PaymentMethod.CASH else 0
        if change == tender.amount_minor:
            raise TenderError(
                "A cash payment is not needed.", field="amount_minor", code="overpaid"
            )
        change_left -= change
        splits.append(PaymentSplit(tender, tender.amount_minor - change, change))
    splits.reverse()
    return splits
