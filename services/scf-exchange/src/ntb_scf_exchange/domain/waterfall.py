"""Securitization: a receivable pool tranched into senior / mezzanine / equity, and the
payment waterfall that pays the pool's collections to the tranches.

Sequential-pay waterfall of one collection period over one cash account: first each
tranche's interest (principal x coupon x days / 360) by seniority, then principal by
seniority up to what each is owed, then any excess to the most junior tranche.
Losses therefore hit the most junior tranche first. Pure: integers in minor units."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ntb_scf_exchange.domain.money import CONTEXT, to_units
from ntb_scf_exchange.domain.pricing import DAY_BASIS


@dataclass(frozen=True)
class TrancheTerms:
    name: str
    seniority: int  # 1 = most senior
    principal_units: int
    coupon_rate: Decimal


@dataclass(frozen=True)
class TranchePayment:
    name: str
    interest_due: int
    interest_paid: int
    principal_paid: int
    excess_paid: int
    principal_loss: int

    @property
    def total_paid(self) -> int:
        return self.interest_paid + self.principal_paid + self.excess_paid


def tranche_principals(pool_face_units: int, shares: list[tuple[str, Decimal]]) -> dict[str, int]:
    """Principal = pool face x share rounded down; the rounding rest goes to the most
    junior (last) tranche, so principals always sum to the pool face."""
    assert sum((s for _, s in shares), Decimal(0)) == 1, "shares sum to exactly 1"
    principals = {name: int(CONTEXT.multiply(Decimal(pool_face_units), share))
                  for name, share in shares}
    junior = shares[-1][0]
    principals[junior] += pool_face_units - sum(principals.values())
    return principals


def run_waterfall(tranches: list[TrancheTerms], *, collections_units: int, days: int
                  ) -> list[TranchePayment]:
    assert collections_units >= 0 and days >= 0
    ordered = sorted(tranches, key=lambda t: t.seniority)
    cash = collections_units
    interest_due = {t.name: to_units(CONTEXT.divide(CONTEXT.multiply(
        CONTEXT.multiply(Decimal(t.principal_units), t.coupon_rate), Decimal(days)),
        Decimal(DAY_BASIS))) for t in ordered}
    interest_paid: dict[str, int] = {}
    for t in ordered:
        interest_paid[t.name] = min(cash, interest_due[t.name])
        cash -= interest_paid[t.name]
    principal_paid: dict[str, int] = {}
    for t in ordered:
        principal_paid[t.name] = min(cash, t.principal_units)
        cash -= principal_paid[t.name]
    excess = {t.name: 0 for t in ordered}
    excess[ordered[-1].name] = cash
    payments = [TranchePayment(
        name=t.name, interest_due=interest_due[t.name], interest_paid=interest_paid[t.name],
        principal_paid=principal_paid[t.name], excess_paid=excess[t.name],
        principal_loss=t.principal_units - principal_paid[t.name]) for t in ordered]
    assert sum(p.total_paid for p in payments) == collections_units, "cash is conserved"
    return payments
