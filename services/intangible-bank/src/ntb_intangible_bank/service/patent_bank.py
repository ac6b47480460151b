"""The Internet Patent Bank's use cases: listings, offers and counter-offers,
agreements with the upfront payment and royalties through the ledger."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from ntb_intangible_bank.domain.assets import Asset, Holder, LegalStatus
from ntb_intangible_bank.domain.events import AgreementChanged, ListingChanged, RoyaltyPaid
from ntb_intangible_bank.domain.gene import GeneEventKind
from ntb_intangible_bank.domain.patent_bank import (
    Agreement,
    AgreementStatus,
    DealTerms,
    Listing,
    ListingKind,
    ListingStatus,
    Offer,
    OfferStatus,
    RoyaltyPayment,
    royalty_due,
)
from ntb_intangible_bank.domain.rights import RightKind
from ntb_intangible_bank.domain.valuation import Comparable
from ntb_intangible_bank.service import gene_map
from ntb_intangible_bank.service.access import locked_asset
from ntb_intangible_bank.service.ports import ASSET_SALE, ROYALTY, Ledger, transfer_id_for
from ntb_intangible_bank.service.registry import transfer_holders
from ntb_intangible_bank.service.unit_of_work import (
    Clock,
    IntangibleBankUnitOfWork,
    ListingFilter,
    NewUnit,
)
from ntbkit.auth import Caller
from ntbkit.errors import FailedPrecondition, NotFound, PermissionDenied
from ntbkit.storage.idempotency import run_idempotent

OFFER_TTL_DEFAULT = timedelta(days=14)
_LISTABLE = frozenset({LegalStatus.IN_FORCE, LegalStatus.PENDING})
_RIGHTS_TO_SELL = frozenset({RightKind.OWNERSHIP})
_RIGHTS_TO_LICENSE = frozenset({RightKind.OWNERSHIP, RightKind.OPERATION})
_HOLDING_LISTINGS = frozenset({ListingKind.SALE, ListingKind.EXCLUSIVE_LICENSE})


@dataclass(frozen=True)
class CreateListing:
    request_id: str
    asset_id: str
    seller_id: str
    kind: ListingKind
    terms: DealTerms
    description: str


@dataclass(frozen=True)
class MakeOffer:
    request_id: str
    listing_id: str
    buyer_id: str
    terms: DealTerms
    message: str
    expires_at: datetime | None


@dataclass(frozen=True)
class AnswerOffer:
    """Counter (with terms), accept or reject an open offer."""

    request_id: str
    offer_id: str
    terms: DealTerms | None = None
    message: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True)
class EndListingOrAgreement:
    request_id: str
    target_id: str
    reason: str


@dataclass(frozen=True)
class PayRoyalty:
    request_id: str
    agreement_id: str
    period_start: datetime
    period_end: datetime
    revenue_fen: int


async def publish(unit: IntangibleBankUnitOfWork, listing: Listing, actor_id: str) -> None:
    await unit.listings.add(listing)
    unit.record(ListingChanged("ListingPublished", listing, listing.created_at))
    await gene_map.record(unit, listing.asset_id, GeneEventKind.LISTED, actor_id=actor_id,
                          subject_id=listing.listing_id, subject=listing,
                          at=listing.created_at, summary=(
                              f"listed for {listing.kind.value.lower().replace('_', ' ')} by "
                              f"{listing.seller_id}, asking {listing.asking_terms.upfront_fen} "
                              "fen"))


def new_listing(asset: Asset, *, seller_id: str, kind: ListingKind, terms: DealTerms,
                description: str, at: datetime, loan_id: str = "") -> Listing:
    return Listing(listing_id=str(uuid.uuid4()), asset_id=asset.asset_id, seller_id=seller_id,
                   kind=kind, asking_terms=terms, description=description,
                   asset_kind=asset.kind.value,
                   classification_codes=asset.classification_codes,
                   jurisdiction=asset.jurisdiction, title=asset.title, created_at=at,
                   loan_id=loan_id)


async def _require_unpledged(unit: IntangibleBankUnitOfWork, asset_id: str, what: str) -> None:
    if await unit.loans.holding_pledge(asset_id) is not None:
        raise FailedPrecondition("ASSET_PLEDGED", f"a pledged asset cannot be {what}")


async def _require_exclusivity_free(unit: IntangibleBankUnitOfWork, asset_id: str,
                                    terms: DealTerms, now: datetime) -> None:
    for deal in await unit.agreements.of_asset(asset_id):
        if (deal.kind is ListingKind.EXCLUSIVE_LICENSE
                and deal.status_at(now) is AgreementStatus.ACTIVE and deal.terms.overlaps(terms)):
            raise FailedPrecondition("EXCLUSIVE_LICENSE_TAKEN", "an exclusive licence already "
                                     "covers this field, territory and term",
                                     {"agreement_id": deal.agreement_id})


def _require_term_inside(asset: Asset, terms: DealTerms) -> None:
    if asset.expiry_date is None or terms.term_end is None:
        return
    if terms.term_end.date() > asset.expiry_date:
        raise FailedPrecondition("TERM_OUTSIDE_PROTECTION",
                                 "the licence must end before the asset's protection does")


async def create_listing(new_unit: NewUnit, command: CreateListing, caller: Caller,
                         clock: Clock) -> Listing:
    caller.require_may_act_for(command.seller_id)

    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        asset = await locked_asset(unit, command.asset_id)
        now = clock()
        if asset.legal_status not in _LISTABLE:
            raise FailedPrecondition("ASSET_NOT_LISTABLE",
                                     f"the asset is {asset.legal_status.value}")
        needed = _RIGHTS_TO_SELL if command.kind is ListingKind.SALE else _RIGHTS_TO_LICENSE
        held = [r for r in await unit.rights.of_asset(asset.asset_id)
                if r.holder_id == command.seller_id and r.right_kind in needed
                and r.in_force(now)]
        if not held:
            raise FailedPrecondition(
                "RIGHT_REQUIRED", f"the seller needs a CONFIRMED "
                f"{' or '.join(sorted(k.value for k in needed))} right to offer this")
        if command.kind in _HOLDING_LISTINGS:
            await _require_unpledged(unit, asset.asset_id, "sold or exclusively licensed")
        if command.kind is ListingKind.EXCLUSIVE_LICENSE:
            await _require_exclusivity_free(unit, asset.asset_id, command.terms, now)
        _require_term_inside(asset, command.terms)
        listing = new_listing(asset, seller_id=command.seller_id, kind=command.kind,
                              terms=command.terms, description=command.description, at=now)
        await publish(unit, listing, caller.subject)
        return listing.listing_id

    listing_id = await run_idempotent(
        new_unit, operation="CreateListing", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_listing(new_unit, listing_id)


async def get_listing(new_unit: NewUnit, listing_id: str) -> Listing:
    async with new_unit() as unit:
        listing = await unit.listings.get(listing_id)
    if listing is None:
        raise NotFound("listing", listing_id)
    return listing


async def search_listings(new_unit: NewUnit, where: ListingFilter, offset: int, limit: int
                          ) -> list[Listing]:
    async with new_unit() as unit:
        return await unit.listings.search(where, offset, limit)


async def _listing(unit: IntangibleBankUnitOfWork, listing_id: str) -> Listing:
    listing = await unit.listings.get(listing_id)
    if listing is None:
        raise NotFound("listing", listing_id)
    return listing


async def _offer(unit: IntangibleBankUnitOfWork, offer_id: str) -> Offer:
    offer = await unit.offers.get(offer_id)
    if offer is None:
        raise NotFound("offer", offer_id)
    return offer


def _check_terms_fit(listing: Listing, terms: DealTerms) -> None:
    licence = listing.kind is not ListingKind.SALE
    if licence != (terms.term_end is not None) or (not licence and terms.royalty_rate):
        raise FailedPrecondition("TERMS_DO_NOT_MATCH_LISTING", "a licence needs a term; a "
                                 "sale has no term and no royalty")


async def make_offer(new_unit: NewUnit, command: MakeOffer, caller: Caller, clock: Clock
                     ) -> Offer:
    caller.require_may_act_for(command.buyer_id)

    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        listing = await _listing(unit, command.listing_id)
        listing.require_open()
        if command.buyer_id == listing.seller_id:
            raise FailedPrecondition("SELF_DEALING", "the seller cannot make offers on its "
                                     "own listing")
        _check_terms_fit(listing, command.terms)
        now = clock()
        offer = Offer(offer_id=str(uuid.uuid4()), listing_id=listing.listing_id,
                      buyer_id=command.buyer_id, from_id=command.buyer_id,
                      to_id=listing.seller_id, terms=command.terms, previous_offer_id="",
                      message=command.message,
                      expires_at=command.expires_at or now + OFFER_TTL_DEFAULT, created_at=now)
        await unit.offers.add(offer)
        return offer.offer_id

    offer_id = await run_idempotent(
        new_unit, operation="MakeOffer", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_offer(new_unit, offer_id)


async def get_offer(new_unit: NewUnit, offer_id: str) -> Offer:
    async with new_unit() as unit:
        return await _offer(unit, offer_id)


async def counter_offer(new_unit: NewUnit, command: AnswerOffer, caller: Caller,
                        clock: Clock) -> Offer:
    assert command.terms is not None

    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        offer = await _offer(unit, command.offer_id)
        listing = await _listing(unit, offer.listing_id)
        await locked_asset(unit, listing.asset_id)
        now = clock()
        offer.require_answerable(caller.subject, now)
        listing.require_open()
        assert command.terms is not None
        _check_terms_fit(listing, command.terms)
        offer.status = OfferStatus.COUNTERED
        await unit.offers.save(offer)
        counter = Offer(offer_id=str(uuid.uuid4()), listing_id=offer.listing_id,
                        buyer_id=offer.buyer_id, from_id=caller.subject, to_id=offer.from_id,
                        terms=command.terms, previous_offer_id=offer.offer_id,
                        message=command.message,
                        expires_at=command.expires_at or now + OFFER_TTL_DEFAULT,
                        created_at=now)
        await unit.offers.add(counter)
        return counter.offer_id

    offer_id = await run_idempotent(
        new_unit, operation="CounterOffer", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_offer(new_unit, offer_id)


async def reject_offer(new_unit: NewUnit, command: AnswerOffer, caller: Caller,
                       clock: Clock) -> Offer:
    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        offer = await _offer(unit, command.offer_id)
        offer.require_answerable(caller.subject, clock())
        offer.status = OfferStatus.REJECTED
        await unit.offers.save(offer)
        return offer.offer_id

    offer_id = await run_idempotent(
        new_unit, operation="RejectOffer", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_offer(new_unit, offer_id)


async def _lapse_open_offers(unit: IntangibleBankUnitOfWork, listing_id: str) -> None:
    for other in await unit.offers.open_of_listing(listing_id):
        other.status = OfferStatus.LAPSED
        await unit.offers.save(other)


def _sold_share(asset: Asset, seller_id: str, buyer_id: str) -> tuple[Holder, ...]:
    """The seller's share passes to the buyer (added to the buyer's own share, if any)."""
    share = next(h.share for h in asset.holders if h.principal_id == seller_id)
    rest = [h for h in asset.holders if h.principal_id not in (seller_id, buyer_id)]
    own = sum((h.share for h in asset.holders if h.principal_id == buyer_id), Decimal(0))
    return (*rest, Holder(buyer_id, own + share))


async def _settle_enforced_loan(unit: IntangibleBankUnitOfWork, listing: Listing,
                                agreement: Agreement, ledger: Ledger, request_id: str,
                                now: datetime) -> None:
    """An enforcement sale pays the defaulted loan; the surplus goes back to the borrower."""
    loan = await unit.loans.get(listing.loan_id)
    assert loan is not None, "an enforcement listing names its loan"
    surplus = loan.settle_by_sale(agreement.terms.upfront_fen, now)
    if surplus > 0:
        await ledger.pay(transfer_id=transfer_id_for(request_id, "surplus"),
                         payer_id=loan.lender_id, payee_id=loan.borrower_id,
                         amount_fen=surplus, code=ASSET_SALE, reference=f"loan:{loan.loan_id}")
    await unit.loans.save(loan)


def _require_seller_holds(asset: Asset, listing: Listing) -> None:
    if listing.kind is ListingKind.SALE and not asset.holds(listing.seller_id):
        raise FailedPrecondition("SELLER_NOT_HOLDER", "the seller no longer holds the asset")


async def _complete(unit: IntangibleBankUnitOfWork, listing: Listing, offer: Offer,
                    agreement: Agreement, caller: Caller, now: datetime) -> None:
    asset = await locked_asset(unit, listing.asset_id)
    if listing.kind is ListingKind.SALE:
        agreement.status = AgreementStatus.COMPLETED
        await transfer_holders(unit, asset, _sold_share(asset, listing.seller_id,
                                                        offer.buyer_id),
                               cause=f"sale:{agreement.agreement_id}", actor_id=caller.subject,
                               at=now)
        unit.record(AgreementChanged("AssetSold", agreement, now))
    else:
        unit.record(AgreementChanged("LicenseGranted", agreement, now))
        await gene_map.record(unit, asset.asset_id, GeneEventKind.LICENSED,
                              actor_id=caller.subject, subject_id=agreement.agreement_id,
                              subject=agreement, at=now, summary=(
                                  f"{listing.kind.value.lower().replace('_', ' ')} to "
                                  f"{agreement.licensee_id}"))


async def accept_offer(new_unit: NewUnit, command: AnswerOffer, caller: Caller,
                       clock: Clock, ledger: Ledger) -> Agreement:
    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        offer = await _offer(unit, command.offer_id)
        listing = await _listing(unit, offer.listing_id)
        await locked_asset(unit, listing.asset_id)
        offer, listing = await _offer(unit, offer.offer_id), await _listing(unit, offer.listing_id)
        now = clock()
        offer.require_answerable(caller.subject, now)
        listing.require_open()
        if listing.kind in _HOLDING_LISTINGS:
            await _require_unpledged(unit, listing.asset_id, "sold or exclusively licensed")
        if listing.kind is ListingKind.EXCLUSIVE_LICENSE:
            await _require_exclusivity_free(unit, listing.asset_id, offer.terms, now)
        asset = await locked_asset(unit, listing.asset_id)
        # Every check before the money moves: the ledger transfer cannot be rolled back.
        _require_seller_holds(asset, listing)
        agreement = Agreement(
            agreement_id=str(uuid.uuid4()), listing_id=listing.listing_id,
            offer_id=offer.offer_id, asset_id=listing.asset_id, kind=listing.kind,
            licensor_id=listing.seller_id, licensee_id=offer.buyer_id, terms=offer.terms,
            agreed_at=now, asset_kind=asset.kind.value,
            classification_codes=asset.classification_codes, jurisdiction=asset.jurisdiction)
        if offer.terms.upfront_fen > 0:
            agreement.upfront_transfer_id = await ledger.pay(
                transfer_id=transfer_id_for(command.request_id, "upfront"),
                payer_id=offer.buyer_id, payee_id=listing.seller_id,
                amount_fen=offer.terms.upfront_fen,
                code=ASSET_SALE if listing.kind is ListingKind.SALE else ROYALTY,
                reference=f"agreement:{agreement.agreement_id}")
        if listing.loan_id:
            await _settle_enforced_loan(unit, listing, agreement, ledger, command.request_id,
                                        now)
        offer.status = OfferStatus.ACCEPTED
        await unit.offers.save(offer)
        if listing.kind in _HOLDING_LISTINGS:
            listing.close(ListingStatus.CLOSED, now)
            await unit.listings.save(listing)
            await _lapse_open_offers(unit, listing.listing_id)
        await _complete(unit, listing, offer, agreement, caller, now)
        await unit.agreements.add(agreement)
        return agreement.agreement_id

    agreement_id = await run_idempotent(
        new_unit, operation="AcceptOffer", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_agreement(new_unit, agreement_id, caller)


async def withdraw_listing(new_unit: NewUnit, command: EndListingOrAgreement, caller: Caller,
                           clock: Clock) -> Listing:
    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        listing = await _listing(unit, command.target_id)
        caller.require_may_act_for(listing.seller_id)
        await locked_asset(unit, listing.asset_id)
        now = clock()
        listing.close(ListingStatus.WITHDRAWN, now)
        await unit.listings.save(listing)
        await _lapse_open_offers(unit, listing.listing_id)
        unit.record(ListingChanged("ListingWithdrawn", listing, now))
        await gene_map.record(unit, listing.asset_id, GeneEventKind.LISTING_WITHDRAWN,
                              actor_id=caller.subject, subject_id=listing.listing_id,
                              subject=listing, at=now, summary="listing withdrawn")
        return listing.listing_id

    listing_id = await run_idempotent(
        new_unit, operation="WithdrawListing", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_listing(new_unit, listing_id)


async def _agreement(unit: IntangibleBankUnitOfWork, agreement_id: str) -> Agreement:
    agreement = await unit.agreements.get(agreement_id)
    if agreement is None:
        raise NotFound("agreement", agreement_id)
    return agreement


def _require_party(agreement: Agreement, caller: Caller) -> None:
    if caller.subject not in (agreement.licensor_id, agreement.licensee_id) and (
            not caller.privileged):
        raise PermissionDenied("only the parties (or an operator) may see or end an agreement")


async def get_agreement(new_unit: NewUnit, agreement_id: str, caller: Caller) -> Agreement:
    async with new_unit() as unit:
        agreement = await _agreement(unit, agreement_id)
    _require_party(agreement, caller)
    return agreement


async def list_agreements(new_unit: NewUnit, party_id: str, asset_id: str, offset: int,
                          limit: int, caller: Caller) -> list[Agreement]:
    if not caller.privileged and party_id != caller.subject:
        raise PermissionDenied("list your own agreements (party_id = yourself)")
    async with new_unit() as unit:
        return await unit.agreements.page(party_id, asset_id, offset, limit)


async def terminate(new_unit: NewUnit, command: EndListingOrAgreement, caller: Caller,
                    clock: Clock) -> Agreement:
    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        agreement = await _agreement(unit, command.target_id)
        if caller.subject not in (agreement.licensor_id, agreement.licensee_id):
            caller.require_may_act_for(agreement.licensor_id)
        now = clock()
        if agreement.kind is ListingKind.SALE or agreement.status_at(now) is not (
                AgreementStatus.ACTIVE):
            raise FailedPrecondition("AGREEMENT_NOT_ACTIVE", "only an active licence ends early")
        agreement.status, agreement.ended_at = AgreementStatus.TERMINATED, now
        await unit.agreements.save(agreement)
        unit.record(AgreementChanged("LicenseTerminated", agreement, now, caller.subject,
                                     command.reason))
        return agreement.agreement_id

    agreement_id = await run_idempotent(
        new_unit, operation="TerminateAgreement", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_agreement(new_unit, agreement_id, caller)


async def pay_royalty(new_unit: NewUnit, command: PayRoyalty, caller: Caller, clock: Clock,
                      ledger: Ledger) -> RoyaltyPayment:
    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        agreement = await _agreement(unit, command.agreement_id)
        caller.require_may_act_for(agreement.licensee_id)
        await locked_asset(unit, agreement.asset_id)
        agreement = await _agreement(unit, command.agreement_id)
        now = clock()
        if agreement.kind is ListingKind.SALE or agreement.status_at(now) is not (
                AgreementStatus.ACTIVE):
            raise FailedPrecondition("AGREEMENT_NOT_ACTIVE", "royalties are paid on active "
                                     "licences")
        start, end = agreement.terms.term_start, agreement.terms.term_end
        assert start is not None and end is not None
        if command.period_start < start or command.period_end > end:
            raise FailedPrecondition("PERIOD_OUTSIDE_TERM", "the period must lie inside the "
                                     "licence term")
        if any(command.period_start < e and s < command.period_end
               for s, e in agreement.paid_periods):
            raise FailedPrecondition("PERIOD_ALREADY_PAID", "the period overlaps a paid one")
        royalty = royalty_due(agreement, command.period_start, command.period_end,
                              command.revenue_fen)
        transfer_id = ""
        if royalty > 0:
            transfer_id = await ledger.pay(
                transfer_id=transfer_id_for(command.request_id, "royalty"),
                payer_id=agreement.licensee_id, payee_id=agreement.licensor_id,
                amount_fen=royalty, code=ROYALTY,
                reference=f"agreement:{agreement.agreement_id}")
        payment = RoyaltyPayment(command.request_id, agreement.agreement_id,
                                 command.period_start, command.period_end,
                                 command.revenue_fen, royalty, transfer_id, now)
        agreement.royalties_paid_fen += royalty
        if command.period_start < agreement.agreed_at + timedelta(days=365):
            agreement.first_year_royalties_fen += royalty
        agreement.paid_periods.append((command.period_start, command.period_end))
        await unit.agreements.save(agreement)
        await unit.royalties.add(payment)
        unit.record(RoyaltyPaid(agreement, payment))
        await gene_map.record(unit, agreement.asset_id, GeneEventKind.ROYALTY_PAID,
                              actor_id=caller.subject, subject_id=payment.royalty_payment_id,
                              subject=payment, at=now, summary=f"royalty {royalty} fen paid")
        return payment.royalty_payment_id

    await run_idempotent(
        new_unit, operation="PayRoyalty", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    async with new_unit() as unit:
        payments = await unit.royalties.of_agreement(command.agreement_id)
    return next(p for p in payments if p.royalty_payment_id == command.request_id)


async def royalty_payments(new_unit: NewUnit, agreement_id: str, caller: Caller
                           ) -> list[RoyaltyPayment]:
    await get_agreement(new_unit, agreement_id, caller)
    async with new_unit() as unit:
        return await unit.royalties.of_agreement(agreement_id)


async def comparable_deals(new_unit: NewUnit, asset_id: str, limit: int
                           ) -> list[tuple[Comparable, Agreement]]:
    async with new_unit() as unit:
        asset = await unit.assets.get(asset_id)
        if asset is None:
            raise NotFound("asset", asset_id)
        found = await unit.comparables.similar_to(asset, limit)
        deals = [await unit.agreements.get(c.agreement_id) for c in found]
    return [(c, d) for c, d in zip(found, deals, strict=True) if d is not None]


async def list_offers(new_unit: NewUnit, listing_id: str, buyer_id: str, status: str,
                      offset: int, limit: int, caller: Caller) -> list[Offer]:
    if listing_id:
        listing = await get_listing(new_unit, listing_id)
        if caller.subject != listing.seller_id and caller.subject != buyer_id:
            caller.require_access_to(listing.seller_id)
    else:
        caller.require_access_to(buyer_id)
    async with new_unit() as unit:
        return await unit.offers.page(listing_id, buyer_id, status, offset, limit)


