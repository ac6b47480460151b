"""What happened, as the service layer records it; adapters encode these as the
ntb.events.v1 messages on the asset, loan and anchor topics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ntb_intangible_bank.domain.assets import Asset, Holder, LegalStatus
from ntb_intangible_bank.domain.gene import GeneEntry
from ntb_intangible_bank.domain.loans import Loan, Repayment
from ntb_intangible_bank.domain.patent_bank import Agreement, Listing, RoyaltyPayment
from ntb_intangible_bank.domain.rating import AssetRating
from ntb_intangible_bank.domain.rights import RightsConfirmation
from ntb_intangible_bank.domain.valuation import Valuation


@dataclass(frozen=True)
class AssetRegistered:
    asset: Asset


@dataclass(frozen=True)
class AssetLegalStatusChanged:
    asset: Asset
    previous: LegalStatus
    reason: str


@dataclass(frozen=True)
class AssetTransferred:
    asset: Asset
    previous_holders: tuple[Holder, ...]
    cause: str


@dataclass(frozen=True)
class RightsDecided:
    confirmation: RightsConfirmation


@dataclass(frozen=True)
class AssetValued:
    valuation: Valuation


@dataclass(frozen=True)
class AssetRated:
    rating: AssetRating
    previous_rating: str


@dataclass(frozen=True)
class LoanChanged:
    """One of LoanRequested/Approved/Rejected/Disbursed/Repaid/Defaulted and the
    pledge events, chosen by `what`."""

    what: str
    loan: Loan
    at: datetime
    reason: str = ""


@dataclass(frozen=True)
class LoanRepaymentReceived:
    loan: Loan
    repayment: Repayment


@dataclass(frozen=True)
class GeneEntryRecorded:
    """Becomes AnchorRequested on ntb.intangible_bank.anchor.v1."""

    entry: GeneEntry
    source: str


@dataclass(frozen=True)
class ListingChanged:
    """ListingPublished or ListingWithdrawn."""

    what: str
    listing: Listing
    at: datetime


@dataclass(frozen=True)
class AgreementChanged:
    """LicenseGranted, LicenseTerminated or AssetSold."""

    what: str
    agreement: Agreement
    at: datetime
    by: str = ""
    reason: str = ""


@dataclass(frozen=True)
class RoyaltyPaid:
    agreement: Agreement
    payment: RoyaltyPayment


DomainEvent = (AssetRegistered | AssetLegalStatusChanged | AssetTransferred | RightsDecided
               | AssetValued | AssetRated | LoanChanged | LoanRepaymentReceived
               | GeneEntryRecorded | ListingChanged | AgreementChanged | RoyaltyPaid)
