"""What intangible-bank's use cases need from a unit of work (adapters provide it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ntb_intangible_bank.domain.assets import Asset, AssetKind, LegalStatus
from ntb_intangible_bank.domain.events import DomainEvent
from ntb_intangible_bank.domain.gene import GeneEntry
from ntb_intangible_bank.domain.loans import Loan
from ntb_intangible_bank.domain.patent_bank import Agreement, Listing, Offer, RoyaltyPayment
from ntb_intangible_bank.domain.principals import PrincipalView
from ntb_intangible_bank.domain.rating import AssetRating
from ntb_intangible_bank.domain.rights import RightsConfirmation
from ntb_intangible_bank.domain.valuation import Comparable, Valuation
from ntbkit.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AssetFilter:
    holder_id: str
    kind: AssetKind | None
    jurisdiction: str
    legal_status: LegalStatus | None
    classification_prefix: str


@dataclass(frozen=True)
class LoanFilter:
    borrower_id: str
    lender_id: str
    asset_id: str
    status: str


class AssetRepository(Protocol):
    async def add(self, asset: Asset) -> None: ...

    async def get(self, asset_id: str, *, for_update: bool = False) -> Asset | None: ...

    async def save(self, asset: Asset) -> None: ...

    async def registration_taken(self, jurisdiction: str, number: str) -> bool: ...

    async def page(self, where: AssetFilter, offset: int, limit: int) -> list[Asset]: ...

    async def count_held(self, principal_id: str) -> int: ...

    async def created_by(self, principal_id: str) -> list[str]:
        """Ids of the assets this principal helped create (a creator with hours)."""
        ...


class RightsRepository(Protocol):
    async def add(self, confirmation: RightsConfirmation) -> None: ...

    async def get(self, confirmation_id: str) -> RightsConfirmation | None: ...

    async def save(self, confirmation: RightsConfirmation) -> None: ...

    async def of_asset(self, asset_id: str) -> list[RightsConfirmation]: ...


class ValuationRepository(Protocol):
    async def add(self, valuation: Valuation) -> None: ...

    async def get(self, valuation_id: str) -> Valuation | None: ...

    async def of_asset(self, asset_id: str) -> list[Valuation]: ...  # newest first


class RatingRepository(Protocol):
    async def add(self, rating_id: str, rating: AssetRating) -> None: ...


class LoanRepository(Protocol):
    async def add(self, loan: Loan) -> None: ...

    async def get(self, loan_id: str) -> Loan | None: ...

    async def save(self, loan: Loan) -> None: ...

    async def holding_pledge(self, asset_id: str) -> Loan | None: ...

    async def page(self, where: LoanFilter, offset: int, limit: int) -> list[Loan]: ...

    async def of_borrower(self, borrower_id: str) -> list[Loan]: ...


class GeneRepository(Protocol):
    async def last(self, asset_id: str) -> GeneEntry | None: ...

    async def add(self, entry: GeneEntry) -> None: ...

    async def page(self, asset_id: str, offset: int, limit: int) -> list[GeneEntry]: ...


class PrincipalRepository(Protocol):
    async def get(self, principal_id: str) -> PrincipalView | None: ...

    async def save(self, principal: PrincipalView) -> None: ...


class ComparableDeals(Protocol):
    """Closed patent bank deals similar to an asset (the market approach)."""

    async def similar_to(self, asset: Asset, limit: int) -> list[Comparable]: ...


class ListingRepository(Protocol):
    async def add(self, listing: Listing) -> None: ...

    async def get(self, listing_id: str) -> Listing | None: ...

    async def save(self, listing: Listing) -> None: ...

    async def open_of_asset(self, asset_id: str) -> list[Listing]: ...

    async def of_loan(self, loan_id: str) -> Listing | None: ...

    async def search(self, where: ListingFilter, offset: int, limit: int) -> list[Listing]: ...


class OfferRepository(Protocol):
    async def add(self, offer: Offer) -> None: ...

    async def get(self, offer_id: str) -> Offer | None: ...

    async def save(self, offer: Offer) -> None: ...

    async def open_of_listing(self, listing_id: str) -> list[Offer]: ...

    async def page(self, listing_id: str, buyer_id: str, status: str, offset: int,
                   limit: int) -> list[Offer]: ...


class AgreementRepository(Protocol):
    async def add(self, agreement: Agreement) -> None: ...

    async def get(self, agreement_id: str) -> Agreement | None: ...

    async def save(self, agreement: Agreement) -> None: ...

    async def of_asset(self, asset_id: str) -> list[Agreement]: ...

    async def page(self, party_id: str, asset_id: str, offset: int, limit: int
                   ) -> list[Agreement]: ...


class RoyaltyRepository(Protocol):
    async def add(self, payment: RoyaltyPayment) -> None: ...

    async def of_agreement(self, agreement_id: str) -> list[RoyaltyPayment]: ...


@dataclass(frozen=True)
class ListingFilter:
    query: str
    kind: str
    asset_kind: str
    classification_prefix: str
    jurisdiction: str
    max_upfront_fen: int | None
    include_closed: bool


class IntangibleBankUnitOfWork(UnitOfWork):
    assets: AssetRepository
    rights: RightsRepository
    valuations: ValuationRepository
    ratings: RatingRepository
    loans: LoanRepository
    gene: GeneRepository
    principals: PrincipalRepository
    comparables: ComparableDeals
    listings: ListingRepository
    offers: OfferRepository
    agreements: AgreementRepository
    royalties: RoyaltyRepository

    def record(self, event: DomainEvent) -> None:
        raise NotImplementedError


NewUnit = Callable[[], IntangibleBankUnitOfWork]
Clock = Callable[[], datetime]
