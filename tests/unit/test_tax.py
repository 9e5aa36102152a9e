"""Tax in basis points: inclusive and exclusive, several rates, service charge, exact splits."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.tax import (
    ServiceCharge,
    TaxConfigError,
    TaxRate,
    service_charge_from_dict,
    service_charge_shares,
    service_charge_to_dict,
    tax_amount,
    tax_rate_from_dict,
    tax_rate_to_dict,
    tax_service_charge,
    total_by_rate,
)

PB1_INCLUSIVE = TaxRate("pb1", "PB1", 1_000, inclusive=True)
PB1 = TaxRate("pb1", "PB1", 1_000)
STATE = TaxRate("state", "State tax", 725)
CITY = TaxRate("city", "City tax", 300)
LUXURY_INCLUSIVE = TaxRate("lux", "Luxury", 500, inclusive=True)


@pytest.mark.parametrize(
    ("amount_minor", "rates", "base_minor", "amounts", "included_minor", "added_minor"),
    [
        # IDR, PB1 10% inside Rp 25.000: base 25000 / 1.1 = 22727.27 -> 22727, tax 2273
        (25_000, [PB1_INCLUSIVE], 22_727, {"pb1": 2_273}, 2_273, 0),
        # IDR, PB1 10% on top of Rp 25.000: 2500 added
        (25_000, [PB1], 25_000, {"pb1": 2_500}, 0, 2_500),
        # USD, 7.25% of $19.99 = 144.93 cents -> 145
        (1_999, [STATE], 1_999, {"state": 145}, 0, 145),
        # USD, 7.25% + 3% of $19.99: combined 10.25% = 204.90 -> 205 cents, rounded once
        # and split 725:300 = 145 and 60 exactly
        (1_999, [STATE, CITY], 1_999, {"state": 145, "city": 60}, 0, 205),
        # IDR, two inclusive rates 10% + 5% inside Rp 11.500: base 10.000, taxes 1.000 + 500
        (11_500, [PB1_INCLUSIVE, LUXURY_INCLUSIVE], 10_000, {"pb1": 1_000, "lux": 500}, 1_500, 0),
        # IDR, PB1 inclusive in Rp 11.000 (base 10.000) and state 7.25% on top: 725 added
        (11_000, [PB1_INCLUSIVE, STATE], 10_000, {"pb1": 1_000, "state": 725}, 1_000, 725),
        # no rates: nothing
        (5_000, [], 5_000, {}, 0, 0),
    ],
)
def test_line_taxes_worked_examples(
    amount_minor: int,
    rates: list[TaxRate],
    base_minor: int,
    amounts: dict[str, int],
    included_minor: int,
    added_minor: int,
) -> None:
    taxes = tax_amount(amount_minor, rates)
    assert taxes.base_minor == base_minor
    assert {tax.rate_id: tax.amount_minor for tax in taxes.taxes} == amounts
    assert taxes.included_minor == included_minor
    assert taxes.added_minor == added_minor
    assert taxes.base_minor + taxes.included_minor == amount_minor
    assert sum(tax.amount_minor for tax in taxes.taxes) == included_minor + added_minor


def test_indonesian_service_charge_then_pb1() -> None:
    # Rp 100.000 of food, service 5% = 5.000, PB1 10% on food (10.000) and on service (500)
    shares = service_charge_shares([60_000, 40_000], ServiceCharge(500))
    assert shares == [3_000, 2_000]
    goods = [tax_amount(60_000, [PB1]), tax_amount(40_000, [PB1])]
    on_service = [tax_service_charge(share, [PB1]) for share in shares]
    assert [t.added_minor for t in goods] == [6_000, 4_000]
    assert [t.added_minor for t in on_service] == [300, 200]
    totals = total_by_rate(tax for t in goods + on_service for tax in t.taxes)
    assert len(totals) == 1
    assert totals[0].amount_minor == 10_500
    assert totals[0].base_minor == 105_000


def test_service_charge_rounds_once_and_splits_exactly() -> None:
    # 5% of (333 + 333 + 334) = 50, split by base: 16.65, 16.65, 16.7 -> 17, 16, 17
    assert service_charge_shares([333, 333, 334], ServiceCharge(500)) == [17, 16, 17]
    assert service_charge_shares([0, 0], ServiceCharge(500)) == [0, 0]


rate_lists = st.lists(
    st.builds(
        TaxRate,
        rate_id=st.sampled_from(["a", "b", "c", "d"]),
        name=st.just("tax"),
        rate_bp=st.integers(0, 3_000),
    ),
    max_size=4,
    unique_by=lambda rate: rate.rate_id,
)


@given(st.integers(0, 10**10), rate_lists)
def test_exclusive_then_inclusive_round_trips(base_minor: int, rates: list[TaxRate]) -> None:
    added = tax_amount(base_minor, rates)
    price_minor = base_minor + added.added_minor
    inclusive_rates = [
        TaxRate(rate.rate_id, rate.name, rate.rate_bp, inclusive=True) for rate in rates
    ]
    inside = tax_amount(price_minor, inclusive_rates)
    assert inside.base_minor == base_minor
    assert inside.included_minor == added.added_minor
    assert [tax.amount_minor for tax in inside.taxes] == [tax.amount_minor for tax in added.taxes]


@given(st.integers(0, 10**10), rate_lists)
def test_inclusive_then_exclusive_round_trips(price_minor: int, rates: list[TaxRate]) -> None:
    inclusive_rates = [
        TaxRate(rate.rate_id, rate.name, rate.rate_bp, inclusive=True) for rate in rates
    ]
    inside = tax_amount(price_minor, inclusive_rates)
    added = tax_amount(inside.base_minor, rates)
    assert type(inside.base_minor) is int
    assert 0 <= inside.base_minor <= price_minor
    # Exact back to the price except where rounding leaves no base that taxes to it.
    assert abs(inside.base_minor + added.added_minor - price_minor) <= 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "PB1", "rate_bp": 1000}, "rate_id"),
        ({"rate_id": "pb1", "name": "PB1", "rate_bp": 10.0}, "rate_bp"),
        ({"rate_id": "pb1", "name": "PB1", "rate_bp": -1}, "rate_bp"),
        ({"rate_id": "pb1", "name": "PB1", "rate_bp": 1000, "inclusive": "yes"}, "inclusive"),
        ({"rate_id": "", "name": "PB1", "rate_bp": 1000}, "rate_id"),
    ],
)
def test_malformed_tax_rate_names_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(TaxConfigError) as caught:
        tax_rate_from_dict(data)
    assert caught.value.field == field


def test_tax_rate_and_service_charge_dicts_round_trip() -> None:
    assert tax_rate_from_dict(tax_rate_to_dict(PB1_INCLUSIVE)) == PB1_INCLUSIVE
    charge = ServiceCharge(500, taxed=False, name="Servis")
    assert service_charge_from_dict(service_charge_to_dict(charge)) == charge
    with pytest.raises(TaxConfigError) as caught:
        service_charge_from_dict({"taxed": True})
    assert caught.value.field == "rate_bp"
