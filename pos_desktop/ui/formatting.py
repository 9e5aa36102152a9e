"""Amounts as the tenant reads them (Rp 25.000), from integer minor units, via shared.money."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from babel.numbers import get_decimal_symbol, get_group_symbol

from shared.money import (
    Money,
    MoneyParseError,
    currency_exponent,
    format_money,
    format_signed_money,
    parse_money,
)

MAX_PERCENT_BP = 10_000
_ASCII_DIGITS = "0123456789"
_SPACES = " \u00a0\u202f"


@lru_cache(maxsize=65_536)
def _formatted(amount_minor: int, currency: str, locale: str) -> str:
    """Babel formatting costs ~70 µs; a grid repaint formats the same prices again and again."""
    return format_money(Money(amount_minor, currency), locale)


@dataclass(frozen=True)
class MoneyFormat:
    """The tenant's currency and locale, handed to every screen that shows money."""

    currency: str
    locale: str

    def __call__(self, amount_minor: int) -> str:
        """`25000` -> `Rp 25.000` for IDR in id_ID."""
        return _formatted(amount_minor, self.currency, self.locale)

    def signed(self, amount_minor: int) -> str:
        """A surcharge or reduction with its sign: `+Rp 3.000`, `-Rp 2.000` (modifier prices)."""
        return format_signed_money(Money(amount_minor, self.currency), self.locale)

    @property
    def exponent(self) -> int:
        """Digits after the decimal point (0 for rupiah), for the numeric keypad."""
        return int(currency_exponent(self.currency))

    def parse(self, text: str) -> int | None:
        """What the cashier typed as minor units, or None when it is not an amount."""
        try:
            return int(parse_money(text, self.currency, self.locale).amount_minor)
        except MoneyParseError:
            return None

    def amount_minor(self, text: str) -> int:
        """A typed amount (`25.000` in id_ID, `12.50` in en_US) as minor units; empty is 0.

        Whole digits are major units, as on the keypad (`25000` -> Rp 25.000, `12` -> $12.00).
        Raises MoneyParseError for anything else, negatives included.
        """
        if not text.strip():
            return 0
        amount = int(parse_money(text, self.currency, self.locale).amount_minor)
        if amount < 0:
            raise MoneyParseError(f"{text!r} is negative", field="amount", code="negative")
        return amount

    def percent_bp(self, text: str) -> int:
        """A typed percent as basis points (`10` -> 1000, `12,5` in id_ID -> 1250); empty is 0.

        Raises MoneyParseError unless it is ASCII digits with at most two decimals, 0-100 %.
        """
        text = text.strip()
        if not text:
            return 0
        decimal = re.escape(get_decimal_symbol(self.locale))
        match = re.fullmatch(rf"([0-9]{{1,3}})(?:{decimal}([0-9]{{1,2}}))?", text)
        if match is None:
            raise MoneyParseError(f"{text!r} is not a percent", field="percent", code="unparseable")
        value_bp = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))
        if value_bp > MAX_PERCENT_BP:
            raise MoneyParseError(f"{text!r} is above 100%", field="percent", code="too_large")
        return value_bp

    def amount_characters(self) -> str:
        """What an amount field lets a cashier type: ASCII digits and the locale's separators."""
        group = get_group_symbol(self.locale)
        spaces = _SPACES if group in _SPACES else ""
        return _ASCII_DIGITS + group + get_decimal_symbol(self.locale) + spaces

    def percent_characters(self) -> str:
        """What a percent field lets a cashier type: ASCII digits and the decimal separator."""
        return _ASCII_DIGITS + get_decimal_symbol(self.locale)
