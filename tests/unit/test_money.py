"""Money: exponents, arithmetic, Decimal conversion, and Babel formatting and parsing."""

from decimal import Decimal

import pytest

from shared.money import (
    MAX_AMOUNT_MINOR,
    CurrencyMismatchError,
    Money,
    MoneyError,
    MoneyParseError,
    currency_exponent,
    format_money,
    parse_money,
)
from shared.rounding import RoundingRule


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [("IDR", 0), ("USD", 2), ("JPY", 0), ("KWD", 3), ("CHF", 2), ("CLP", 0)],
)
def test_exponents_override_cldr_where_we_must(currency: str, exponent: int) -> None:
    # IDR is 2 in CLDR; our table says 0. CHF and CLP come from Babel.
    assert currency_exponent(currency) == exponent


@pytest.mark.parametrize("currency", ["XYZ", "usd", "US", "", "DOLLAR"])
def test_unknown_or_malformed_currency_is_refused(currency: str) -> None:
    with pytest.raises(MoneyError) as caught:
        Money(1, currency)
    assert caught.value.field == "currency"


@pytest.mark.parametrize(
    ("money", "locale", "text"),
    [
        (Money(25_000, "IDR"), "id_ID", "Rp 25.000"),
        (Money(2_500_000, "IDR"), "id_ID", "Rp 2.500.000"),
        (Money(-25_000, "IDR"), "id_ID", "-Rp 25.000"),
        (Money(123_450, "USD"), "en_US", "$1,234.50"),
        (Money(5, "USD"), "en_US", "$0.05"),
        (Money(-123_450, "USD"), "en_US", "-$1,234.50"),
        (Money(1_234, "JPY"), "ja_JP", "￥1,234"),
        (Money(1_234, "JPY"), "en_US", "¥1,234"),
        (Money(1_234_567, "KWD"), "en_US", "KWD 1,234.567"),
        (Money(1_234_567, "KWD"), "ar_KW", "\u200f1,234.567\xa0د.ك.\u200f"),
        (Money(123_450, "EUR"), "de_DE", "1.234,50\xa0€"),
    ],
)
def test_format_and_parse_back(money: Money, locale: str, text: str) -> None:
    assert format_money(money, locale) == text
    assert parse_money(text, money.currency, locale) == money


@pytest.mark.parametrize(
    ("text", "currency", "locale", "amount_minor"),
    [
        ("25000", "IDR", "id_ID", 25_000),
        ("25.000", "IDR", "id_ID", 25_000),
        ("Rp25.000", "IDR", "id_ID", 25_000),
        ("1234.5", "USD", "en_US", 123_450),
        ("USD 12", "USD", "en_US", 1_200),
        ("(1.50)", "USD", "en_US", -150),
        ("1,234.567", "KWD", "en_US", 1_234_567),
        ("0.001", "KWD", "en_US", 1),
        ("¥500", "JPY", "en_US", 500),
    ],
)
def test_parse_what_cashiers_type(text: str, currency: str, locale: str, amount_minor: int) -> None:
    assert parse_money(text, currency, locale) == Money(amount_minor, currency)


@pytest.mark.parametrize(
    ("text", "currency", "locale", "code"),
    [
        ("abc", "USD", "en_US", "unparseable"),
        ("", "USD", "en_US", "unparseable"),
        ("$", "USD", "en_US", "unparseable"),
        ("1.2.3", "USD", "en_US", "unparseable"),
        ("1,23", "USD", "en_US", "unparseable"),  # a misplaced group separator
        ("--5", "USD", "en_US", "unparseable"),
        ("12.345", "USD", "en_US", "too_precise"),  # a tenth of a cent
        ("25.000,50", "IDR", "id_ID", "too_precise"),  # rupiah have no cents here
        ("1.5", "JPY", "en_US", "too_precise"),
        ("1.0005", "KWD", "en_US", "too_precise"),
        ("1e5", "USD", "en_US", "unparseable"),  # Decimal would read 100000
        ("1E5", "USD", "en_US", "unparseable"),
        ("1e30", "USD", "en_US", "unparseable"),
        ("1_0", "USD", "en_US", "unparseable"),  # Decimal would read 10
        ("\u0661\u0662\u0663", "USD", "en_US", "unparseable"),  # Arabic-Indic 123
        ("\u0661\u0662\u0663", "KWD", "ar_KW", "unparseable"),
        ("1\uff12", "JPY", "ja_JP", "unparseable"),  # a full-width 2
        ("12.50", "IDR", "id_ID", "unparseable"),  # rupiah groups by three
        ("1 000", "USD", "en_US", "unparseable"),  # a space is no US separator
        ("10000000000.01", "USD", "en_US", "too_large"),
        ("1000000000001", "IDR", "id_ID", "too_large"),
        ("-1000000000001", "IDR", "id_ID", "too_large"),
        ("9" * 40, "USD", "en_US", "too_large"),
    ],
)
def test_bad_text_raises_a_parse_error_naming_the_field(
    text: str, currency: str, locale: str, code: str
) -> None:
    with pytest.raises(MoneyParseError) as caught:
        parse_money(text, currency, locale)
    assert isinstance(caught.value, ValueError)
    assert caught.value.as_error() == {
        "error": "invalid",
        "message": caught.value.message,
        "field": "amount",
        "code": code,
    }


def test_the_largest_amount_still_parses() -> None:
    assert parse_money("10,000,000,000.00", "USD", "en_US") == Money(MAX_AMOUNT_MINOR, "USD")
    assert parse_money("-1.000.000.000.000", "IDR", "id_ID") == Money(-MAX_AMOUNT_MINOR, "IDR")


def test_space_grouping_locales_still_parse() -> None:
    assert parse_money("1\u202f234,50\u00a0€", "EUR", "fr_FR") == Money(123_450, "EUR")
    assert parse_money("1 234,50", "EUR", "fr_FR") == Money(123_450, "EUR")


def test_arithmetic_stays_in_integers_and_one_currency() -> None:
    a = Money(1_050, "USD")
    b = Money(250, "USD")
    assert a + b == Money(1_300, "USD")
    assert a - b == Money(800, "USD")
    assert a * 3 == 3 * a == Money(3_150, "USD")
    assert -b == Money(-250, "USD")
    assert b < a and a > b and a >= a and b <= b
    with pytest.raises(CurrencyMismatchError):
        _ = a + Money(1, "IDR")
    with pytest.raises(CurrencyMismatchError):
        _ = a < Money(1, "IDR")
    with pytest.raises(TypeError):
        _ = a * 1.5  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = a * Decimal("1.5")  # type: ignore[operator]


@pytest.mark.parametrize("amount", [1.5, Decimal("1"), True, "100"])
def test_non_int_amounts_are_refused(amount: object) -> None:
    with pytest.raises(MoneyError):
        Money(amount, "USD")  # type: ignore[arg-type]


def test_allocate_splits_exactly() -> None:
    # $100.00 over three equal shares: 33.34, 33.33, 33.33
    parts = Money(10_000, "USD").allocate([1, 1, 1])
    assert parts == [Money(3_334, "USD"), Money(3_333, "USD"), Money(3_333, "USD")]
    assert sum(part.amount_minor for part in parts) == 10_000


def test_decimal_round_trip_and_precision() -> None:
    assert Money.from_decimal(Decimal("12.34"), "USD") == Money(1_234, "USD")
    assert Money.from_decimal(Decimal("25000"), "IDR") == Money(25_000, "IDR")
    assert Money(1_234_567, "KWD").to_decimal() == Decimal("1234.567")
    assert Money(25_000, "IDR").to_decimal() == Decimal("25000")
    with pytest.raises(MoneyError):
        Money.from_decimal(Decimal("12.345"), "USD")
    # with a rule the extra digit is rounded: 1234.5 cents -> 1235 half-up, 1234 half-even
    assert Money.from_decimal(Decimal("12.345"), "USD", RoundingRule.HALF_UP).amount_minor == 1_235
    assert (
        Money.from_decimal(Decimal("12.345"), "USD", RoundingRule.HALF_EVEN).amount_minor == 1_234
    )
    with pytest.raises(MoneyError):
        Money.from_decimal(12.34, "USD")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money.from_decimal(Decimal("Infinity"), "USD")


def test_unknown_locale_is_refused() -> None:
    with pytest.raises(MoneyError) as caught:
        format_money(Money(1, "USD"), "xx_NOPE")
    assert caught.value.field == "locale"


def test_signed_money_says_its_sign_once() -> None:
    from shared.money import format_signed_money

    assert format_signed_money(Money(3_000, "IDR"), "id_ID") == "+Rp 3.000"
    assert format_signed_money(Money(-3_000, "IDR"), "id_ID") == "-Rp 3.000"
    assert format_signed_money(Money(0, "IDR"), "id_ID") == "Rp 0"
    assert format_signed_money(Money(150, "USD"), "en_US") == "+$1.50"


def test_tax_label_names_the_rate_once() -> None:
    from shared.tax import tax_label

    assert tax_label("PB1", 1_000) == "PB1 10%"
    assert tax_label("PPN 11%", 1_100) == "PPN 11%"
    assert tax_label("PB1 10%", 500) == "PB1 5%"  # the rate charged at the outlet wins
    assert tax_label("VAT 12,5 %", 1_250) == "VAT 12.5%"
