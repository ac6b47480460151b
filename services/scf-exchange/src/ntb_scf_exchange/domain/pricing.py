"""Pricing from data (DESIGN 4.5, paper 2.3.3): r = benchmark + margin by the
obligor's rating + margin by tenor + an adjustment by the seller's history on the
platform; straight discount D = F x a x r x t / B and its present-value form.

Every table is data of one model version; amounts are rounded half-even to the minor
unit once, at the end."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ntb_scf_exchange.domain.money import CONTEXT, ONE, Money, to_units

MODEL_VERSION = 1
DAY_BASIS = 360
D = Decimal

# One-year benchmark per currency (CNY: the loan prime rate order of magnitude).
BENCHMARK = {"CNY": D("0.0345"), "USD": D("0.0530"), "EUR": D("0.0400"), "JPY": D("0.0100")}
BENCHMARK_DEFAULT = D("0.0500")
RATING_MARGIN = {"AAA": D("0.0030"), "AA": D("0.0060"), "A": D("0.0100"), "BBB": D("0.0180"),
                 "BB": D("0.0300"), "B": D("0.0500"), "CCC": D("0.0800"), "CC": D("0.1000"),
                 "C": D("0.1200")}
UNRATED_MARGIN = D("0.0600")
# (days up to, margin): longer money costs more.
TENOR_MARGIN = ((30, D("0")), (90, D("0.0010")), (180, D("0.0025")), (360, D("0.0050")))
TENOR_MARGIN_LONGER = D("0.0080")
# Seller history: stability lowers, defaults and dilution raise, a short history costs.
SHORT_HISTORY = D("0.0020")
STABLE_HISTORY = D("-0.0010")  # >= STABLE_SETTLED_MIN settled on time, none defaulted
STABLE_SETTLED_MIN = 3
LARGE_VOLUME = D("-0.0005")  # settled volume >= LARGE_VOLUME_UNITS minor units
LARGE_VOLUME_UNITS = 100_000_000  # 1,000,000.00
LATE_PENALTY = D("0.0010")  # per late settlement, capped
DEFAULT_PENALTY = D("0.0100")  # per default, capped
PENALTY_CAP = D("0.0300")
DILUTION_WEIGHT = D("0.0500")  # x share of cancelled invoices
RATE_FLOOR = D("0.0001")


@dataclass(frozen=True)
class SellerHistory:
    settled_volume_units: int = 0
    settled_on_time: int = 0
    settled_late: int = 0
    defaulted: int = 0
    invoices_issued: int = 0
    invoices_cancelled: int = 0

    @property
    def dilution(self) -> Decimal:
        if self.invoices_issued == 0:
            return D(0)
        return CONTEXT.divide(D(self.invoices_cancelled), D(self.invoices_issued))


@dataclass(frozen=True)
class Reason:
    code: str
    description: str


@dataclass(frozen=True)
class Quote:
    face: Money
    days: int
    obligor_rating: str
    base_rate: Decimal
    rating_spread: Decimal
    tenor_spread: Decimal
    history_adjustment: Decimal
    annual_rate: Decimal
    advance_rate: Decimal
    discount: Money
    advance: Money
    present_value_discount: Money
    reasons: tuple[Reason, ...]
    history: SellerHistory


def tenor_margin(days: int) -> Decimal:
    for up_to, margin in TENOR_MARGIN:
        if days <= up_to:
            return margin
    return TENOR_MARGIN_LONGER


def history_adjustment(history: SellerHistory) -> tuple[Decimal, tuple[Reason, ...]]:
    reasons: list[Reason] = []
    adjustment = D(0)
    settled = history.settled_on_time + history.settled_late
    if settled == 0 and history.defaulted == 0:
        adjustment += SHORT_HISTORY
        reasons.append(Reason("SHORT_HISTORY", "no financing settled on the platform yet"))
    if history.settled_on_time >= STABLE_SETTLED_MIN and history.defaulted == 0:
        adjustment += STABLE_HISTORY
        reasons.append(Reason("STABLE_HISTORY",
                              f"{history.settled_on_time} financings settled on time"))
    if history.settled_volume_units >= LARGE_VOLUME_UNITS:
        adjustment += LARGE_VOLUME
        reasons.append(Reason("LARGE_VOLUME", "large volume settled on the platform"))
    penalty = min(PENALTY_CAP, LATE_PENALTY * history.settled_late
                  + DEFAULT_PENALTY * history.defaulted)
    if penalty:
        adjustment += penalty
        reasons.append(Reason("LATE_OR_DEFAULTED",
                              f"{history.settled_late} late, {history.defaulted} defaulted"))
    if history.dilution > 0:
        adjustment += CONTEXT.multiply(DILUTION_WEIGHT, history.dilution)
        reasons.append(Reason("DILUTION", f"{history.dilution} of invoices cancelled"))
    return adjustment, tuple(reasons)


def annual_rate(*, asset: str, rating: str, days: int, history: SellerHistory
                ) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal, tuple[Reason, ...]]:
    base = BENCHMARK.get(asset, BENCHMARK_DEFAULT)
    rating_spread = RATING_MARGIN.get(rating, UNRATED_MARGIN)
    tenor = tenor_margin(days)
    adjustment, reasons = history_adjustment(history)
    rate = max(RATE_FLOOR, base + rating_spread + tenor + adjustment)
    if rating not in RATING_MARGIN:
        reasons = (Reason("OBLIGOR_UNRATED", "no enterprise rating for the obligor"), *reasons)
    return base, rating_spread, tenor, adjustment, rate, reasons


def straight_discount(face: Money, *, advance_rate: Decimal, rate: Decimal, days: int) -> Money:
    """D = F x a x r x t / B, half-even to the minor unit."""
    exact = CONTEXT.divide(
        CONTEXT.multiply(CONTEXT.multiply(CONTEXT.multiply(D(face.units), advance_rate), rate),
                         D(days)), D(DAY_BASIS))
    return Money(face.asset, to_units(exact))


def present_value_discount(face: Money, *, advance_rate: Decimal, rate: Decimal,
                           days: int) -> Money:
    """F x a - F x a / (1 + r t / B): interest deducted in advance at simple interest."""
    principal = CONTEXT.multiply(D(face.units), advance_rate)
    growth = CONTEXT.add(ONE, CONTEXT.divide(CONTEXT.multiply(rate, D(days)), D(DAY_BASIS)))
    return Money(face.asset, to_units(principal - CONTEXT.divide(principal, growth)))


def advance(face: Money, *, advance_rate: Decimal, discount: Money) -> Money:
    return Money(face.asset, to_units(CONTEXT.multiply(D(face.units), advance_rate))
                 - discount.units)


def quote(face: Money, *, days: int, rating: str, history: SellerHistory,
          advance_rate: Decimal = ONE) -> Quote:
    assert days >= 1 and 0 < advance_rate <= 1
    base, spread, tenor, adjustment, rate, reasons = annual_rate(
        asset=face.asset, rating=rating, days=days, history=history)
    discount = straight_discount(face, advance_rate=advance_rate, rate=rate, days=days)
    return Quote(face=face, days=days, obligor_rating=rating, base_rate=base,
                 rating_spread=spread, tenor_spread=tenor, history_adjustment=adjustment,
                 annual_rate=rate, advance_rate=advance_rate, discount=discount,
                 advance=advance(face, advance_rate=advance_rate, discount=discount),
                 present_value_discount=present_value_discount(
                     face, advance_rate=advance_rate, rate=rate, days=days),
                 reasons=reasons, history=history)


def late_fee(face: Money, *, rate: Decimal, days_late: int) -> Money:
    """Face x late-fee rate x days late / B."""
    if days_late <= 0:
        return Money.zero(face.asset)
    exact = CONTEXT.divide(CONTEXT.multiply(CONTEXT.multiply(D(face.units), rate),
                                            D(days_late)), D(DAY_BASIS))
    return Money(face.asset, to_units(exact))
