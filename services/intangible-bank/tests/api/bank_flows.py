"""Request builders and multi-step flows the API tests share (each step a real RPC)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from bank_support import EXAMINER, Bank, bearer, rid
from google.protobuf.timestamp_pb2 import Timestamp

from ntb.common.v1 import common_pb2
from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb


def cny(fen: int) -> common_pb2.Money:
    return common_pb2.Money(asset="CNY", units=fen)


def dec(text: str) -> common_pb2.Decimal:
    return common_pb2.Decimal(value=text)


def day(value: date) -> common_pb2.Date:
    return common_pb2.Date(year=value.year, month=value.month, day=value.day)


def stamp(value: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(value)
    return out


def document(name: str) -> common_pb2.DocumentHash:
    return common_pb2.DocumentHash(name=name, sha256=hashlib.sha256(name.encode()).digest())


def patent_request(holders: list[tuple[str, str]], *, today: date, number: str,
                   kind: int = pb.ASSET_KIND_PATENT_INVENTION,
                   creators: list[pb.Creator] | None = None, years: int = 20,
                   codes: tuple[str, ...] = ("H01M 10/052",),
                   jurisdiction: str = "CN") -> pb.RegisterAssetRequest:
    filing = today - timedelta(days=730)
    return pb.RegisterAssetRequest(
        request_id=rid(), kind=kind, title=f"Solid-state electrolyte {number}",
        description="A sulfide electrolyte for lithium cells", jurisdiction=jurisdiction,
        registration_number=number, classification_codes=list(codes),
        holders=[pb.AssetHolder(principal_id=p, share=dec(s)) for p, s in holders],
        creators=creators or [], filing_date=day(filing),
        grant_date=day(filing + timedelta(days=365)),
        expiry_date=day(filing.replace(year=filing.year + years)),
        legal_status=pb.LEGAL_STATUS_IN_FORCE, documents=[document(f"filing {number}")])


async def register(bank: Bank, holder: str, number: str, **options: object) -> pb.Asset:
    request = patent_request([(holder, "1")], today=bank.clock().date(), number=number,
                             **options)  # type: ignore[arg-type]
    response = await bank.bank.RegisterAsset(request, metadata=bearer(holder))
    return response.asset


async def confirm_right(bank: Bank, asset_id: str, holder: str, kind: int, *,
                        exclusive: bool = False, caller: str | None = None,
                        ) -> pb.RightsConfirmation:
    submitted = await bank.bank.SubmitRightsConfirmation(pb.SubmitRightsConfirmationRequest(
        request_id=rid(), asset_id=asset_id, right_kind=kind, holder_id=holder,
        scope="manufacture and sale of lithium cells", evidence=[document(f"{kind}{holder}")],
        exclusive=exclusive), metadata=bearer(caller or holder))
    confirmation_id = submitted.confirmation.confirmation_id
    await bank.bank.ExamineRightsConfirmation(pb.ExamineRightsConfirmationRequest(
        request_id=rid(), confirmation_id=confirmation_id,
        examination_notes="registry extract and assignment deed match"), metadata=EXAMINER)
    decided = await bank.bank.DecideRightsConfirmation(pb.DecideRightsConfirmationRequest(
        request_id=rid(), confirmation_id=confirmation_id, confirm=True), metadata=EXAMINER)
    return decided.confirmation


def cost_only(hours: str, hourly_fen: int) -> pb.ValueAssetRequest:
    return pb.ValueAssetRequest(cost=pb.CostApproachInputs(
        labor=[pb.CreatorLabor(hours=dec(hours), hourly_value=cny(hourly_fen))],
        physical_obsolescence=dec("0")))


async def value(bank: Bank, asset_id: str, holder: str, request: pb.ValueAssetRequest
                ) -> pb.Valuation:
    request.request_id, request.asset_id = rid(), asset_id
    return (await bank.bank.ValueAsset(request, metadata=bearer(holder))).valuation


async def licence_deal(bank: Bank, *, asset_id: str, licensor: str, licensee: str,
                       upfront_fen: int, listing_id: str = "") -> tuple[str, pb.Agreement]:
    """A non-exclusive licence for a year, agreed at `upfront_fen` (listing reused)."""
    now = bank.clock()
    terms = pb.DealTerms(upfront_amount=cny(upfront_fen), royalty_rate=dec("0"),
                         term=common_pb2.TimeRange(start_time=stamp(now),
                                                   end_time=stamp(now + timedelta(days=365))))
    if not listing_id:
        listing = await bank.patents.CreateListing(pb.CreateListingRequest(
            request_id=rid(), asset_id=asset_id, seller_id=licensor,
            kind=pb.LISTING_KIND_NON_EXCLUSIVE_LICENSE, asking_terms=terms),
            metadata=bearer(licensor))
        listing_id = listing.listing.listing_id
    offer = await bank.patents.MakeOffer(pb.MakeOfferRequest(
        request_id=rid(), listing_id=listing_id, buyer_id=licensee, terms=terms),
        metadata=bearer(licensee))
    accepted = await bank.patents.AcceptOffer(pb.AcceptOfferRequest(
        request_id=rid(), offer_id=offer.offer.offer_id), metadata=bearer(licensor))
    return listing_id, accepted.agreement
