"""Receivables pledge: the borrowing base's eligibility rules, amounts exact."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ntb_scf_exchange.domain.borrowing_base import Receivable, Rules, borrowing_base

TODAY = date(2026, 6, 30)


def owed(receivable_id: str, obligor: str, units: int, age_days: int) -> Receivable:
    return Receivable(receivable_id, obligor, units, TODAY - timedelta(days=age_days))


def test_over_90_days_and_cross_aging_make_receivables_ineligible() -> None:
    base = borrowing_base([
        owed("a1", "A", 100_000, 30), owed("a2", "A", 50_000, 91),  # A: 1/3 aged: only a2 out
        owed("b1", "B", 40_000, 100), owed("b2", "B", 60_000, 10),  # B: 40% aged: only b1 out
        owed("c1", "C", 70_000, 120), owed("c2", "C", 30_000, 5),  # C: 70% aged: all out
        owed("d1", "D", 90_000, 0),
    ], today=TODAY, rules=Rules(concentration_cap=Decimal(1)))
    lines = {line.receivable_id: line for line in base.lines}
    assert {k: (v.eligible_units, v.reason) for k, v in lines.items()} == {
        "a1": (100_000, ""), "a2": (0, "OVER_90_DAYS"), "b1": (0, "OVER_90_DAYS"),
        "b2": (60_000, ""), "c1": (0, "OVER_90_DAYS"), "c2": (0, "CROSS_AGED"),
        "d1": (90_000, "")}
    assert base.eligible_units == 250_000
    assert base.base_units == 200_000  # x 0.80


def test_one_obligor_counts_up_to_the_concentration_cap() -> None:
    base = borrowing_base([owed("big1", "BIG", 500_000, 10), owed("big2", "BIG", 300_000, 1),
                           owed("s1", "S", 100_000, 5), owed("t1", "T", 100_000, 5)],
                          today=TODAY, rules=Rules(concentration_cap=Decimal("0.30")))
    lines = {line.receivable_id: line for line in base.lines}
    # 30% of the 1,000,000 eligible: BIG counts 300,000 (its newest receivable cut first)
    assert (lines["big2"].eligible_units, lines["big2"].reason) == (0, "CONCENTRATION")
    assert (lines["big1"].eligible_units, lines["big1"].reason) == (300_000, "CONCENTRATION")
    assert (lines["s1"].eligible_units, lines["s1"].reason) == (100_000, "")
    assert base.eligible_units == 500_000
    assert base.base_units == 400_000
    assert base.available_for("s1", Rules()) == 80_000
