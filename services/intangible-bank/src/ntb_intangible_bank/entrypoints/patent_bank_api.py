"""PatentBankService (the Internet Patent Bank): decode -> use case -> encode."""

from __future__ import annotations

from dataclasses import dataclass

from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb
from ntb.intangible_bank.v1 import intangible_bank_pb2_grpc
from ntb_intangible_bank.adapters import messages as m
from ntb_intangible_bank.entrypoints import codec, fields
from ntb_intangible_bank.entrypoints import patent_bank_codec as pc
from ntb_intangible_bank.entrypoints.grpc_api import page_of
from ntb_intangible_bank.service import patent_bank
from ntb_intangible_bank.service.ports import Ledger
from ntb_intangible_bank.service.unit_of_work import Clock, ListingFilter, NewUnit
from ntbkit.auth import current_caller
from ntbkit.grpc import ServicerContext
from ntbkit.paging import decode_page
from ntbkit.timestamps import to_timestamp
from ntbkit.validation import Violations


@dataclass
class PatentBankApi(intangible_bank_pb2_grpc.PatentBankServiceServicer):
    new_unit: NewUnit
    clock: Clock
    ledger: Ledger

    async def CreateListing(self, request: pb.CreateListingRequest, context: ServicerContext
                            ) -> pb.CreateListingResponse:
        found = await patent_bank.create_listing(self.new_unit, pc.create_listing(request),
                                                 current_caller(), self.clock)
        return pb.CreateListingResponse(listing=m.listing(found))

    async def GetListing(self, request: pb.GetListingRequest, context: ServicerContext
                         ) -> pb.GetListingResponse:
        v = Violations()
        v.require_uuid(request.listing_id, "listing_id")
        v.raise_if_any()
        current_caller()
        return pb.GetListingResponse(listing=m.listing(
            await patent_bank.get_listing(self.new_unit, request.listing_id)))

    async def SearchListings(self, request: pb.SearchListingsRequest, context: ServicerContext
                             ) -> pb.SearchListingsResponse:
        v = Violations()
        fields.text(request.query, "query", v, length_max=200)
        kind = pc.listing_kind(request.kind, "kind", v, required=False)
        asset_kind = fields.enum_name(pb.AssetKind, request.asset_kind, "ASSET_KIND_",
                                      "asset_kind", v, required=False) or ""
        if request.jurisdiction:
            codec.jurisdiction(request.jurisdiction, "jurisdiction", v)
        max_upfront = None
        if request.HasField("max_upfront_amount"):
            max_upfront = fields.cny(request.max_upfront_amount, "max_upfront_amount", v)
        where = ListingFilter(request.query, kind.value if kind else "", asset_kind,
                              request.classification_prefix, request.jurisdiction,
                              max_upfront, request.include_closed)
        position, size = decode_page(request.page.page_size, request.page.page_token, where, v)
        v.raise_if_any()
        current_caller()
        found = await patent_bank.search_listings(self.new_unit, where, position, size + 1)
        shown, page = page_of(found, position, size, where)
        return pb.SearchListingsResponse(listings=[m.listing(x) for x in shown], page=page)

    async def WithdrawListing(self, request: pb.WithdrawListingRequest,
                              context: ServicerContext) -> pb.WithdrawListingResponse:
        found = await patent_bank.withdraw_listing(self.new_unit, pc.withdraw(request),
                                                   current_caller(), self.clock)
        return pb.WithdrawListingResponse(listing=m.listing(found))

    async def MakeOffer(self, request: pb.MakeOfferRequest, context: ServicerContext
                        ) -> pb.MakeOfferResponse:
        found = await patent_bank.make_offer(self.new_unit, pc.make_offer(request),
                                             current_caller(), self.clock)
        return pb.MakeOfferResponse(offer=m.offer(found, self.clock()))

    async def CounterOffer(self, request: pb.CounterOfferRequest, context: ServicerContext
                           ) -> pb.CounterOfferResponse:
        found = await patent_bank.counter_offer(self.new_unit, pc.counter(request),
                                                current_caller(), self.clock)
        return pb.CounterOfferResponse(offer=m.offer(found, self.clock()))

    async def AcceptOffer(self, request: pb.AcceptOfferRequest, context: ServicerContext
                          ) -> pb.AcceptOfferResponse:
        found = await patent_bank.accept_offer(self.new_unit, pc.answer(request),
                                               current_caller(), self.clock, self.ledger)
        return pb.AcceptOfferResponse(agreement=m.agreement(found, self.clock()))

    async def RejectOffer(self, request: pb.RejectOfferRequest, context: ServicerContext
                          ) -> pb.RejectOfferResponse:
        found = await patent_bank.reject_offer(self.new_unit, pc.answer(request),
                                               current_caller(), self.clock)
        return pb.RejectOfferResponse(offer=m.offer(found, self.clock()))

    async def ListOffers(self, request: pb.ListOffersRequest, context: ServicerContext
                         ) -> pb.ListOffersResponse:
        v = Violations()
        v.check(bool(request.listing_id or request.buyer_id), "listing_id",
                "listing_id or buyer_id is required")
        for field in ("listing_id", "buyer_id"):
            if getattr(request, field):
                v.require_uuid(getattr(request, field), field)
        status = fields.enum_name(pb.OfferStatus, request.status, "OFFER_STATUS_", "status", v,
                                  required=False) or ""
        filters = (request.listing_id, request.buyer_id, status)
        position, size = decode_page(request.page.page_size, request.page.page_token,
                                     filters, v)
        v.raise_if_any()
        found = await patent_bank.list_offers(self.new_unit, request.listing_id,
                                              request.buyer_id, status, position, size + 1,
                                              current_caller())
        shown, page = page_of(found, position, size, filters)
        return pb.ListOffersResponse(offers=[m.offer(x, self.clock()) for x in shown], page=page)

    async def GetAgreement(self, request: pb.GetAgreementRequest, context: ServicerContext
                           ) -> pb.GetAgreementResponse:
        v = Violations()
        v.require_uuid(request.agreement_id, "agreement_id")
        v.raise_if_any()
        found = await patent_bank.get_agreement(self.new_unit, request.agreement_id,
                                                current_caller())
        return pb.GetAgreementResponse(agreement=m.agreement(found, self.clock()))

    async def ListAgreements(self, request: pb.ListAgreementsRequest,
                             context: ServicerContext) -> pb.ListAgreementsResponse:
        v = Violations()
        for field in ("party_id", "asset_id"):
            if getattr(request, field):
                v.require_uuid(getattr(request, field), field)
        status = fields.enum_name(pb.AgreementStatus, request.status, "AGREEMENT_STATUS_",
                                  "status", v, required=False) or ""
        filters = (request.party_id, request.asset_id, status)
        position, size = decode_page(request.page.page_size, request.page.page_token,
                                     filters, v)
        v.raise_if_any()
        now = self.clock()
        found = await patent_bank.list_agreements(self.new_unit, request.party_id,
                                                  request.asset_id, position, size + 1,
                                                  current_caller())
        shown, page = page_of(found, position, size, filters)
        return pb.ListAgreementsResponse(agreements=[
            m.agreement(x, now) for x in shown
            if not status or x.status_at(now).value == status], page=page)

    async def TerminateAgreement(self, request: pb.TerminateAgreementRequest,
                                 context: ServicerContext) -> pb.TerminateAgreementResponse:
        found = await patent_bank.terminate(self.new_unit, pc.terminate(request),
                                            current_caller(), self.clock)
        return pb.TerminateAgreementResponse(agreement=m.agreement(found, self.clock()))

    async def PayRoyalty(self, request: pb.PayRoyaltyRequest, context: ServicerContext
                         ) -> pb.PayRoyaltyResponse:
        found = await patent_bank.pay_royalty(self.new_unit, pc.pay_royalty(request),
                                              current_caller(), self.clock, self.ledger)
        return pb.PayRoyaltyResponse(payment=m.royalty_payment(found))

    async def ListRoyaltyPayments(self, request: pb.ListRoyaltyPaymentsRequest,
                                  context: ServicerContext) -> pb.ListRoyaltyPaymentsResponse:
        v = Violations()
        v.require_uuid(request.agreement_id, "agreement_id")
        position, size = decode_page(request.page.page_size, request.page.page_token,
                                     request.agreement_id, v)
        v.raise_if_any()
        found = await patent_bank.royalty_payments(self.new_unit, request.agreement_id,
                                                   current_caller())
        shown, page = page_of(found[position:position + size + 1], position, size,
                              request.agreement_id)
        return pb.ListRoyaltyPaymentsResponse(
            payments=[m.royalty_payment(x) for x in shown], page=page)

    async def ListComparableDeals(self, request: pb.ListComparableDealsRequest,
                                  context: ServicerContext) -> pb.ListComparableDealsResponse:
        v = Violations()
        v.require_uuid(request.asset_id, "asset_id")
        v.check(0 <= request.limit <= 50, "limit", "1..50 (0 means 10)")
        v.raise_if_any()
        current_caller()
        found = await patent_bank.comparable_deals(self.new_unit, request.asset_id,
                                                   request.limit or 10)
        return pb.ListComparableDealsResponse(deals=[pb.ComparableDeal(
            agreement_id=deal.agreement_id, asset_id=deal.asset_id,
            asset_kind=pb.AssetKind.Value(f"ASSET_KIND_{deal.asset_kind}"),
            classification_codes=list(deal.classification_codes),
            jurisdiction=deal.jurisdiction, kind=m.listing_kind(deal.kind),
            deal_value=m.money(c.price_fen), similarity=m.decimal(c.similarity),
            agreed_at=to_timestamp(deal.agreed_at)) for c, deal in found])
