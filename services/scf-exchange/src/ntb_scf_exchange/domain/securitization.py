"""Securitization: a pool of payables held by a sponsor, tranched by seniority; investors
subscribe; at wind-up the pool's collections run through the waterfall (domain/
waterfall.py) and each tranche's share is paid to its investors pro rata."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from ntb_scf_exchange.domain.money import CONTEXT, Money
from ntb_scf_exchange.domain.payables import Payable, PayableStatus
from ntb_scf_exchange.domain.waterfall import (
    TrancheTerms,
    run_waterfall,
    tranche_principals,
)
from ntbkit.errors import FailedPrecondition


class SecuritizationStatus(enum.Enum):
    SUBSCRIBING = "SUBSCRIBING"
    ISSUED = "ISSUED"
    RETIRED = "RETIRED"


@dataclass(frozen=True)
class TrancheSpec:
    name: str
    seniority: int
    share: Decimal
    coupon_rate: Decimal


@dataclass(frozen=True)
class Tranche:
    tranche_id: str
    name: str
    seniority: int
    share: Decimal
    coupon_rate: Decimal
    principal: Money
    rating: str
    subscribed_units: int = 0


@dataclass(frozen=True)
class Subscription:
    tranche_id: str
    investor_id: str
    amount: Money
    transfer_id: str


@dataclass(frozen=True)
class Payout:
    tranche_id: str
    interest_due: int
    interest_paid: int
    principal_paid: int
    excess_paid: int
    principal_loss: int

    @property
    def total(self) -> int:
        return self.interest_paid + self.principal_paid + self.excess_paid


@dataclass(frozen=True)
class Securitization:
    securitization_id: str
    sponsor_id: str
    name: str
    payable_ids: tuple[str, ...]
    pool_face: Money
    weighted_average_days: Decimal
    tranches: tuple[Tranche, ...]
    status: SecuritizationStatus
    created_at: datetime
    wind_up_at: datetime
    last_maturity: date
    subscriptions: tuple[Subscription, ...] = ()
    collections: Money | None = None
    payouts: tuple[Payout, ...] = ()

    def tranche(self, tranche_id: str) -> Tranche:
        for tranche in self.tranches:
            if tranche.tranche_id == tranche_id:
                return tranche
        raise FailedPrecondition("TRANCHE_NOT_FOUND", "no such tranche in the securitization")


def rating_for(subordination: Decimal) -> str:
    """A tranche's rating from the share of the pool below it (the losses it can absorb
    before losing a fen); the equity tranche (nothing below) is unrated."""
    for floor, rating in ((Decimal("0.20"), "AAA"), (Decimal("0.12"), "AA"),
                          (Decimal("0.08"), "A"), (Decimal("0.04"), "BBB"),
                          (Decimal("0.0001"), "BB")):
        if subordination >= floor:
            return rating
    return ""


def structure(*, securitization_id: str, sponsor_id: str, name: str, pool: list[Payable],
              specs: list[TrancheSpec], tranche_ids: list[str], today: date, at: datetime,
              wind_up_at: datetime) -> Securitization:
    assets = {p.face.asset for p in pool}
    if len(assets) != 1:
        raise FailedPrecondition("POOL_ASSETS_DIFFER", "pooled payables share one asset")
    for payable in pool:
        if payable.holder_id != sponsor_id or payable.status is not PayableStatus.OUTSTANDING:
            raise FailedPrecondition("PAYABLE_NOT_POOLABLE",
                                     f"payable {payable.payable_id} is not an outstanding "
                                     "payable of the sponsor")
        if payable.maturity_date <= today:
            raise FailedPrecondition("PAYABLE_MATURED", f"payable {payable.payable_id} matured")
    asset = assets.pop()
    face = sum(p.face.units for p in pool)
    weighted = CONTEXT.divide(Decimal(sum(p.face.units * (p.maturity_date - today).days
                                          for p in pool)), Decimal(face))
    ordered = sorted(zip(specs, tranche_ids, strict=True), key=lambda x: x[0].seniority)
    principals = tranche_principals(face, [(s.name, s.share) for s, _ in ordered])
    tranches = []
    for index, (spec, tranche_id) in enumerate(ordered):
        below = sum((s.share for s, _ in ordered[index + 1:]), Decimal(0))
        tranches.append(Tranche(tranche_id, spec.name, spec.seniority, spec.share,
                                spec.coupon_rate, Money(asset, principals[spec.name]),
                                rating_for(below)))
    return Securitization(
        securitization_id=securitization_id, sponsor_id=sponsor_id, name=name,
        payable_ids=tuple(p.payable_id for p in pool), pool_face=Money(asset, face),
        weighted_average_days=weighted.quantize(Decimal("0.01")), tranches=tuple(tranches),
        status=SecuritizationStatus.SUBSCRIBING, created_at=at, wind_up_at=wind_up_at,
        last_maturity=max(p.maturity_date for p in pool))


def subscribe(pool: Securitization, *, tranche_id: str, investor_id: str, amount: Money,
              transfer_id: str) -> Securitization:
    if pool.status is not SecuritizationStatus.SUBSCRIBING:
        raise FailedPrecondition("SECURITIZATION_NOT_SUBSCRIBING",
                                 f"the securitization is {pool.status.value}")
    tranche = pool.tranche(tranche_id)
    if amount.asset != pool.pool_face.asset:
        raise FailedPrecondition("ASSET_MISMATCH", f"the pool is in {pool.pool_face.asset}")
    if tranche.subscribed_units + amount.units > tranche.principal.units:
        raise FailedPrecondition("TRANCHE_OVERSUBSCRIBED",
                                 "the amount exceeds the tranche's unsubscribed principal")
    tranches = tuple(replace(t, subscribed_units=t.subscribed_units + amount.units)
                     if t.tranche_id == tranche_id else t for t in pool.tranches)
    full = all(t.subscribed_units == t.principal.units for t in tranches)
    return replace(pool, tranches=tranches, subscriptions=(*pool.subscriptions, Subscription(
        tranche_id, investor_id, amount, transfer_id)),
        status=SecuritizationStatus.ISSUED if full else pool.status)


def wind_up(pool: Securitization, *, collections_units: int
            ) -> tuple[Securitization, list[tuple[str, str, int]]]:
    """The waterfall over the collections; returns the pool RETIRED and the payments
    (tranche_id, investor_id, units) its investors get, pro rata to their subscriptions
    (an unsubscribed part stays with the sponsor, as does rounding below a minor unit)."""
    days = (pool.last_maturity - pool.created_at.date()).days
    terms = [TrancheTerms(t.tranche_id, t.seniority, t.principal.units, t.coupon_rate)
             for t in pool.tranches]
    results = run_waterfall(terms, collections_units=collections_units, days=days)
    payouts = tuple(Payout(r.name, r.interest_due, r.interest_paid, r.principal_paid,
                           r.excess_paid, r.principal_loss) for r in results)
    payments: list[tuple[str, str, int]] = []
    for payout in payouts:
        tranche = pool.tranche(payout.tranche_id)
        for sub in (s for s in pool.subscriptions if s.tranche_id == payout.tranche_id):
            units = payout.total * sub.amount.units // tranche.principal.units
            if units:
                payments.append((payout.tranche_id, sub.investor_id, units))
    retired = replace(pool, status=SecuritizationStatus.RETIRED, payouts=payouts,
                      collections=Money(pool.pool_face.asset, collections_units))
    return retired, payments
