"""IP-pledge loans over gRPC: who may borrow on what, the loan-to-value limit by asset
kind on the lower valuation, remaining life against the tenor, the pledge's hold on the
asset (no sale, second pledge or exclusive licence), money through the ledger exactly
once per request, interest and release. Each rule is broken once, with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import grpc
import pytest
from bank_flows import cny, confirm_right, cost_only, dec, register, stamp, value
from bank_support import Bank, bearer, refused, rid

from ntb.common.v1 import common_pb2
from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb

pytestmark = pytest.mark.asyncio


@dataclass
class Pledgeable:
    holder: str
    lender: str
    asset: pb.Asset
    ownership: pb.RightsConfirmation

    def request(self, principal_fen: int = 1_000_000, term_days: int = 90,
                **changes: object) -> pb.RequestLoanRequest:
        request = pb.RequestLoanRequest(
            request_id=rid(), borrower_id=self.holder, lender_id=self.lender,
            asset_id=self.asset.asset_id, confirmation_ids=[self.ownership.confirmation_id],
            principal=cny(principal_fen), annual_rate=dec("0.0365"), term_days=term_days)
        for name, change in changes.items():
            if isinstance(change, list):
                getattr(request, name)[:] = change
            else:
                setattr(request, name, change)
        return request


async def pledgeable(bank: Bank, number: str, *, years: int = 20, valued: bool = True
                     ) -> Pledgeable:
    holder = await bank.principal("ENTERPRISE")
    lender = await bank.principal("FINANCIAL_INSTITUTION")
    await bank.settled([holder, lender])
    asset = await register(bank, holder, number, years=years)
    ownership = await confirm_right(bank, asset.asset_id, holder, pb.RIGHT_KIND_OWNERSHIP)
    if valued:  # cost 10,000,000 fen: 1000 h x 10,000 fen
        await value(bank, asset.asset_id, holder, cost_only("1000", 10_000))
    bank.ledger.balances.update({lender: 5_000_000, holder: 1_000_000})
    return Pledgeable(holder, lender, asset, ownership)


async def test_who_may_borrow_on_what(bank: Bank) -> None:
    p = await pledgeable(bank, "L-1")
    stranger = await bank.principal("ENTERPRISE")
    await bank.settled([stranger])
    borrow = bank.bank.RequestLoan
    await refused(borrow(p.request(lender_id=stranger), metadata=bearer(p.holder)),
                  "LENDER_NOT_FINANCIAL_INSTITUTION")
    await refused(borrow(p.request(borrower_id=stranger), metadata=bearer(stranger)),
                  "BORROWER_NOT_HOLDER")
    usage = await confirm_right(bank, p.asset.asset_id, p.holder, pb.RIGHT_KIND_USAGE)
    await refused(borrow(p.request(confirmation_ids=[usage.confirmation_id]),
                         metadata=bearer(p.holder)), "PLEDGE_NEEDS_OWNERSHIP_OR_COLLECTION")
    other = await pledgeable(bank, "L-1b")
    await refused(borrow(p.request(confirmation_ids=[other.ownership.confirmation_id]),
                         metadata=bearer(p.holder)), "RIGHT_NOT_OF_ASSET")
    collection = await confirm_right(bank, p.asset.asset_id, stranger,
                                     pb.RIGHT_KIND_COLLECTION, caller=p.holder)
    await refused(borrow(p.request(confirmation_ids=[p.ownership.confirmation_id,
                                                     collection.confirmation_id]),
                         metadata=bearer(p.holder)), "RIGHT_NOT_HELD")
    submitted = await bank.bank.SubmitRightsConfirmation(pb.SubmitRightsConfirmationRequest(
        request_id=rid(), asset_id=p.asset.asset_id, right_kind=pb.RIGHT_KIND_COLLECTION,
        holder_id=p.holder, scope="royalties", evidence=[common_pb2.DocumentHash(
            sha256=bytes(32))]), metadata=bearer(p.holder))
    await refused(borrow(p.request(confirmation_ids=[
        submitted.confirmation.confirmation_id]), metadata=bearer(p.holder)),
        "RIGHT_NOT_CONFIRMED")
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await borrow(p.request(), metadata=bearer(stranger))
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_asset_must_be_valued_in_force_and_outlive_the_loan(bank: Bank) -> None:
    unvalued = await pledgeable(bank, "L-2", valued=False)
    await refused(bank.bank.RequestLoan(unvalued.request(), metadata=bearer(unvalued.holder)),
                  "ASSET_NOT_VALUED")
    short = await pledgeable(bank, "L-3", years=3)  # about 365 days of protection left
    await refused(bank.bank.RequestLoan(short.request(term_days=400),
                                        metadata=bearer(short.holder)),
                  "REMAINING_LIFE_TOO_SHORT")
    await bank.bank.UpdateLegalStatus(pb.UpdateLegalStatusRequest(
        request_id=rid(), asset_id=short.asset.asset_id, legal_status=pb.LEGAL_STATUS_CONTESTED,
        reason="opposition filed"), metadata=bearer(short.holder))
    await refused(bank.bank.RequestLoan(short.request(), metadata=bearer(short.holder)),
                  "ASSET_NOT_IN_FORCE")


async def test_loan_to_value_by_asset_kind(bank: Bank) -> None:
    p = await pledgeable(bank, "L-4")  # invention patent: 25% of 10,000,000
    error = await refused(bank.bank.RequestLoan(p.request(principal_fen=2_500_001),
                                                metadata=bearer(p.holder)),
                          "LOAN_TO_VALUE_EXCEEDED")
    assert "0.25" in (error.details() or "")
    loan = (await bank.bank.RequestLoan(p.request(principal_fen=2_500_000),
                                        metadata=bearer(p.holder))).loan
    assert loan.loan_to_value.value == "0.2500"
    # Revalued lower before approval: the lender's approval checks the new value.
    await value(bank, p.asset.asset_id, p.holder, cost_only("500", 10_000))
    await refused(bank.bank.ApproveLoan(pb.ApproveLoanRequest(
        request_id=rid(), loan_id=loan.loan_id), metadata=bearer(p.lender)),
        "LOAN_TO_VALUE_EXCEEDED")


async def test_a_pledged_asset_cannot_be_pledged_sold_or_exclusively_licensed(bank: Bank
                                                                              ) -> None:
    p = await pledgeable(bank, "L-5")
    loan = (await bank.bank.RequestLoan(p.request(), metadata=bearer(p.holder))).loan
    await bank.bank.ApproveLoan(pb.ApproveLoanRequest(request_id=rid(), loan_id=loan.loan_id),
                                metadata=bearer(p.lender))
    await refused(bank.bank.RequestLoan(p.request(), metadata=bearer(p.holder)),
                  "ASSET_PLEDGED")
    sale = pb.CreateListingRequest(
        request_id=rid(), asset_id=p.asset.asset_id, seller_id=p.holder,
        kind=pb.LISTING_KIND_SALE, asking_terms=pb.DealTerms(upfront_amount=cny(9_000_000)))
    await refused(bank.patents.CreateListing(sale, metadata=bearer(p.holder)), "ASSET_PLEDGED")
    now = bank.clock()
    exclusive = pb.CreateListingRequest(
        request_id=rid(), asset_id=p.asset.asset_id, seller_id=p.holder,
        kind=pb.LISTING_KIND_EXCLUSIVE_LICENSE, asking_terms=pb.DealTerms(
            upfront_amount=cny(1), term=common_pb2.TimeRange(
                start_time=stamp(now), end_time=stamp(now + timedelta(days=30)))))
    await refused(bank.patents.CreateListing(exclusive, metadata=bearer(p.holder)),
                  "ASSET_PLEDGED")
    await refused(bank.bank.SubmitRightsConfirmation(pb.SubmitRightsConfirmationRequest(
        request_id=rid(), asset_id=p.asset.asset_id, right_kind=pb.RIGHT_KIND_USAGE,
        holder_id=p.lender, scope="all", exclusive=True, evidence=[common_pb2.DocumentHash(
            sha256=bytes(32))]), metadata=bearer(p.holder)), "ASSET_PLEDGED")
    from bank_support import EXAMINER
    await refused(bank.bank.TransferAsset(pb.TransferAssetRequest(
        request_id=rid(), asset_id=p.asset.asset_id, reason="gift", holders=[
            pb.AssetHolder(principal_id=p.lender, share=dec("1"))]), metadata=EXAMINER),
        "ASSET_PLEDGED")
    # A non-exclusive licence is still allowed.
    exclusive.request_id, exclusive.kind = rid(), pb.LISTING_KIND_NON_EXCLUSIVE_LICENSE
    listed = await bank.patents.CreateListing(exclusive, metadata=bearer(p.holder))
    assert listed.listing.status == pb.LISTING_STATUS_OPEN


async def test_money_moves_once_and_the_loan_lifecycle_rules(bank: Bank) -> None:
    p = await pledgeable(bank, "L-6")
    loan = (await bank.bank.RequestLoan(p.request(principal_fen=2_000_000),
                                        metadata=bearer(p.holder))).loan
    disburse = pb.DisburseLoanRequest(request_id=rid(), loan_id=loan.loan_id)
    await refused(bank.bank.DisburseLoan(disburse, metadata=bearer(p.lender)),
                  "LOAN_STATUS_INVALID")
    await bank.bank.ApproveLoan(pb.ApproveLoanRequest(request_id=rid(), loan_id=loan.loan_id),
                                metadata=bearer(p.lender))
    bank.ledger.balances[p.lender] = 1_000
    disburse.request_id = rid()
    await refused(bank.bank.DisburseLoan(disburse, metadata=bearer(p.lender)),
                  "INSUFFICIENT_FUNDS")
    bank.ledger.balances[p.lender] = 5_000_000
    disburse.request_id = rid()
    first = await bank.bank.DisburseLoan(disburse, metadata=bearer(p.lender))
    again = await bank.bank.DisburseLoan(disburse, metadata=bearer(p.lender))
    assert first == again and bank.ledger.balances[p.lender] == 3_000_000
    assert len(bank.ledger.transfers) == 1
    bank.clock.advance(10)  # 2,000,000 x 0.0365 x 10 / 365 = 2,000 fen of interest
    read = (await bank.bank.GetLoan(pb.GetLoanRequest(loan_id=loan.loan_id),
                                    metadata=bearer(p.holder))).loan
    assert read.accrued_interest.units == 2_000
    await refused(bank.bank.RepayLoan(pb.RepayLoanRequest(
        request_id=rid(), loan_id=loan.loan_id, amount=cny(2_002_001)),
        metadata=bearer(p.holder)), "REPAYMENT_EXCEEDS_DEBT")
    part = (await bank.bank.RepayLoan(pb.RepayLoanRequest(
        request_id=rid(), loan_id=loan.loan_id, amount=cny(502_000)),
        metadata=bearer(p.holder))).loan
    assert part.outstanding_principal.units == 1_500_000 and part.accrued_interest.units == 0
    await refused(bank.bank.EnforcePledge(pb.EnforcePledgeRequest(
        request_id=rid(), loan_id=loan.loan_id), metadata=bearer(p.lender)),
        "LOAN_STATUS_INVALID")
    released = (await bank.bank.ReleasePledge(pb.ReleasePledgeRequest(
        request_id=rid(), loan_id=loan.loan_id, reason="waived by the credit committee"),
        metadata=bearer(p.lender))).loan
    assert released.pledge.status == pb.PLEDGE_STATUS_RELEASED
    assert released.status == pb.LOAN_STATUS_DISBURSED
    await refused(bank.bank.ReleasePledge(pb.ReleasePledgeRequest(
        request_id=rid(), loan_id=loan.loan_id, reason="again"), metadata=bearer(p.lender)),
        "PLEDGE_NOT_ACTIVE")
    listed = await bank.bank.ListLoans(pb.ListLoansRequest(borrower_id=p.holder),
                                       metadata=bearer(p.holder))
    assert [x.loan_id for x in listed.loans] == [loan.loan_id]
    report = (await bank.bank.InvestigateHolderCredit(pb.InvestigateHolderCreditRequest(
        principal_id=p.holder), metadata=bearer(p.lender))).report
    assert report.open_loans_count == 1 and report.outstanding_principal.units == 1_500_000


async def test_a_rejected_loan_releases_its_proposed_pledge(bank: Bank) -> None:
    p = await pledgeable(bank, "L-7")
    loan = (await bank.bank.RequestLoan(p.request(), metadata=bearer(p.holder))).loan
    assert loan.pledge.status == pb.PLEDGE_STATUS_PROPOSED
    rejected = (await bank.bank.RejectLoan(pb.RejectLoanRequest(
        request_id=rid(), loan_id=loan.loan_id, reason="sector limit"),
        metadata=bearer(p.lender))).loan
    assert rejected.status == pb.LOAN_STATUS_REJECTED
    again = (await bank.bank.RequestLoan(p.request(), metadata=bearer(p.holder))).loan
    assert again.status == pb.LOAN_STATUS_REQUESTED
