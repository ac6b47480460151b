"""Money in integer minor units, and the one decimal context every rate uses."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal

# Rates, shares and conversions: 38 significant digits, half-even; amounts are rounded
# to the minor unit once, at the end of a computation (never a float).
CONTEXT = Context(prec=38, rounding=ROUND_HALF_EVEN)
ONE = Decimal(1)


@dataclass(frozen=True, order=True)
class Money:
    asset: str
    units: int

    def __post_init__(self) -> None:
        assert isinstance(self.units, int), "money is integer minor units"

    def plus(self, other: Money) -> Money:
        assert other.asset == self.asset, f"{self.asset} + {other.asset}"
        return Money(self.asset, self.units + other.units)

    def minus(self, other: Money) -> Money:
        assert other.asset == self.asset, f"{self.asset} - {other.asset}"
        return Money(self.asset, self.units - other.units)

    @staticmethod
    def zero(asset: str) -> Money:
        return Money(asset, 0)


def to_units(amount: Decimal) -> int:
    """Round a computed amount (in minor units) half-even to a whole minor unit."""
    return int(amount.quantize(ONE, rounding=ROUND_HALF_EVEN, context=CONTEXT))


def parse_rate(text: str) -> Decimal | None:
    """A plain decimal string (no exponent, NaN or Infinity), or None."""
    stripped = text.strip()
    if not stripped or any(c not in "0123456789.-" for c in stripped):
        return None
    try:
        value = CONTEXT.create_decimal(stripped)
    except ArithmeticError:
        return None
    return value if value.is_finite() else None
