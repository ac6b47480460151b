"""The pure rules of intangible-bank, without I/O: valuation arithmetic (rounding
half-even only at the end), the loan schedule and interest, the gene map hash chain
(a changed entry breaks it), the rating scale and the document round trip used for
storage and digests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from ntb_intangible_bank.domain import valuation as v
from ntb_intangible_bank.domain.gene import ZERO_SHA256, GeneEntry, GeneEventKind, chain_is_valid
from ntb_intangible_bank.domain.loans import Loan, LoanStatus, build_schedule
from ntb_intangible_bank.domain.rating import grade
from ntbkit.documents import dump, load_as
from ntbkit.errors import FailedPrecondition

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_cost_approach_rounds_once_at_the_end() -> None:
    inputs = v.CostInputs((v.CreatorLabor("a", Decimal("0.5"), 1),), 0, 0, Decimal(0),
                          Decimal(0), Decimal(0), Decimal(0))
    assert v.cost_approach(inputs).value_fen == 0  # 0.5 fen rounds half-even to 0
    three_halves = v.CostInputs((v.CreatorLabor("a", Decimal("1.5"), 1),), 0, 0, Decimal(0),
                                Decimal(0), Decimal(0), Decimal(0))
    assert v.cost_approach(three_halves).value_fen == 2
    assert not v.cost_approach(v.CostInputs((), 0, 0, Decimal(0), Decimal(0), Decimal(0),
                                            Decimal(0))).applicable


def test_income_years_are_the_shorter_life() -> None:
    inputs = v.IncomeInputs((1_000,), Decimal("0.1"), Decimal("0.1"), Decimal(0), 10)
    assert v.income_years(inputs, 365 * 3 + 364) == 3
    assert v.income_years(inputs, None) == 10
    result, sensitivity = v.income_approach(inputs, 100)
    assert not result.applicable and sensitivity is None


def test_market_median_and_reconciliation() -> None:
    def comp(price: int, adjustment: str = "1", similarity: str = "1") -> v.Comparable:
        return v.Comparable("", price, Decimal(similarity), Decimal(adjustment), "")
    odd = v.market_approach(v.MarketInputs((comp(10), comp(30, "2"), comp(20))))
    assert odd.value_fen == 20  # adjusted 10, 60, 20
    even = v.market_approach(v.MarketInputs((comp(1), comp(2), comp(4), comp(5),
                                             comp(1000, similarity="0"))))
    assert even.value_fen == 3  # the dissimilar one is left out
    weights, value, spread = v.reconcile(v.ApproachResult(True, 100, ""),
                                         v.ApproachResult(False, 0, ""), even,
                                         v.Weights(Decimal("0.5"), Decimal("0.25"),
                                                   Decimal("0.25")))
    assert (weights.cost, weights.income, value) == (Decimal("0.666667"), 0, 68)
    assert spread == Decimal("1.4265")  # (100 - 3) / 68
    with pytest.raises(FailedPrecondition):
        v.reconcile(v.ApproachResult(False, 0, ""), v.ApproachResult(False, 0, ""),
                    v.ApproachResult(False, 0, ""), None)


def test_schedule_splits_principal_and_ends_on_maturity() -> None:
    schedule = build_schedule(1_000, date(2026, 1, 1), 75)
    assert [(i.due_date.day, i.principal_due_fen) for i in schedule] == [
        (31, 333), (2, 333), (17, 334)]
    assert schedule[-1].due_date == date(2026, 1, 1) + timedelta(days=75)
    assert build_schedule(7, date(2026, 1, 1), 1)[0].principal_due_fen == 7


def _loan() -> Loan:
    return Loan("l", "b", "x", "a", ("c",), 365_000, Decimal("0.10"), 60, "", "v", 1_000_000,
                Decimal("0.365"), Decimal("0.5"), "p", NOW)


def test_interest_is_simple_actual_365_and_paid_first() -> None:
    loan = _loan()
    loan.approve(NOW)
    loan.disburse("t", NOW)
    later = NOW + timedelta(days=10)
    assert loan.accrued_interest_fen(later) == 1_000  # 365,000 x 0.10 x 10 / 365
    paid = loan.repay(600, "r1", later)
    assert (paid.interest_part_fen, paid.principal_part_fen) == (600, 0)
    assert loan.accrued_interest_fen(later) == 400
    loan.repay(400 + 365_000, "r2", later)
    assert loan.status is LoanStatus.REPAID and loan.interest_paid_fen == 1_000
    with pytest.raises(FailedPrecondition) as late:
        loan.declare_default("x", later + timedelta(days=90))
    assert late.value.reason == "LOAN_STATUS_INVALID"


def test_overdue_means_an_installment_unpaid_after_its_due_day() -> None:
    loan = _loan()
    loan.approve(NOW)
    loan.disburse("t", NOW)
    assert not loan.overdue(NOW + timedelta(days=30))
    assert loan.overdue(NOW + timedelta(days=31))
    loan.repay(182_500 + loan.accrued_interest_fen(NOW + timedelta(days=31)), "r",
               NOW + timedelta(days=31))
    assert not loan.overdue(NOW + timedelta(days=31))


def _entry(sequence: int, previous: bytes, summary: str = "x") -> GeneEntry:
    return GeneEntry("a", sequence, GeneEventKind.CREATED, NOW, "actor", summary, "s",
                     bytes(32), previous, "anchor")


def test_a_changed_gene_entry_breaks_the_chain() -> None:
    first = _entry(1, ZERO_SHA256)
    second = _entry(2, first.entry_sha256)
    assert chain_is_valid([first, second])
    assert not chain_is_valid([_entry(1, ZERO_SHA256, "rewritten"), second])
    assert not chain_is_valid([second])
    assert b'"occurred_at":"2026-01-01T00:00:00.000000+00:00"' in first.canonical()


def test_rating_scale() -> None:
    assert [grade(Decimal(s)) for s in ("100", "90", "89.99", "50", "19.99", "0")] == [
        "AAA", "AAA", "AA", "BB", "C", "C"]


def test_documents_round_trip() -> None:
    loan = _loan()
    loan.approve(NOW)
    loan.disburse("t", NOW)
    assert load_as(Loan, dump(loan)) == loan
    entry = _entry(1, ZERO_SHA256)
    assert load_as(GeneEntry, dump(entry)) == entry
