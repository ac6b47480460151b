"""Decimal arithmetic with one explicit context, and the rounding rules of the waves."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal

CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)
FACTOR_PLACES = Decimal("0.0001")


def dec(text: str | int) -> Decimal:
    return CONTEXT.create_decimal(text)


def to_int(value: Decimal) -> int:
    """Round half-even to a whole number (fen, points)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN, context=CONTEXT))


def rounded(value: Decimal, places: Decimal = FACTOR_PLACES) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_EVEN, context=CONTEXT)


def interpolate(curve: tuple[tuple[Decimal, Decimal], ...], x: Decimal) -> Decimal:
    """Piecewise-linear through the curve's points, clamped outside them."""
    assert len(curve) >= 2
    if x <= curve[0][0]:
        return curve[0][1]
    for (x0, y0), (x1, y1) in zip(curve, curve[1:], strict=False):
        if x <= x1:
            share = CONTEXT.divide(CONTEXT.subtract(x, x0), CONTEXT.subtract(x1, x0))
            return CONTEXT.add(y0, CONTEXT.multiply(share, CONTEXT.subtract(y1, y0)))
    return curve[-1][1]
