"""Pricing from data (exact discounts in fen) and the securitization waterfall with
losses that wipe out the equity tranche and part of the mezzanine."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ntb_scf_exchange.domain import pricing
from ntb_scf_exchange.domain.currency import convert
from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.domain.waterfall import TrancheTerms, run_waterfall, tranche_principals

D = Decimal


def test_straight_discount_is_face_times_advance_rate_times_rate_times_days_over_360() -> None:
    face = Money("CNY", 1_000_000_00)  # 1,000,000.00 CNY
    # 1,000,000.00 x 0.8 x 0.0435 x 90 / 360 = 8,700.00
    assert pricing.straight_discount(face, advance_rate=D("0.8"), rate=D("0.0435"),
                                     days=90) == Money("CNY", 8_700_00)
    # half-even at the fen: 123.45 x 0.05 x 1 / 360 = 0.01714... -> 0.02
    assert pricing.straight_discount(Money("CNY", 12_345), advance_rate=D(1), rate=D("0.05"),
                                     days=1) == Money("CNY", 2)


def test_present_value_discount_is_smaller_than_the_straight_one() -> None:
    face = Money("CNY", 1_000_000_00)
    pv = pricing.present_value_discount(face, advance_rate=D(1), rate=D("0.0435"), days=90)
    # 1,000,000 - 1,000,000 / (1 + 0.0435 x 90 / 360) = 10,758.01 (half-even at the fen)
    assert pv == Money("CNY", 1_075_801)
    assert pv.units < pricing.straight_discount(face, advance_rate=D(1), rate=D("0.0435"),
                                                days=90).units


def test_rate_is_benchmark_plus_rating_and_tenor_margins_plus_history() -> None:
    new = pricing.quote(Money("CNY", 100_000_00), days=90, rating="AA",
                        history=pricing.SellerHistory())
    # 0.0345 + 0.0060 + 0.0010 + 0.0020 (short history)
    assert new.annual_rate == D("0.0435")
    assert [r.code for r in new.reasons] == ["SHORT_HISTORY"]
    stable = pricing.quote(Money("CNY", 100_000_00), days=90, rating="AA",
                           history=pricing.SellerHistory(settled_volume_units=200_000_000,
                                                         settled_on_time=5))
    assert stable.annual_rate == D("0.0400")  # 0.0415 - 0.0010 stable - 0.0005 volume
    risky = pricing.quote(Money("CNY", 100_000_00), days=200, rating="BB",
                          history=pricing.SellerHistory(settled_on_time=1, defaulted=1,
                                                        invoices_issued=10,
                                                        invoices_cancelled=2))
    # 0.0345 + 0.0300 + 0.0050 + 0.0100 (default) + 0.05 x 0.2 (dilution)
    assert risky.annual_rate == D("0.0895")
    assert risky.discount == Money("CNY", 4_972_22)  # 100,000 x 0.0895 x 200 / 360
    assert risky.advance == Money("CNY", 95_027_78)


def test_late_fee_accrues_by_the_day() -> None:
    assert pricing.late_fee(Money("CNY", 1_000_000_00), rate=D("0.18"), days_late=10) == Money(
        "CNY", 5_000_00)
    assert pricing.late_fee(Money("CNY", 100), rate=D("0.18"), days_late=0) == Money("CNY", 0)


def test_conversion_respects_minor_units() -> None:
    assert convert(Money("USD", 100_00), to_asset="JPY", rate=D("104.648")) == Money("JPY",
                                                                                     10_465)
    assert convert(Money("JPY", 10_000), to_asset="USD", rate=D("0.0095557")) == Money("USD",
                                                                                       9_556)


TRANCHES = [TrancheTerms("Senior", 1, 80_000_000, D("0.04")),
            TrancheTerms("Mezzanine", 2, 15_000_000, D("0.08")),
            TrancheTerms("Equity", 3, 5_000_000, D("0"))]


def test_losses_wipe_out_equity_and_part_of_the_mezzanine() -> None:
    # Pool of 1,000,000.00 CNY (100,000,000 fen); 12% of it defaults: 88,000,000 collected.
    paid = {p.name: p for p in run_waterfall(TRANCHES, collections_units=88_000_000, days=90)}
    assert paid["Senior"].interest_paid == 800_000  # 80,000,000 x 0.04 x 90/360
    assert paid["Mezzanine"].interest_paid == 300_000  # 15,000,000 x 0.08 x 90/360
    assert paid["Senior"].principal_paid == 80_000_000
    assert paid["Senior"].principal_loss == 0
    assert paid["Mezzanine"].principal_paid == 6_900_000  # 88,000,000 - 1,100,000 - 80,000,000
    assert paid["Mezzanine"].principal_loss == 8_100_000
    assert paid["Equity"].total_paid == 0
    assert paid["Equity"].principal_loss == 5_000_000


def test_without_losses_the_excess_goes_to_equity() -> None:
    paid = {p.name: p for p in run_waterfall(TRANCHES, collections_units=101_500_000, days=90)}
    assert [paid[n].principal_loss for n in ("Senior", "Mezzanine", "Equity")] == [0, 0, 0]
    assert paid["Equity"].excess_paid == 101_500_000 - 1_100_000 - 100_000_000


@given(collections=st.integers(0, 200_000_000), days=st.integers(0, 360))
def test_the_waterfall_pays_out_exactly_what_was_collected(collections: int, days: int) -> None:
    paid = run_waterfall(TRANCHES, collections_units=collections, days=days)
    assert sum(p.total_paid for p in paid) == collections
    # seniority: a junior tranche gets principal only when every senior one is whole
    for senior, junior in zip(paid, paid[1:], strict=False):
        assert junior.principal_paid == 0 or senior.principal_loss == 0


def test_tranche_principals_sum_to_the_pool_with_the_rest_to_the_junior() -> None:
    principals = tranche_principals(100_000_001, [("A", D("0.7")), ("B", D("0.2")),
                                                  ("E", D("0.1"))])
    assert principals == {"A": 70_000_000, "B": 20_000_000, "E": 10_000_001}
