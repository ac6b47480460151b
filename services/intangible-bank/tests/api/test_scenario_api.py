"""Issue 8's done-when scenario over real gRPC (intangible-bank and the patent bank as two
servers on one database): a patent with two inventors is registered, its ownership and
usage rights confirmed, valued by all three approaches (the numbers worked out by hand
below), rated, pledged for a loan that is disbursed and repaid on schedule, and released;
a second asset's loan defaults and the asset is sold on the patent bank. Every step shows
in the gene map, and every entry's digest is recomputed here from the entry, found in the
AnchorRequested event the bank sent, and proven offline (`ntb verify inclusion --sha256`)
against laborcoin's inclusion proof and signed checkpoint (laborcoin runs alongside).
Money is conserved on the (fake) ledger throughout."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from decimal import Decimal
from pathlib import Path

import pytest
from bank_flows import cny, confirm_right, cost_only, dec, licence_deal, register, value
from bank_support import Bank, bearer, refused, rid

from ntb.common.v1 import common_pb2
from ntb.events.v1 import intangible_bank_events_pb2 as ev
from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb

pytestmark = pytest.mark.asyncio


def recomputed_digest(e: pb.GeneMapEntry) -> bytes:
    """The canonical encoding documented on GeneMapEntry, built independently here."""
    body = {"actor_id": e.actor_id, "asset_id": e.asset_id,
            "kind": pb.GeneEventKind.Name(e.kind).removeprefix("GENE_EVENT_KIND_"),
            "occurred_at": e.occurred_at.ToDatetime(UTC).isoformat(timespec="microseconds"),
            "previous_entry_sha256": e.previous_entry_sha256.hex(), "sequence": e.sequence,
            "subject_id": e.subject_id, "subject_sha256": e.subject_sha256.hex(),
            "summary": e.summary}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).digest()


async def verified_gene_map(bank: Bank, asset_id: str, directory: Path) -> list[str]:
    """Every entry chained, its digest recomputed, anchored, and proven in laborcoin's
    log offline; the kinds in order."""
    entries = list((await bank.bank.GetGeneMap(pb.GetGeneMapRequest(
        asset_id=asset_id), metadata=bearer("anyone"))).entries)
    await bank.eventually(lambda: {e.anchor_id for e in entries}
                          <= {a.anchor_id for a in bank.anchors()})
    anchors = {a.anchor_id: a for a in bank.anchors()}
    previous = bytes(32)
    for sequence, entry in enumerate(entries, start=1):
        assert entry.sequence == sequence
        assert entry.previous_entry_sha256 == previous
        assert entry.entry_sha256 == recomputed_digest(entry)
        anchor = anchors[entry.anchor_id]
        assert anchor.digest_sha256 == entry.entry_sha256
        assert anchor.subject == f"asset/{asset_id}/gene/{sequence}"
        assert anchor.source == "intangible-bank"
        await bank.prove_offline(entry.anchor_id, recomputed_digest(entry), directory)
        previous = entry.entry_sha256
    return [pb.GeneEventKind.Name(e.kind).removeprefix("GENE_EVENT_KIND_") for e in entries]


async def comparables_on_the_patent_bank(bank: Bank) -> None:
    """Three closed licences of a similar patent: upfront 300,000, 400,000, 500,000 CNY."""
    licensor = await bank.principal("ENTERPRISE")
    licensees = [await bank.principal("ENTERPRISE") for _ in range(3)]
    for licensee in licensees:
        bank.ledger.balances[licensee] = 100_000_000
    other = await register(bank, licensor, "CN201910000001.1", codes=("H01M 10/0525",))
    await confirm_right(bank, other.asset_id, licensor, pb.RIGHT_KIND_OWNERSHIP)
    listing_id = ""
    for licensee, upfront in zip(licensees, (30_000_000, 40_000_000, 50_000_000), strict=True):
        listing_id, _ = await licence_deal(bank, asset_id=other.asset_id, licensor=licensor,
                                           licensee=licensee, upfront_fen=upfront,
                                           listing_id=listing_id)


async def test_patent_is_valued_rated_pledged_repaid_and_released(
        bank_with_log: Bank, tmp_path: Path) -> None:
    bank = bank_with_log
    holder = await bank.principal("ENTERPRISE", credit_score=800)
    alice = await bank.principal("PERSON", hourly_value_fen=20_000)  # 200 CNY/h
    bob = await bank.principal("PERSON", hourly_value_fen=30_000)  # 300 CNY/h
    lender = await bank.principal("FINANCIAL_INSTITUTION")
    await bank.settled([holder, alice, bob, lender])
    await comparables_on_the_patent_bank(bank)
    bank.ledger.balances.update({lender: 10_000_000, holder: 100_000})
    money_before = bank.ledger.total

    asset = await register(bank, holder, "CN202310123456.7", creators=[
        pb.Creator(principal_id=alice, name="Alice", labor_hours=dec("1000"), role="inventor"),
        pb.Creator(principal_id=bob, name="Bob", labor_hours=dec("500"), role="inventor")])
    ownership = await confirm_right(bank, asset.asset_id, holder, pb.RIGHT_KIND_OWNERSHIP)
    usage = await confirm_right(bank, asset.asset_id, holder, pb.RIGHT_KIND_USAGE,
                                exclusive=True)
    assert ownership.status == usage.status == pb.CONFIRMATION_STATUS_CONFIRMED

    valuation = await value(bank, asset.asset_id, holder, pb.ValueAssetRequest(
        cost=pb.CostApproachInputs(
            direct_costs=cny(5_000_000), indirect_costs=cny(2_000_000),
            developer_profit_rate=dec("0.10"), physical_obsolescence=dec("0.10"),
            functional_obsolescence=dec("0.05"), economic_obsolescence=dec("0")),
        income=pb.IncomeApproachInputs(
            annual_revenues=[cny(100_000_000), cny(120_000_000), cny(140_000_000)],
            royalty_rate=dec("0.05"), discount_rate=dec("0.10"), tax_rate=dec("0.25"),
            economic_life_years=5),
        weights=pb.ApproachWeights(cost=dec("0.3"), income=dec("0.4"), market=dec("0.3"))))
    # Cost: labor 1000 h x 20,000 + 500 h x 30,000 = 35,000,000 fen (value-wave prices);
    # + 5,000,000 direct + 2,000,000 indirect = 42,000,000; x 1.10 profit = 46,200,000;
    # x (1 - 0.10) x (1 - 0.05) x (1 - 0) = x 0.855 -> 39,501,000.
    assert valuation.cost.value.units == 39_501_000
    assert [labor.hourly_value.units for labor in valuation.cost_inputs.labor] == [20_000,
                                                                                    30_000]
    # Income: n = min(18 whole years left, economic life 5) = 5; revenues 100M, 120M, 140M,
    # 140M, 140M (the last repeats) x 0.05 x (1 - 0.25) = 3.75M, 4.5M, 5.25M, 5.25M, 5.25M;
    # / 1.1^t: 3,409,090.91 + 3,719,008.26 + 3,944,402.70 + 3,585,820.64 + 3,259,836.95
    # = 17,918,159.46 -> 17,918,159.
    assert valuation.income.value.units == 17_918_159
    # +-1 point: the same at 0.04 and 0.06 (x 0.8 and x 1.2 of the unrounded sum).
    assert valuation.income_sensitivity.value_minus_one_point.units == 14_334_528
    assert valuation.income_sensitivity.value_plus_one_point.units == 21_501_791
    # Market: median of the patent bank's 30M, 40M, 50M = 40,000,000.
    assert valuation.market.applicable and valuation.market.value.units == 40_000_000
    assert len(valuation.market_inputs.comparables) == 3
    # Reconciled: 0.3 x 39,501,000 + 0.4 x 17,918,159 + 0.3 x 40,000,000 = 31,017,563.6.
    assert valuation.reconciled_value.units == 31_017_564
    assert Decimal(valuation.spread.value) == Decimal("0.7119")  # (40M - 17.9M) / 31.0M

    rating = (await bank.bank.RateAsset(pb.RateAssetRequest(
        request_id=rid(), asset_id=asset.asset_id), metadata=bearer(holder))).rating
    # 100 x .25 + 100 x .20 (18 years left) + 40 x .20 (spread 0.71) + 100 x .15
    # + 75 x .20 (credit 800: (800 - 350) / 6) = 83 -> AA.
    assert Decimal(rating.score.value) == Decimal("83.00")
    assert rating.rating == common_pb2.CREDIT_RATING_AA

    # Loan: at most 25% of the lowest approach value (17,918,159) = 4,479,539 fen.
    loan_request = pb.RequestLoanRequest(
        borrower_id=holder, lender_id=lender, asset_id=asset.asset_id,
        confirmation_ids=[ownership.confirmation_id], principal=cny(4_000_000),
        annual_rate=dec("0.0365"), term_days=90, purpose="working capital")
    loan_request.request_id = rid()
    loan = (await bank.bank.RequestLoan(loan_request, metadata=bearer(holder))).loan
    assert Decimal(loan.loan_to_value.value) == Decimal("0.2232")
    assert loan.appraised_value.units == 17_918_159
    loan = (await bank.bank.ApproveLoan(pb.ApproveLoanRequest(
        request_id=rid(), loan_id=loan.loan_id), metadata=bearer(lender))).loan
    assert loan.pledge.status == pb.PLEDGE_STATUS_ACTIVE
    loan = (await bank.bank.DisburseLoan(pb.DisburseLoanRequest(
        request_id=rid(), loan_id=loan.loan_id), metadata=bearer(lender))).loan
    assert bank.ledger.balances[holder] == 4_100_000
    assert [i.principal_due.units for i in loan.schedule] == [1_333_333, 1_333_333, 1_333_334]

    # Interest 4,000,000 x 0.0365 / 365 = 400 fen a day, then on what is left.
    for amount in (1_333_333 + 12_000, 1_333_333 + 8_000, 1_333_334 + 4_000):
        bank.clock.advance(30)
        loan = (await bank.bank.RepayLoan(pb.RepayLoanRequest(
            request_id=rid(), loan_id=loan.loan_id, amount=cny(amount)),
            metadata=bearer(holder))).loan
    assert loan.status == pb.LOAN_STATUS_REPAID
    assert loan.pledge.status == pb.PLEDGE_STATUS_RELEASED
    assert all(i.paid for i in loan.schedule)
    assert bank.ledger.balances[lender] == 10_000_000 + 24_000
    assert bank.ledger.total == money_before
    await bank.eventually(lambda: [t for t, _ in bank.events("ntb.intangible_bank.loan.v1")
                                   ].count("ntb.events.v1.LoanRepaid") == 1)
    valued = [p for t, p in bank.events("ntb.intangible_bank.asset.v1")
              if t == "ntb.events.v1.AssetValued"]
    event = ev.AssetValued.FromString(valued[-1])
    assert (event.asset_id, event.reconciled_value.units, event.cost_value.units,
            event.income_value.units, event.market_value.units) == (
        asset.asset_id, 31_017_564, 39_501_000, 17_918_159, 40_000_000)

    assert await verified_gene_map(bank, asset.asset_id, tmp_path) == [
        "CREATED", "RIGHTS_SUBMITTED", "RIGHTS_CONFIRMED", "RIGHTS_SUBMITTED",
        "RIGHTS_CONFIRMED", "VALUED", "RATED", "PLEDGED", "LOAN_DISBURSED", "LOAN_REPAYMENT",
        "LOAN_REPAYMENT", "LOAN_REPAYMENT", "PLEDGE_RELEASED"]


async def test_defaulted_asset_is_sold_on_the_patent_bank(
        bank_with_log: Bank, tmp_path: Path) -> None:
    bank = bank_with_log
    borrower = await bank.principal("ENTERPRISE")
    lender = await bank.principal("FINANCIAL_INSTITUTION")
    buyer = await bank.principal("ENTERPRISE")
    await bank.settled([borrower, lender, buyer])
    bank.ledger.balances.update({lender: 1_000_000, buyer: 5_000_000})
    money_before = bank.ledger.total
    asset = await register(bank, borrower, "CN202320999999.1",
                           kind=pb.ASSET_KIND_PATENT_UTILITY_MODEL, years=10)
    ownership = await confirm_right(bank, asset.asset_id, borrower, pb.RIGHT_KIND_OWNERSHIP)
    valuation = await value(bank, asset.asset_id, borrower, cost_only("1000", 10_000))
    assert valuation.cost.value.units == 10_000_000
    loan_request = pb.RequestLoanRequest(
        request_id=rid(), borrower_id=borrower, lender_id=lender, asset_id=asset.asset_id,
        confirmation_ids=[ownership.confirmation_id], principal=cny(1_000_000),
        annual_rate=dec("0.0365"), term_days=60)
    loan = (await bank.bank.RequestLoan(loan_request, metadata=bearer(borrower))).loan
    assert Decimal(loan.max_loan_to_value.value) == Decimal("0.15")
    await bank.bank.ApproveLoan(pb.ApproveLoanRequest(request_id=rid(), loan_id=loan.loan_id),
                                metadata=bearer(lender))
    await bank.bank.DisburseLoan(pb.DisburseLoanRequest(request_id=rid(), loan_id=loan.loan_id),
                                 metadata=bearer(lender))
    default = pb.DeclareLoanDefaultRequest(request_id=rid(), loan_id=loan.loan_id,
                                           reason="first installment unpaid")
    await refused(bank.bank.DeclareLoanDefault(default, metadata=bearer(lender)),
                  "LOAN_NOT_OVERDUE")
    bank.clock.advance(31)  # the first installment (day 30) is now overdue
    default.request_id = rid()
    loan = (await bank.bank.DeclareLoanDefault(default, metadata=bearer(lender))).loan
    assert loan.status == pb.LOAN_STATUS_DEFAULTED
    enforced = await bank.bank.EnforcePledge(pb.EnforcePledgeRequest(
        request_id=rid(), loan_id=loan.loan_id, asking_price=cny(1_200_000)),
        metadata=bearer(lender))
    assert enforced.loan.status == pb.LOAN_STATUS_ENFORCED
    listing = (await bank.patents.GetListing(pb.GetListingRequest(
        listing_id=enforced.listing_id), metadata=bearer(buyer))).listing
    assert listing.kind == pb.LISTING_KIND_SALE and listing.seller_id == lender
    offer = (await bank.patents.MakeOffer(pb.MakeOfferRequest(
        request_id=rid(), listing_id=listing.listing_id, buyer_id=buyer,
        terms=pb.DealTerms(upfront_amount=cny(1_200_000))), metadata=bearer(buyer))).offer
    sale = (await bank.patents.AcceptOffer(pb.AcceptOfferRequest(
        request_id=rid(), offer_id=offer.offer_id), metadata=bearer(lender))).agreement
    assert sale.status == pb.AGREEMENT_STATUS_COMPLETED
    sold = (await bank.bank.GetAsset(pb.GetAssetRequest(asset_id=asset.asset_id),
                                     metadata=bearer(buyer))).asset
    assert [h.principal_id for h in sold.holders] == [buyer]
    # Owed at enforcement: 1,000,000 + 31 days x 100 fen = 1,003,100; the price pays it and
    # the surplus of 196,900 goes back to the borrower.
    assert bank.ledger.balances[lender] == 1_000_000 - 1_000_000 + 1_003_100
    assert bank.ledger.balances[borrower] == 1_000_000 + 196_900
    settled = (await bank.bank.GetLoan(pb.GetLoanRequest(loan_id=loan.loan_id),
                                       metadata=bearer(lender))).loan
    assert (settled.outstanding_principal.units, settled.repaid_total.units) == (0, 1_003_100)
    assert bank.ledger.total == money_before
    await bank.eventually(lambda: [t for t, _ in bank.events("ntb.intangible_bank.loan.v1")
                                   ].count("ntb.events.v1.LoanDefaulted") == 1)
    assert await verified_gene_map(bank, asset.asset_id, tmp_path) == [
        "CREATED", "RIGHTS_SUBMITTED", "RIGHTS_CONFIRMED", "VALUED", "PLEDGED",
        "LOAN_DISBURSED", "LOAN_DEFAULTED", "PLEDGE_ENFORCED", "TRANSFERRED", "LISTED",
        "TRANSFERRED"]
