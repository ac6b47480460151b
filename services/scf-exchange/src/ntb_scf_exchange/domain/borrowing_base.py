"""Receivables pledge: the borrowing base - how much a holder may borrow against its
receivables. Eligibility rules (asset-based lending practice):

- over 90 days: a receivable more than 90 days past its invoice date is ineligible;
- cross-aging: when over-90 receivables make up at least half (by face) of what one
  obligor owes, all of that obligor's receivables are ineligible;
- concentration: one obligor's eligible receivables count up to a cap share of all
  eligible receivables before this cap (the excess is ineligible);
- advance rate: the base is the eligible amount x the advance rate.
Pure; amounts in minor units of one asset."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ntb_scf_exchange.domain.money import CONTEXT

OVER_DAYS = 90


@dataclass(frozen=True)
class Rules:
    advance_rate: Decimal = Decimal("0.80")
    concentration_cap: Decimal = Decimal("0.30")  # share of all eligible, per obligor
    cross_aging_share: Decimal = Decimal("0.50")


@dataclass(frozen=True)
class Receivable:
    receivable_id: str
    obligor_id: str
    face_units: int
    invoice_date: date


@dataclass(frozen=True)
class Line:
    receivable_id: str
    obligor_id: str
    face_units: int
    eligible_units: int
    reason: str  # "" when wholly eligible: OVER_90_DAYS | CROSS_AGED | CONCENTRATION


@dataclass(frozen=True)
class BorrowingBase:
    lines: tuple[Line, ...]
    eligible_units: int
    base_units: int

    def available_for(self, receivable_id: str, rules: Rules) -> int:
        """What one receivable adds to the base (its eligible part x the advance rate)."""
        for line in self.lines:
            if line.receivable_id == receivable_id:
                return int(CONTEXT.multiply(Decimal(line.eligible_units), rules.advance_rate))
        return 0


def borrowing_base(receivables: list[Receivable], *, today: date, rules: Rules
                   ) -> BorrowingBase:
    aged = {r.receivable_id for r in receivables if (today - r.invoice_date).days > OVER_DAYS}
    owed: dict[str, int] = defaultdict(int)
    aged_owed: dict[str, int] = defaultdict(int)
    for r in receivables:
        owed[r.obligor_id] += r.face_units
        if r.receivable_id in aged:
            aged_owed[r.obligor_id] += r.face_units
    cross_aged = {o for o in owed
                  if aged_owed[o] and Decimal(aged_owed[o]) >= rules.cross_aging_share * owed[o]}
    eligible = {r.receivable_id: (0 if r.receivable_id in aged or r.obligor_id in cross_aged
                                  else r.face_units) for r in receivables}
    reasons = {r.receivable_id: ("OVER_90_DAYS" if r.receivable_id in aged else
                                 "CROSS_AGED" if r.obligor_id in cross_aged else "")
               for r in receivables}
    _apply_concentration(receivables, eligible, reasons, rules.concentration_cap)
    lines = tuple(Line(r.receivable_id, r.obligor_id, r.face_units, eligible[r.receivable_id],
                       reasons[r.receivable_id]) for r in receivables)
    total = sum(line.eligible_units for line in lines)
    return BorrowingBase(lines, total, int(CONTEXT.multiply(Decimal(total),
                                                             rules.advance_rate)))


def _apply_concentration(receivables: list[Receivable], eligible: dict[str, int],
                         reasons: dict[str, str], cap: Decimal) -> None:
    """Cap each obligor at `cap` of all eligible receivables (counted before this cap,
    as credit agreements define it); an obligor's newest receivables lose eligibility
    first."""
    total = sum(eligible.values())
    limit = int(CONTEXT.multiply(cap, Decimal(total)))
    by_obligor: dict[str, int] = defaultdict(int)
    for r in receivables:
        by_obligor[r.obligor_id] += eligible[r.receivable_id]
    for obligor, amount in by_obligor.items():
        excess = amount - limit
        if excess <= 0:
            continue
        mine = sorted((r for r in receivables if r.obligor_id == obligor),
                      key=lambda r: (r.invoice_date, r.receivable_id), reverse=True)
        for r in mine:
            cut = min(excess, eligible[r.receivable_id])
            if cut:
                eligible[r.receivable_id] -= cut
                reasons[r.receivable_id] = "CONCENTRATION"
                excess -= cut
