"""Conversion of minor units between currencies at a decimal rate."""

from __future__ import annotations

from decimal import Decimal

from ntb_scf_exchange.domain.money import CONTEXT, Money, to_units

# ISO 4217 minor-unit exponents that are not 2.
_EXPONENT = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3,
             "TND": 3, "JOD": 3, "LBC": 6}


def exponent(asset: str) -> int:
    return _EXPONENT.get(asset, 2)


def convert(amount: Money, *, to_asset: str, rate: Decimal) -> Money:
    """`rate` is to_asset per 1 amount.asset (major units); half-even to the minor unit."""
    shift = Decimal(10) ** (exponent(to_asset) - exponent(amount.asset))
    exact = CONTEXT.multiply(CONTEXT.multiply(Decimal(amount.units), rate), shift)
    return Money(to_asset, to_units(exact))
