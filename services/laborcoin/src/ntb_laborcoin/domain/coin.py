"""Labor Coin policy (paper 3.3): the issuance cap, the coin's price, the fee split.

Units: LBC in micro-coins (10^-6), CNY in fen (10^-2), labor in milli-hours (10^-3),
labor value P in fen per hour. Decimal arithmetic with an explicit context; amounts
are rounded only where the result becomes money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal

from ntbkit.errors import FailedPrecondition

MICRO_PER_LBC = 1_000_000
FEN_PER_CNY = 100
MILLI_PER_HOUR = 1_000
PRICE_PLACES = Decimal("1e-12")
CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Policy:
    """Operator settings; every change is a new version (the table is the audit trail)."""

    version: int
    k: Decimal
    p0: Decimal  # CNY per LBC at genesis
    retired_share: Decimal
    fee_rate: Decimal
    effective_at: datetime
    set_by: str
    reason: str

    def __post_init__(self) -> None:
        assert self.version >= 1
        assert Decimal(0) < self.k <= Decimal(10)
        assert self.p0 > 0
        assert Decimal(0) <= self.retired_share <= Decimal(1)
        assert Decimal(0) <= self.fee_rate <= Decimal("0.2")


@dataclass(frozen=True)
class IssuanceCap:
    cap_units: int
    outstanding_units: int
    labor_value_fen: int  # sum of available hours x P, in fen
    policy: Policy

    @property
    def headroom_units(self) -> int:
        return self.cap_units - self.outstanding_units


def issuance_cap(
    *, weighted_fen_milli_hours: int, outstanding_units: int, policy: Policy
) -> IssuanceCap:
    """M_cap = k x sum(h_i x P_i) / p0, in LBC, rounded down to the micro-coin."""
    labor_value_cny = CONTEXT.divide(
        Decimal(weighted_fen_milli_hours), Decimal(MILLI_PER_HOUR * FEN_PER_CNY))
    cap_lbc = CONTEXT.divide(CONTEXT.multiply(policy.k, labor_value_cny), policy.p0)
    cap_units = int(CONTEXT.multiply(cap_lbc, Decimal(MICRO_PER_LBC)).to_integral_value(
        rounding=ROUND_FLOOR))
    labor_value_fen = weighted_fen_milli_hours // MILLI_PER_HOUR
    return IssuanceCap(cap_units, outstanding_units, labor_value_fen, policy)


def require_headroom(cap: IssuanceCap, amount_units: int) -> None:
    if cap.outstanding_units + amount_units > cap.cap_units:
        raise FailedPrecondition(
            "ISSUANCE_CAP_EXCEEDED",
            f"minting {amount_units} would take outstanding supply to "
            f"{cap.outstanding_units + amount_units} above the cap {cap.cap_units} (micro-LBC)",
            {"cap_units": str(cap.cap_units), "outstanding_units": str(cap.outstanding_units),
             "requested_units": str(amount_units)},
        )


def coin_price(*, reserve_fen: int, outstanding_units: int, policy: Policy) -> Decimal:
    """Net asset value per coin, CNY per LBC; p0 while nothing is outstanding."""
    if outstanding_units <= 0:
        return policy.p0.quantize(PRICE_PLACES, context=CONTEXT)
    reserve_cny = CONTEXT.divide(Decimal(reserve_fen), Decimal(FEN_PER_CNY))
    outstanding_lbc = CONTEXT.divide(Decimal(outstanding_units), Decimal(MICRO_PER_LBC))
    return CONTEXT.divide(reserve_cny, outstanding_lbc).quantize(PRICE_PLACES, context=CONTEXT)


def coins_for(pay_fen: int, price: Decimal) -> int:
    """LBC received for CNY paid: floor(pay / price) to the micro-coin."""
    lbc = CONTEXT.divide(CONTEXT.divide(Decimal(pay_fen), Decimal(FEN_PER_CNY)), price)
    return int(CONTEXT.multiply(lbc, Decimal(MICRO_PER_LBC)).to_integral_value(
        rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class FeeSplit:
    gross: int
    fee: int
    net: int
    retired: int

    def __post_init__(self) -> None:
        assert self.fee + self.net == self.gross and 0 <= self.retired <= self.fee


def split_fee(gross_units: int, policy: Policy) -> FeeSplit:
    """Fee = gross x rate, half-even to the micro-coin; the payee takes the remainder."""
    fee = int(CONTEXT.multiply(Decimal(gross_units), policy.fee_rate).to_integral_value(
        rounding=ROUND_HALF_EVEN))
    retired = int(CONTEXT.multiply(Decimal(fee), policy.retired_share).to_integral_value(
        rounding=ROUND_HALF_EVEN))
    return FeeSplit(gross=gross_units, fee=fee, net=gross_units - fee, retired=retired)


def milli_hours(hours: Decimal) -> int:
    return int(CONTEXT.multiply(hours, Decimal(MILLI_PER_HOUR)).to_integral_value(
        rounding=ROUND_HALF_EVEN))
