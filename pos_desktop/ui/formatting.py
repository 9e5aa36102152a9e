"""Amounts as the tenant reads them (Rp 25.000), from integer minor units, via shared.money."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from shared.money import Money, MoneyParseError, currency_exponent, format_money, parse_money


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

    def from_keypad(self, digits: str) -> int:
        """Keypad digits are whole major units (`25000` -> Rp 25.000, `12` -> $12.00)."""
        return int(digits or "0") * int(10**self.exponent)


def percent_text(value_bp: int) -> str:
    """Basis points as a short percent without floats: 1000 -> 10%, 1250 -> 12.5%."""
    whole, rest = divmod(value_bp, 100)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0") + "%"
