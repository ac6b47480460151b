"""The Internet Patent Bank over gRPC (its own server): listings for licence or sale,
offers and counter-offers, agreements paid through the ledger, royalties, and closed
deals as comparables for the market approach. Each rule is broken once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import grpc
import pytest
from bank_flows import cny, confirm_right, dec, licence_deal, register, stamp
from bank_support import Bank, bearer, refused, rid

from ntb.common.v1 import common_pb2
from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb

pytestmark = pytest.mark.asyncio


def licence_terms(now: datetime, *, days: int = 365, upfront: int = 100_000,
                  rate: str = "0.05", minimum: int = 0, field: str = "",
                  territories: tuple[str, ...] = ()) -> pb.DealTerms:
    return pb.DealTerms(upfront_amount=cny(upfront), royalty_rate=dec(rate),
                        minimum_annual_royalty=cny(minimum), field_of_use=field,
                        territories=list(territories), term=common_pb2.TimeRange(
                            start_time=stamp(now), end_time=stamp(now + timedelta(days=days))))


@dataclass
class Market:
    seller: str
    buyer: str
    other_buyer: str
    asset: pb.Asset


async def market(bank: Bank, number: str = "M-1") -> Market:
    seller, buyer, other = [await bank.principal("ENTERPRISE") for _ in range(3)]
    asset = await register(bank, seller, number)
    await confirm_right(bank, asset.asset_id, seller, pb.RIGHT_KIND_OWNERSHIP)
    bank.ledger.balances.update({buyer: 10_000_000, other: 10_000_000})
    return Market(seller, buyer, other, asset)


def listing(m: Market, kind: int, terms: pb.DealTerms) -> pb.CreateListingRequest:
    return pb.CreateListingRequest(request_id=rid(), asset_id=m.asset.asset_id,
                                   seller_id=m.seller, kind=kind, asking_terms=terms,
                                   description="cells for vehicles")


async def test_listing_rules(bank: Bank) -> None:
    m = await market(bank)
    now = bank.clock()
    no_right = listing(m, pb.LISTING_KIND_SALE, pb.DealTerms(upfront_amount=cny(1)))
    no_right.seller_id = m.buyer
    await refused(bank.patents.CreateListing(no_right, metadata=bearer(m.buyer)),
                  "RIGHT_REQUIRED")
    too_long = listing(m, pb.LISTING_KIND_NON_EXCLUSIVE_LICENSE,
                       licence_terms(now, days=365 * 30))
    await refused(bank.patents.CreateListing(too_long, metadata=bearer(m.seller)),
                  "TERM_OUTSIDE_PROTECTION")
    bad = listing(m, pb.LISTING_KIND_SALE, licence_terms(now))
    with pytest.raises(grpc.aio.AioRpcError) as invalid:
        await bank.patents.CreateListing(bad, metadata=bearer(m.seller))
    assert invalid.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    await bank.bank.UpdateLegalStatus(pb.UpdateLegalStatusRequest(
        request_id=rid(), asset_id=m.asset.asset_id, legal_status=pb.LEGAL_STATUS_LAPSED,
        reason="fees"), metadata=bearer(m.seller))
    await refused(bank.patents.CreateListing(listing(m, pb.LISTING_KIND_SALE, pb.DealTerms(
        upfront_amount=cny(1))), metadata=bearer(m.seller)), "ASSET_NOT_LISTABLE")


async def test_offers_counter_offers_and_their_rules(bank: Bank) -> None:
    m = await market(bank)
    now = bank.clock()
    listed = (await bank.patents.CreateListing(listing(
        m, pb.LISTING_KIND_EXCLUSIVE_LICENSE, licence_terms(now, upfront=500_000)),
        metadata=bearer(m.seller))).listing
    own = pb.MakeOfferRequest(request_id=rid(), listing_id=listed.listing_id,
                              buyer_id=m.seller, terms=licence_terms(now))
    await refused(bank.patents.MakeOffer(own, metadata=bearer(m.seller)), "SELF_DEALING")
    as_sale = pb.MakeOfferRequest(request_id=rid(), listing_id=listed.listing_id,
                                  buyer_id=m.buyer, terms=pb.DealTerms(upfront_amount=cny(5)))
    await refused(bank.patents.MakeOffer(as_sale, metadata=bearer(m.buyer)),
                  "TERMS_DO_NOT_MATCH_LISTING")
    offer = (await bank.patents.MakeOffer(pb.MakeOfferRequest(
        request_id=rid(), listing_id=listed.listing_id, buyer_id=m.buyer,
        terms=licence_terms(now, upfront=300_000)), metadata=bearer(m.buyer))).offer
    assert offer.to_id == m.seller
    await refused(bank.patents.AcceptOffer(pb.AcceptOfferRequest(
        request_id=rid(), offer_id=offer.offer_id), metadata=bearer(m.buyer)),
        "OFFER_NOT_ADDRESSED_TO_CALLER")
    counter = (await bank.patents.CounterOffer(pb.CounterOfferRequest(
        request_id=rid(), offer_id=offer.offer_id, terms=licence_terms(now, upfront=400_000)),
        metadata=bearer(m.seller))).offer
    assert counter.to_id == m.buyer and counter.previous_offer_id == offer.offer_id
    await refused(bank.patents.AcceptOffer(pb.AcceptOfferRequest(
        request_id=rid(), offer_id=offer.offer_id), metadata=bearer(m.seller)),
        "OFFER_NOT_OPEN")
    late = (await bank.patents.MakeOffer(pb.MakeOfferRequest(
        request_id=rid(), listing_id=listed.listing_id, buyer_id=m.other_buyer,
        terms=licence_terms(now)), metadata=bearer(m.other_buyer))).offer
    agreement = (await bank.patents.AcceptOffer(pb.AcceptOfferRequest(
        request_id=rid(), offer_id=counter.offer_id), metadata=bearer(m.buyer))).agreement
    assert agreement.kind == pb.LISTING_KIND_EXCLUSIVE_LICENSE
    assert agreement.licensee_id == m.buyer and agreement.upfront_transfer_id
    assert bank.ledger.balances[m.seller] == 400_000
    closed = (await bank.patents.GetListing(pb.GetListingRequest(
        listing_id=listed.listing_id), metadata=bearer(m.buyer))).listing
    assert closed.status == pb.LISTING_STATUS_CLOSED
    lapsed = await bank.patents.ListOffers(pb.ListOffersRequest(
        listing_id=listed.listing_id, status=pb.OFFER_STATUS_LAPSED), metadata=bearer(m.seller))
    assert [o.offer_id for o in lapsed.offers] == [late.offer_id]
    # The exclusive licence now covers the field: no second exclusive listing.
    await refused(bank.patents.CreateListing(listing(
        m, pb.LISTING_KIND_EXCLUSIVE_LICENSE, licence_terms(now)), metadata=bearer(m.seller)),
        "EXCLUSIVE_LICENSE_TAKEN")
    elsewhere = listing(m, pb.LISTING_KIND_EXCLUSIVE_LICENSE,
                        licence_terms(now + timedelta(days=400)))
    assert (await bank.patents.CreateListing(elsewhere, metadata=bearer(m.seller))
            ).listing.status == pb.LISTING_STATUS_OPEN


async def test_offers_expire(bank: Bank) -> None:
    m = await market(bank)
    now = bank.clock()
    listed = (await bank.patents.CreateListing(listing(
        m, pb.LISTING_KIND_NON_EXCLUSIVE_LICENSE, licence_terms(now)),
        metadata=bearer(m.seller))).listing
    offer = (await bank.patents.MakeOffer(pb.MakeOfferRequest(
        request_id=rid(), listing_id=listed.listing_id, buyer_id=m.buyer,
        terms=licence_terms(now)), metadata=bearer(m.buyer))).offer
    bank.clock.advance(15)  # default lifetime 14 days
    shown = await bank.patents.ListOffers(pb.ListOffersRequest(listing_id=listed.listing_id),
                                          metadata=bearer(m.seller))
    assert [o.status for o in shown.offers] == [pb.OFFER_STATUS_LAPSED]
    await refused(bank.patents.AcceptOffer(pb.AcceptOfferRequest(
        request_id=rid(), offer_id=offer.offer_id), metadata=bearer(m.seller)), "OFFER_EXPIRED")
    withdrawn = (await bank.patents.WithdrawListing(pb.WithdrawListingRequest(
        request_id=rid(), listing_id=listed.listing_id), metadata=bearer(m.seller))).listing
    assert withdrawn.status == pb.LISTING_STATUS_WITHDRAWN
    await refused(bank.patents.MakeOffer(pb.MakeOfferRequest(
        request_id=rid(), listing_id=listed.listing_id, buyer_id=m.buyer,
        terms=licence_terms(bank.clock())), metadata=bearer(m.buyer)), "LISTING_NOT_OPEN")


async def test_royalties_through_the_ledger(bank: Bank) -> None:
    m = await market(bank)
    now = bank.clock()
    listed = (await bank.patents.CreateListing(listing(
        m, pb.LISTING_KIND_NON_EXCLUSIVE_LICENSE,
        licence_terms(now, upfront=0, minimum=3_650_000)), metadata=bearer(m.seller))).listing
    offer = (await bank.patents.MakeOffer(pb.MakeOfferRequest(
        request_id=rid(), listing_id=listed.listing_id, buyer_id=m.buyer,
        terms=licence_terms(now, upfront=0, minimum=3_650_000)), metadata=bearer(m.buyer))
    ).offer
    agreement = (await bank.patents.AcceptOffer(pb.AcceptOfferRequest(
        request_id=rid(), offer_id=offer.offer_id), metadata=bearer(m.seller))).agreement
    assert agreement.upfront_transfer_id == ""  # nothing paid upfront
    period = common_pb2.TimeRange(start_time=stamp(now), end_time=stamp(now + timedelta(
        days=10)))
    pay = pb.PayRoyaltyRequest(request_id=rid(), agreement_id=agreement.agreement_id,
                               period=period, revenue=cny(2_000_000))
    # max(2,000,000 x 0.05 = 100,000; minimum 3,650,000 x 10/365 = 100,000) = 100,000
    paid = (await bank.patents.PayRoyalty(pay, metadata=bearer(m.buyer))).payment
    assert paid.royalty.units == 100_000 and bank.ledger.balances[m.seller] == 100_000
    assert (await bank.patents.PayRoyalty(pay, metadata=bearer(m.buyer))).payment == paid
    assert bank.ledger.balances[m.seller] == 100_000
    pay.request_id = rid()
    await refused(bank.patents.PayRoyalty(pay, metadata=bearer(m.buyer)), "PERIOD_ALREADY_PAID")
    pay.request_id, pay.period.end_time.seconds = rid(), pay.period.end_time.seconds + 400 * 86400
    await refused(bank.patents.PayRoyalty(pay, metadata=bearer(m.buyer)), "PERIOD_OUTSIDE_TERM")
    later = pb.PayRoyaltyRequest(request_id=rid(), agreement_id=agreement.agreement_id,
                                 period=common_pb2.TimeRange(
                                     start_time=stamp(now + timedelta(days=10)),
                                     end_time=stamp(now + timedelta(days=20))),
                                 revenue=cny(10_000_000))
    assert (await bank.patents.PayRoyalty(later, metadata=bearer(m.buyer))
            ).payment.royalty.units == 500_000  # the rate beats the minimum
    payments = await bank.patents.ListRoyaltyPayments(pb.ListRoyaltyPaymentsRequest(
        agreement_id=agreement.agreement_id), metadata=bearer(m.seller))
    assert [p.royalty.units for p in payments.payments] == [100_000, 500_000]
    ended = (await bank.patents.TerminateAgreement(pb.TerminateAgreementRequest(
        request_id=rid(), agreement_id=agreement.agreement_id, reason="breach"),
        metadata=bearer(m.seller))).agreement
    assert ended.status == pb.AGREEMENT_STATUS_TERMINATED and ended.royalties_paid.units \
        == 600_000
    later.request_id = rid()
    await refused(bank.patents.PayRoyalty(later, metadata=bearer(m.buyer)),
                  "AGREEMENT_NOT_ACTIVE")


async def test_a_sale_moves_the_asset_and_ends_the_sellers_ownership(bank: Bank) -> None:
    m = await market(bank)
    listed = (await bank.patents.CreateListing(listing(m, pb.LISTING_KIND_SALE, pb.DealTerms(
        upfront_amount=cny(2_000_000))), metadata=bearer(m.seller))).listing
    offers = [(await bank.patents.MakeOffer(pb.MakeOfferRequest(
        request_id=rid(), listing_id=listed.listing_id, buyer_id=b,
        terms=pb.DealTerms(upfront_amount=cny(2_000_000))), metadata=bearer(b))).offer
        for b in (m.buyer, m.other_buyer)]
    sale = (await bank.patents.AcceptOffer(pb.AcceptOfferRequest(
        request_id=rid(), offer_id=offers[0].offer_id), metadata=bearer(m.seller))).agreement
    assert sale.status == pb.AGREEMENT_STATUS_COMPLETED
    await refused(bank.patents.AcceptOffer(pb.AcceptOfferRequest(
        request_id=rid(), offer_id=offers[1].offer_id), metadata=bearer(m.seller)),
        "OFFER_NOT_OPEN")
    owned = (await bank.bank.GetAsset(pb.GetAssetRequest(asset_id=m.asset.asset_id),
                                      metadata=bearer(m.buyer))).asset
    assert [h.principal_id for h in owned.holders] == [m.buyer]
    rights = await bank.bank.ListRightsConfirmations(pb.ListRightsConfirmationsRequest(
        asset_id=m.asset.asset_id), metadata=bearer(m.buyer))
    assert [r.status for r in rights.confirmations] == [pb.CONFIRMATION_STATUS_EXPIRED]
    await refused(bank.patents.CreateListing(listing(m, pb.LISTING_KIND_SALE, pb.DealTerms(
        upfront_amount=cny(1))), metadata=bearer(m.seller)), "RIGHT_REQUIRED")


async def test_closed_deals_are_comparables(bank: Bank) -> None:
    m = await market(bank)
    unrelated = await register(bank, m.seller, "TM-1", kind=pb.ASSET_KIND_TRADEMARK,
                               codes=("35",), jurisdiction="US")
    subject = await register(bank, m.seller, "M-2", codes=("H01M 10/0525",))
    await licence_deal(bank, asset_id=m.asset.asset_id, licensor=m.seller, licensee=m.buyer,
                       upfront_fen=700_000)
    found = (await bank.patents.ListComparableDeals(pb.ListComparableDealsRequest(
        asset_id=subject.asset_id), metadata=bearer(m.buyer))).deals
    assert [(d.asset_id, d.deal_value.units) for d in found] == [(m.asset.asset_id, 700_000)]
    assert found[0].similarity.value == "0.9667"  # .4 kind + .2 CN + .4 x 11/12 of the code
    assert not (await bank.patents.ListComparableDeals(pb.ListComparableDealsRequest(
        asset_id=unrelated.asset_id), metadata=bearer(m.buyer))).deals


async def test_a_sale_needs_the_seller_to_still_hold_the_asset(bank: Bank) -> None:
    from bank_support import EXAMINER
    m = await market(bank)
    listed = (await bank.patents.CreateListing(listing(m, pb.LISTING_KIND_SALE, pb.DealTerms(
        upfront_amount=cny(1_000))), metadata=bearer(m.seller))).listing
    offer = (await bank.patents.MakeOffer(pb.MakeOfferRequest(
        request_id=rid(), listing_id=listed.listing_id, buyer_id=m.buyer,
        terms=pb.DealTerms(upfront_amount=cny(1_000))), metadata=bearer(m.buyer))).offer
    await bank.bank.TransferAsset(pb.TransferAssetRequest(
        request_id=rid(), asset_id=m.asset.asset_id, reason="court order",
        holders=[pb.AssetHolder(principal_id=m.other_buyer, share=dec("1"))]),
        metadata=EXAMINER)
    await refused(bank.patents.AcceptOffer(pb.AcceptOfferRequest(
        request_id=rid(), offer_id=offer.offer_id), metadata=bearer(m.seller)),
        "SELLER_NOT_HOLDER")
    assert bank.ledger.balances[m.buyer] == 10_000_000  # nothing was paid
