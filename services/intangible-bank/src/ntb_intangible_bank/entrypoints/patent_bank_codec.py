"""PatentBankService requests -> commands, with validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb
from ntb_intangible_bank.domain.patent_bank import DealTerms, ListingKind
from ntb_intangible_bank.entrypoints import fields as f
from ntb_intangible_bank.service.patent_bank import (
    AnswerOffer,
    CreateListing,
    EndListingOrAgreement,
    MakeOffer,
    PayRoyalty,
)
from ntbkit.validation import Violations

OFFER_TTL_MAX = timedelta(days=90)
ZERO, ONE = Decimal(0), Decimal(1)


def listing_kind(value: int, field: str, v: Violations, *, required: bool = True
                 ) -> ListingKind | None:
    name = f.enum_name(pb.ListingKind, value, "LISTING_KIND_", field, v, required=required)
    return None if name is None else ListingKind(name)


def terms(message: pb.DealTerms, field: str, v: Violations) -> DealTerms:
    upfront = f.cny(message.upfront_amount, f"{field}.upfront_amount", v)
    rate = f.decimal(message.royalty_rate, f"{field}.royalty_rate", v, low=ZERO, high=ONE,
                     required=False)
    minimum = f.cny(message.minimum_annual_royalty, f"{field}.minimum_annual_royalty", v,
                    required=False)
    territories = tuple(message.territories)
    v.check(len(territories) <= 250 and len(set(territories)) == len(territories),
            f"{field}.territories", "0..250 unique codes")
    for index, code in enumerate(territories):
        v.require_country_alpha2(code, f"{field}.territories[{index}]")
    f.text(message.field_of_use, f"{field}.field_of_use", v, length_max=500)
    start = f.time_or_none(message.term, "start_time")
    end = f.time_or_none(message.term, "end_time")
    if (start is None) != (end is None):
        v.add(f"{field}.term", "both ends or neither")
    elif start is not None and end is not None:
        v.check(start < end, f"{field}.term", "end after start")
    return DealTerms(upfront, rate, minimum, territories, message.field_of_use, start, end,
                     message.sublicensable)


def create_listing(request: pb.CreateListingRequest) -> CreateListing:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.asset_id, "asset_id")
    v.require_uuid(request.seller_id, "seller_id")
    kind = listing_kind(request.kind, "kind", v)
    asked = terms(request.asking_terms, "asking_terms", v)
    if kind is ListingKind.SALE:
        v.check(asked.royalty_rate == 0 and asked.term_end is None, "asking_terms",
                "a sale has no royalty and no term")
    elif kind is not None:
        v.check(asked.term_end is not None, "asking_terms.term", "a licence needs a term")
    f.text(request.description, "description", v, length_max=5000)
    v.raise_if_any()
    assert kind is not None
    return CreateListing(request.request_id, request.asset_id, request.seller_id, kind, asked,
                         request.description)


def _expiry(message: object, name: str, v: Violations) -> datetime | None:
    at = f.time_or_none(message, name)
    if at is not None:
        now = datetime.now(UTC)
        v.check(now < at <= now + OFFER_TTL_MAX, name, "in the future, at most 90 days")
    return at


def make_offer(request: pb.MakeOfferRequest) -> MakeOffer:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.listing_id, "listing_id")
    v.require_uuid(request.buyer_id, "buyer_id")
    offered = terms(request.terms, "terms", v)
    f.text(request.message, "message", v, length_max=2000)
    expires_at = _expiry(request, "expires_at", v)
    v.raise_if_any()
    return MakeOffer(request.request_id, request.listing_id, request.buyer_id, offered,
                     request.message, expires_at)


def counter(request: pb.CounterOfferRequest) -> AnswerOffer:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.offer_id, "offer_id")
    offered = terms(request.terms, "terms", v)
    f.text(request.message, "message", v, length_max=2000)
    expires_at = _expiry(request, "expires_at", v)
    v.raise_if_any()
    return AnswerOffer(request.request_id, request.offer_id, offered, request.message,
                       expires_at)


def answer(request: pb.AcceptOfferRequest | pb.RejectOfferRequest) -> AnswerOffer:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.offer_id, "offer_id")
    reason = getattr(request, "reason", "")
    f.text(reason, "reason", v, length_max=2000)
    v.raise_if_any()
    return AnswerOffer(request.request_id, request.offer_id, message=reason)


def withdraw(request: pb.WithdrawListingRequest) -> EndListingOrAgreement:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.listing_id, "listing_id")
    f.text(request.reason, "reason", v, length_max=500)
    v.raise_if_any()
    return EndListingOrAgreement(request.request_id, request.listing_id, request.reason)


def terminate(request: pb.TerminateAgreementRequest) -> EndListingOrAgreement:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.agreement_id, "agreement_id")
    v.require_text(request.reason, "reason", length_max=2000)
    v.raise_if_any()
    return EndListingOrAgreement(request.request_id, request.agreement_id, request.reason)


def pay_royalty(request: pb.PayRoyaltyRequest) -> PayRoyalty:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.agreement_id, "agreement_id")
    start = f.time_or_none(request.period, "start_time")
    end = f.time_or_none(request.period, "end_time")
    v.check(start is not None and end is not None and start < end, "period",
            "both ends set, end after start")
    revenue = f.cny(request.revenue, "revenue", v)
    v.raise_if_any()
    assert start is not None and end is not None
    return PayRoyalty(request.request_id, request.agreement_id, start, end, revenue)
