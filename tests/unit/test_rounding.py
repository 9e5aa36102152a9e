"""Each rounding rule, cash rounding and largest-remainder allocation, worked by hand."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.rounding import (
    RoundingRule,
    allocate,
    divide,
    percent_of,
    round_rational,
    round_to_step,
)

HALF_UP = RoundingRule.HALF_UP
HALF_EVEN = RoundingRule.HALF_EVEN
DOWN = RoundingRule.DOWN
UP = RoundingRule.UP


@pytest.mark.parametrize(
    ("value", "rule", "expected"),
    [
        # ties: half-up goes away from zero, half-even to the even neighbour
        (Fraction(5, 2), HALF_UP, 3),
        (Fraction(5, 2), HALF_EVEN, 2),
        (Fraction(7, 2), HALF_EVEN, 4),
        (Fraction(-5, 2), HALF_UP, -3),
        (Fraction(-5, 2), HALF_EVEN, -2),
        # not a tie: both half rules go to the nearer neighbour
        (Fraction(26, 10), HALF_UP, 3),
        (Fraction(26, 10), HALF_EVEN, 3),
        (Fraction(24, 10), HALF_UP, 2),
        # down is toward zero, up away from zero, whatever the fraction
        (Fraction(29, 10), DOWN, 2),
        (Fraction(-29, 10), DOWN, -2),
        (Fraction(21, 10), UP, 3),
        (Fraction(-21, 10), UP, -3),
        # exact values never move
        (Fraction(4), UP, 4),
        (Decimal("1234.5"), HALF_UP, 1235),
        (Decimal("1234.5"), HALF_EVEN, 1234),
        (Decimal("-0.5"), HALF_UP, -1),
        (7, HALF_EVEN, 7),
    ],
)
def test_round_rational_by_rule(
    value: Fraction | Decimal | int, rule: RoundingRule, expected: int
) -> None:
    result = round_rational(value, rule)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    ("amount_minor", "rate_bp", "rule", "expected"),
    [
        # IDR: 11% of Rp 12.345 = 1357.95 -> 1358 half-up, 1357 down
        (12_345, 1_100, HALF_UP, 1_358),
        (12_345, 1_100, DOWN, 1_357),
        # USD: 10% of $0.25 = 2.5 cents -> 3 half-up, 2 half-even
        (25, 1_000, HALF_UP, 3),
        (25, 1_000, HALF_EVEN, 2),
        # USD: 7.25% of $19.99 = 144.9275 cents -> 145 (any nearest rule), 144 down
        (1_999, 725, HALF_UP, 145),
        (1_999, 725, HALF_EVEN, 145),
        (1_999, 725, DOWN, 144),
        (1_999, 725, UP, 145),
    ],
)
def test_percent_of_in_basis_points(
    amount_minor: int, rate_bp: int, rule: RoundingRule, expected: int
) -> None:
    assert percent_of(amount_minor, rate_bp, rule) == expected


@pytest.mark.parametrize(
    ("amount_minor", "step_minor", "rule", "expected"),
    [
        # IDR to Rp 100: 12.345 -> 12.300 (45 < 50); 12.350 -> 12.400 half-up, 12.400 half-even
        (12_345, 100, HALF_UP, 12_300),
        (12_350, 100, HALF_UP, 12_400),
        (12_350, 100, HALF_EVEN, 12_400),  # 123.5 -> 124 (even)
        (12_250, 100, HALF_EVEN, 12_200),  # 122.5 -> 122 (even)
        (12_301, 100, UP, 12_400),
        (12_399, 100, DOWN, 12_300),
        # USD to 0.05 (5 cents): $10.02 -> $10.00, $10.03 -> $10.05, $10.025 is no amount
        (1_002, 5, HALF_UP, 1_000),
        (1_003, 5, HALF_UP, 1_005),
        (1_007, 5, HALF_UP, 1_005),
        (1_008, 5, HALF_UP, 1_010),
        (1_001, 5, UP, 1_005),
        (1_004, 5, DOWN, 1_000),
    ],
)
def test_cash_rounding_to_a_step(
    amount_minor: int, step_minor: int, rule: RoundingRule, expected: int
) -> None:
    assert round_to_step(amount_minor, step_minor, rule) == expected


@pytest.mark.parametrize(
    ("total_minor", "weights", "expected"),
    [
        # 100 over three equal weights: 33.33 each, the one unit left goes to the first
        (100, [1, 1, 1], [34, 33, 33]),
        # Rp 1.000 over 3:7 = 300, 700 exactly
        (1_000, [3, 7], [300, 700]),
        # 10 over 1:2:2 = 2, 4, 4
        (10, [1, 2, 2], [2, 4, 4]),
        # 5 over 30:20:50 = 1.5, 1, 2.5 -> floors 1, 1, 2 (4); one left, remainders .5 and .5 tie,
        # the earlier weight wins: 2, 1, 2
        (5, [30, 20, 50], [2, 1, 2]),
        # a negative total mirrors the positive split
        (-100, [1, 1, 1], [-34, -33, -33]),
        (0, [0, 0], [0, 0]),
    ],
)
def test_allocate_by_largest_remainder(
    total_minor: int, weights: list[int], expected: list[int]
) -> None:
    assert allocate(total_minor, weights) == expected


@given(
    st.integers(-(10**12), 10**12),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=30).filter(any),
)
def test_allocate_always_adds_up_and_stays_close(total_minor: int, weights: list[int]) -> None:
    parts = allocate(total_minor, weights)
    assert sum(parts) == total_minor
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(Fraction(part) - Fraction(total_minor * weight, weight_sum)) < 1


@given(st.integers(-(10**9), 10**9), st.integers(1, 10**6), st.sampled_from(list(RoundingRule)))
def test_divide_agrees_with_decimal_rounding(
    numerator: int, denominator: int, rule: RoundingRule
) -> None:
    from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, localcontext

    decimal_rule = {
        HALF_UP: ROUND_HALF_UP,
        HALF_EVEN: ROUND_HALF_EVEN,
        DOWN: ROUND_DOWN,
        UP: ROUND_UP,
    }[rule]
    with localcontext() as context:
        context.prec = 60
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(
            Decimal(1), rounding=decimal_rule
        )
    assert divide(numerator, denominator, rule) == int(expected)


@pytest.mark.parametrize("bad", [2.5, True, "3"])
def test_floats_and_other_non_exact_values_are_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        round_rational(bad)  # type: ignore[arg-type]


def test_bad_steps_and_weights_are_refused() -> None:
    with pytest.raises(ValueError):
        round_to_step(100, 0)
    with pytest.raises(ValueError):
        allocate(10, [1, -1])
    with pytest.raises(ValueError):
        allocate(10, [0, 0])
    with pytest.raises(ValueError):
        round_rational(Decimal("NaN"))
    with pytest.raises(TypeError):
        percent_of(100, 10.0)  # type: ignore[arg-type]
