"""Money as an integer count of a currency's minor unit, with locale formatting and parsing.

The exponent (digits after the decimal point) comes from our own table first and
from Babel's CLDR data otherwise: CLDR gives IDR two digits, but rupiah prices,
receipts and payments have none, so here IDR is 0.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberFormatError,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    get_plus_sign_symbol,
    list_currencies,
    parse_decimal,
    parse_pattern,
)

from shared.errors import ShapedError
from shared.rounding import RoundingRule, allocate, round_rational

CURRENCY_EXPONENTS: dict[str, int] = {
    "IDR": 0,
    "USD": 2,
    "JPY": 0,
    "KWD": 3,
    "EUR": 2,
    "SGD": 2,
    "MYR": 2,
    "THB": 2,
    "PHP": 2,
    "VND": 0,
    "KRW": 0,
    "BHD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
}
"""Exponents we fix ourselves; any other ISO 4217 code falls back to Babel's CLDR precision."""


class InvalidValueError(ShapedError, ValueError):
    """A value from outside (a user, a terminal, a stored JSON) is not acceptable.

    Carries the API error shape {"error", "message", "field", "code"} so a view can
    answer 400 with it instead of failing with a 500.
    """


class MoneyError(InvalidValueError):
    """A money value or currency is not valid."""


class MoneyParseError(MoneyError):
    """Text could not be read as an amount of money in the given currency and locale."""


class CurrencyMismatchError(MoneyError):
    """Two amounts in different currencies were combined."""


@lru_cache(maxsize=256)
def currency_exponent(currency: str) -> int:
    """Digits after the decimal point for currency (IDR 0, USD 2, KWD 3)."""
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise MoneyError(
            f"currency must be a 3-letter ISO 4217 code, got {currency!r}",
            field="currency",
            code="invalid_currency",
        )
    code = currency.upper()
    if code in CURRENCY_EXPONENTS:
        return CURRENCY_EXPONENTS[code]
    if code != currency:
        raise MoneyError(
            f"currency code must be upper case, got {currency!r}",
            field="currency",
            code="invalid_currency",
        )
    # Babel answers 2 for any code it does not know; only trust codes CLDR lists.
    if code not in list_currencies():
        raise MoneyError(
            f"unknown currency {currency!r}", field="currency", code="unknown_currency"
        )
    return int(get_currency_precision(code))


def _require_int(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MoneyError(
            f"{field} must be an int count of minor units, got {type(value).__name__}",
            field=field,
            code="not_integer",
        )
    return value


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in a currency's minor unit: Money(25000, "IDR") is Rp 25.000."""

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        _require_int(self.amount_minor, "amount_minor")
        currency_exponent(self.currency)
        if self.currency != self.currency.upper():
            raise MoneyError(
                f"currency code must be upper case, got {self.currency!r}",
                field="currency",
                code="invalid_currency",
            )

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in currency."""
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str, rule: RoundingRule | None = None) -> Money:
        """Money from a major-unit Decimal (Decimal("12.34") USD -> 1234 cents).

        Without a rule the value must fit the currency exactly; with one it is rounded.
        """
        if not isinstance(value, Decimal):
            raise MoneyError(
                f"from_decimal needs a Decimal, got {type(value).__name__}",
                field="amount",
                code="not_decimal",
            )
        if not value.is_finite():
            raise MoneyError(f"amount {value} is not finite", field="amount", code="not_finite")
        minor = value.scaleb(currency_exponent(currency))
        if rule is None:
            if minor != minor.to_integral_value():
                raise MoneyError(
                    f"{value} has more digits than {currency} allows",
                    field="amount",
                    code="too_precise",
                )
            return cls(int(minor), currency)
        return cls(round_rational(minor, rule), currency)

    def to_decimal(self) -> Decimal:
        """The amount in major units as an exact Decimal (1234 USD cents -> Decimal("12.34"))."""
        return Decimal(self.amount_minor).scaleb(-currency_exponent(self.currency))

    def _same_currency(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatchError(
                f"cannot combine {self.currency} with {other.currency}",
                field="currency",
                code="currency_mismatch",
            )

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            # Multiplying by a float or Decimal would need a rounding rule: use shared.rounding.
            return NotImplemented
        return Money(self.amount_minor * factor, self.currency)

    __rmul__ = __mul__

    def _compare(self, other: object) -> int | None:
        if not isinstance(other, Money):
            return None
        self._same_currency(other)
        return (self.amount_minor > other.amount_minor) - (self.amount_minor < other.amount_minor)

    def __lt__(self, other: object) -> bool:
        result = self._compare(other)
        return NotImplemented if result is None else result < 0

    def __le__(self, other: object) -> bool:
        result = self._compare(other)
        return NotImplemented if result is None else result <= 0

    def __gt__(self, other: object) -> bool:
        result = self._compare(other)
        return NotImplemented if result is None else result > 0

    def __ge__(self, other: object) -> bool:
        result = self._compare(other)
        return NotImplemented if result is None else result >= 0

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split by integer weights with largest remainder; the parts add up to self exactly."""
        return [Money(part, self.currency) for part in allocate(self.amount_minor, weights)]


@lru_cache(maxsize=64)
def _locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError) as error:
        raise MoneyError(
            f"unknown locale {locale!r}", field="locale", code="unknown_locale"
        ) from error


DEFAULT_LOCALES: dict[str, str] = {
    "IDR": "id_ID",
    "USD": "en_US",
    "SGD": "en_SG",
    "MYR": "ms_MY",
    "THB": "th_TH",
    "PHP": "en_PH",
    "VND": "vi_VN",
    "JPY": "ja_JP",
    "KRW": "ko_KR",
    "EUR": "de_DE",
    "GBP": "en_GB",
    "AUD": "en_AU",
}
"""The locale a new tenant gets from its currency unless it names one (IDR: Rp 25.000)."""


def default_locale(currency: str) -> str:
    """The locale a business paying in currency most likely reads money in (en_US otherwise)."""
    return DEFAULT_LOCALES.get(currency.upper(), "en_US")


def check_locale(locale: str) -> str:
    """A BCP 47 / CLDR locale Babel knows, in CLDR's form (`id-ID` -> `id_ID`).

    Raises MoneyError with field `locale` for anything else, so an API answers 400.
    """
    if not isinstance(locale, str) or not locale.strip() or len(locale) > 16:
        raise MoneyError(f"unknown locale {locale!r}", field="locale", code="unknown_locale")
    parsed = _locale(locale.strip().replace("-", "_"))
    if parsed.territory is None:
        raise MoneyError(
            f"locale {locale!r} names no country (say id_ID, not id)",
            field="locale",
            code="unknown_locale",
        )
    return str(parsed)


def _spaced_symbol(text: str, symbol: str) -> str:
    """Apply CLDR currency spacing: a letter-ended symbol gets a space before digits ("Rp 25.000").

    Babel does not implement CLDR's currencySpacing; this is its default rule
    (insert between a non-symbol character of the currency and a digit). We insert a
    plain space rather than U+00A0 because receipts print in single-byte code pages.
    """
    position = text.find(symbol)
    if position < 0 or not symbol:
        return text
    end = position + len(symbol)
    if (
        end < len(text)
        and text[end].isdigit()
        and not unicodedata.category(symbol[-1]).startswith(("S", "Z"))
    ):
        text = text[:end] + " " + text[end:]
    if (
        position > 0
        and text[position - 1].isdigit()
        and not unicodedata.category(symbol[0]).startswith(("S", "Z"))
    ):
        text = text[:position] + " " + text[position:]
    return text


def format_money(money: Money, locale: str) -> str:
    """Money as a shopper reads it in locale: Rp 25.000 (id_ID), $1,234.50 (en_US)."""
    babel_locale = _locale(locale)
    exponent = currency_exponent(money.currency)
    pattern = parse_pattern(babel_locale.currency_formats["standard"].pattern)
    # Our exponent wins over the locale's pattern and CLDR's currency digits.
    pattern.frac_prec = (exponent, exponent)
    text = pattern.apply(
        money.to_decimal(),
        babel_locale,
        currency=money.currency,
        currency_digits=False,
        decimal_quantization=True,
    )
    return _spaced_symbol(text, get_currency_symbol(money.currency, babel_locale))


def format_signed_money(money: Money, locale: str) -> str:
    """A change to an amount with its sign always shown: +Rp 3.000, -Rp 2.000 (id_ID).

    The one place for signed amounts (modifier surcharges, adjustments): prefixing "+" to
    format_money's text would print "+-Rp 2.000" for a negative delta. Zero has no sign.
    """
    text = format_money(money, locale)
    if money.amount_minor > 0:
        return get_plus_sign_symbol(_locale(locale)) + text
    return text


_IGNORED_IN_AMOUNT = {"\u200e", "\u200f", "\u061c"}

MAX_AMOUNT_MINOR = 10**12
"""The largest amount parse_money accepts, in minor units (the same bound as the wire's)."""

_ASCII_DIGITS = frozenset("0123456789")
_SPACES = frozenset(" \u00a0\u202f")


def _amount_characters(babel_locale: Locale) -> frozenset[str]:
    """ASCII digits plus the locale's own group and decimal separators, nothing else.

    Decimal() behind Babel would also take exponents (1e5), underscores (1_0) and
    non-ASCII digits (١٢٣); a cashier never means those.
    """
    group = get_group_symbol(babel_locale)
    allowed = _ASCII_DIGITS | {group, get_decimal_symbol(babel_locale)}
    if group in _SPACES:
        allowed |= _SPACES
    return allowed


def parse_money(text: str, currency: str, locale: str) -> Money:
    """Read an amount typed or printed in locale ("Rp 25.000", "$1,234.50", "1234.5").

    Only ASCII digits with the locale's group and decimal separators count: no
    exponents, underscores or other scripts' digits. Raises MoneyParseError for
    anything that is not exactly an amount in currency, including more decimals
    than the currency has or more than MAX_AMOUNT_MINOR minor units.
    """
    if not isinstance(text, str):
        raise MoneyParseError(
            f"amount must be text, got {type(text).__name__}", field="amount", code="not_text"
        )
    exponent = currency_exponent(currency)
    babel_locale = _locale(locale)
    cleaned = "".join(char for char in text if char not in _IGNORED_IN_AMOUNT).strip()
    local_symbol = "".join(
        char
        for char in get_currency_symbol(currency, babel_locale)
        if char not in _IGNORED_IN_AMOUNT
    )
    for symbol in sorted({local_symbol, currency, currency.lower()}, key=len, reverse=True):
        if symbol and symbol in cleaned:
            cleaned = cleaned.replace(symbol, "", 1)
            break
    cleaned = cleaned.strip().replace("\u00a0", " ")
    if cleaned.startswith("(") and cleaned.endswith(")"):
        cleaned = "-" + cleaned[1:-1].strip()
    if cleaned.startswith("-"):
        sign, cleaned = -1, cleaned[1:].strip()
    else:
        sign = 1
    if (
        not cleaned
        or cleaned[0] not in _ASCII_DIGITS
        or cleaned[-1] not in _ASCII_DIGITS
        or not set(cleaned) <= _amount_characters(babel_locale)
    ):
        raise MoneyParseError(
            f"{text!r} is not an amount of {currency}", field="amount", code="unparseable"
        )
    group = get_group_symbol(babel_locale)
    if group in _SPACES:
        # A keyboard types a plain space where CLDR groups with a narrow no-break one.
        cleaned = "".join(group if char in _SPACES else char for char in cleaned)
    try:
        value = parse_decimal(cleaned, babel_locale, strict=True)
    except NumberFormatError as error:
        raise MoneyParseError(
            f"{text!r} is not an amount of {currency} in {locale}",
            field="amount",
            code="unparseable",
        ) from error
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise MoneyParseError(
            f"{text!r} has more than {exponent} decimal digits for {currency}",
            field="amount",
            code="too_precise",
        )
    if minor > MAX_AMOUNT_MINOR:
        raise MoneyParseError(
            f"{text!r} is more than {MAX_AMOUNT_MINOR} minor units of {currency}",
            field="amount",
            code="too_large",
        )
    return Money(sign * int(minor), currency)
