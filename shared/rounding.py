"""The one place where money is rounded: named rules, exact rationals, cash steps, allocation.

Everything here works on Python ints (and exact Fraction/Decimal on the way in),
so a terminal and the server round the same amount to the same minor unit.
Floats are refused: a float has already lost the exact value.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

BASIS_POINTS = 10_000
"""100% in basis points: percentages are integers, 1 bp = 0.01%."""


class RoundingRule(StrEnum):
    """How a value between two minor units becomes one of them."""

    HALF_UP = "half_up"
    """Ties away from zero (2.5 -> 3, -2.5 -> -3); the per-line rule for prices and tax."""
    HALF_EVEN = "half_even"
    """Ties to the even neighbour (2.5 -> 2, 3.5 -> 4); banker's rounding."""
    DOWN = "down"
    """Toward zero (2.9 -> 2, -2.9 -> -2); never charges more than the exact value."""
    UP = "up"
    """Away from zero (2.1 -> 3, -2.1 -> -3)."""


def _reject_non_integer(value: object, what: str) -> int:
    """Return value as int, refusing bool, float and anything else that is not exactly an int."""
    if type(value) is not int:
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    return value


def divide(numerator: int, denominator: int, rule: RoundingRule = RoundingRule.HALF_UP) -> int:
    """Round numerator/denominator to an int by rule, in exact integer arithmetic."""
    if type(numerator) is not int or type(denominator) is not int:
        _reject_non_integer(numerator, "numerator")
        _reject_non_integer(denominator, "denominator")
    if rule is RoundingRule.HALF_UP and numerator >= 0 and denominator > 0:
        # The common case (prices, tax, discounts) in one integer expression.
        return (2 * numerator + denominator) // (2 * denominator)
    if denominator == 0:
        raise ZeroDivisionError("denominator must not be zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    negative = numerator < 0
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder:
        twice = 2 * remainder
        if rule is RoundingRule.UP:
            quotient += 1
        elif rule is RoundingRule.HALF_UP:
            if twice >= denominator:
                quotient += 1
        elif rule is RoundingRule.HALF_EVEN:
            if twice > denominator or (twice == denominator and quotient % 2 == 1):
                quotient += 1
        elif rule is not RoundingRule.DOWN:
            raise ValueError(f"unknown rounding rule {rule!r}")
    return -quotient if negative else quotient


def round_rational(
    value: Fraction | Decimal | int, rule: RoundingRule = RoundingRule.HALF_UP
) -> int:
    """Round an exact rational value (Fraction, finite Decimal or int) to an int by rule."""
    if isinstance(value, (bool, float)):
        raise TypeError(f"refusing {type(value).__name__}: money needs an exact value")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot round non-finite Decimal {value}")
        numerator, denominator = value.as_integer_ratio()
        return divide(numerator, denominator, rule)
    if isinstance(value, Fraction):
        return divide(value.numerator, value.denominator, rule)
    raise TypeError(f"cannot round {type(value).__name__}: use Fraction, Decimal or int")


def scale(
    amount_minor: int, numerator: int, denominator: int, rule: RoundingRule = RoundingRule.HALF_UP
) -> int:
    """amount_minor * numerator / denominator rounded by rule (a ratio of an amount, no float)."""
    _reject_non_integer(amount_minor, "amount_minor")
    return divide(amount_minor * numerator, denominator, rule)


def percent_of(amount_minor: int, rate_bp: int, rule: RoundingRule = RoundingRule.HALF_UP) -> int:
    """rate_bp basis points of amount_minor, rounded by rule (10% of 12345 = 1235 half-up)."""
    if type(amount_minor) is not int or type(rate_bp) is not int:
        _reject_non_integer(amount_minor, "amount_minor")
        _reject_non_integer(rate_bp, "rate_bp")
    return divide(amount_minor * rate_bp, BASIS_POINTS, rule)


def round_to_step(
    amount_minor: int, step_minor: int, rule: RoundingRule = RoundingRule.HALF_UP
) -> int:
    """Round an amount to a multiple of step_minor (cash rounding: Rp 100, or 5 cents)."""
    _reject_non_integer(amount_minor, "amount_minor")
    _reject_non_integer(step_minor, "step_minor")
    if step_minor <= 0:
        raise ValueError(f"cash rounding step must be positive, got {step_minor}")
    return divide(amount_minor, step_minor, rule) * step_minor


def allocate(total_minor: int, weights: Sequence[int]) -> list[int]:
    """Split total_minor across weights by largest remainder; the parts add up exactly.

    Each part is total * weight / sum(weights) rounded down, then the units left over
    go one each to the largest fractional remainders; ties go to the earlier weight,
    so the split is deterministic. A negative total is split as its mirror image.
    """
    _reject_non_integer(total_minor, "total_minor")
    if not weights:
        if total_minor == 0:
            return []
        raise ValueError("cannot allocate a non-zero amount over no weights")
    if not set(map(type, weights)) <= {int}:
        for weight in weights:
            _reject_non_integer(weight, "weight")
    if min(weights) < 0:
        raise ValueError(f"allocation weights must not be negative, got {min(weights)}")
    weight_sum = sum(weights)
    if weight_sum == 0:
        if total_minor == 0:
            return [0] * len(weights)
        raise ValueError("cannot allocate a non-zero amount over zero weights")
    if len(weights) == 1:
        return [total_minor]
    magnitude = abs(total_minor)
    scaled = [magnitude * weight for weight in weights]
    parts = [share // weight_sum for share in scaled]
    left_over = magnitude - sum(parts)
    if left_over:
        remainders = [share % weight_sum for share in scaled]
        # A stable sort, reversed, keeps equal remainders in weight order: earlier wins.
        ranked = sorted(range(len(parts)), key=remainders.__getitem__, reverse=True)
        for index in ranked[:left_over]:
            parts[index] += 1
    return parts if total_minor >= 0 else [-part for part in parts]
