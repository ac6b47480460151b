"""The Internet Patent Bank (wing 2): listings for licence or sale, offers and
counter-offers, agreements, royalties. Closed deals are the market comparables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, localcontext
from enum import StrEnum

from ntb_intangible_bank.domain.valuation import CONTEXT, fen
from ntbkit.errors import FailedPrecondition

SECONDS_PER_YEAR = 365 * 24 * 3600


class ListingKind(StrEnum):
    EXCLUSIVE_LICENSE = "EXCLUSIVE_LICENSE"
    NON_EXCLUSIVE_LICENSE = "NON_EXCLUSIVE_LICENSE"
    SALE = "SALE"


class ListingStatus(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"
    WITHDRAWN = "WITHDRAWN"


class OfferStatus(StrEnum):
    OPEN = "OPEN"
    COUNTERED = "COUNTERED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    LAPSED = "LAPSED"


class AgreementStatus(StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"
    COMPLETED = "COMPLETED"


@dataclass(frozen=True)
class DealTerms:
    upfront_fen: int
    royalty_rate: Decimal
    minimum_annual_royalty_fen: int
    territories: tuple[str, ...]
    field_of_use: str
    term_start: datetime | None
    term_end: datetime | None
    sublicensable: bool

    def overlaps(self, other: DealTerms) -> bool:
        """Same field (empty = all), shared territory (empty = all), overlapping term."""
        fields = not self.field_of_use or not other.field_of_use or (
            self.field_of_use.casefold() == other.field_of_use.casefold())
        places = (not self.territories or not other.territories
                  or bool(set(self.territories) & set(other.territories)))
        assert self.term_start and self.term_end and other.term_start and other.term_end
        terms = self.term_start < other.term_end and other.term_start < self.term_end
        return fields and places and terms


@dataclass
class Listing:
    listing_id: str
    asset_id: str
    seller_id: str
    kind: ListingKind
    asking_terms: DealTerms
    description: str
    asset_kind: str
    classification_codes: tuple[str, ...]
    jurisdiction: str
    title: str
    created_at: datetime
    status: ListingStatus = ListingStatus.OPEN
    closed_at: datetime | None = None
    loan_id: str = ""

    def require_open(self) -> None:
        if self.status is not ListingStatus.OPEN:
            raise FailedPrecondition("LISTING_NOT_OPEN", f"the listing is {self.status.value}")

    def close(self, status: ListingStatus, at: datetime) -> None:
        self.require_open()
        self.status, self.closed_at = status, at


@dataclass
class Offer:
    offer_id: str
    listing_id: str
    buyer_id: str
    from_id: str
    to_id: str
    terms: DealTerms
    previous_offer_id: str
    message: str
    expires_at: datetime
    created_at: datetime
    status: OfferStatus = OfferStatus.OPEN

    def status_at(self, now: datetime) -> OfferStatus:
        """An open offer past its expiry reads as LAPSED."""
        if self.status is OfferStatus.OPEN and self.expires_at <= now:
            return OfferStatus.LAPSED
        return self.status

    def require_answerable(self, by: str, now: datetime) -> None:
        if self.status is not OfferStatus.OPEN:
            raise FailedPrecondition("OFFER_NOT_OPEN", f"the offer is {self.status.value}")
        if self.expires_at <= now:
            raise FailedPrecondition("OFFER_EXPIRED", "the offer expired")
        if by != self.to_id:
            raise FailedPrecondition("OFFER_NOT_ADDRESSED_TO_CALLER",
                                     "only the party the offer is addressed to may answer it")


@dataclass
class Agreement:
    agreement_id: str
    listing_id: str
    offer_id: str
    asset_id: str
    kind: ListingKind
    licensor_id: str
    licensee_id: str
    terms: DealTerms
    agreed_at: datetime
    asset_kind: str
    classification_codes: tuple[str, ...]
    jurisdiction: str
    status: AgreementStatus = AgreementStatus.ACTIVE
    upfront_transfer_id: str = ""
    royalties_paid_fen: int = 0
    first_year_royalties_fen: int = 0
    ended_at: datetime | None = None
    paid_periods: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def deal_value_fen(self) -> int:
        """Upfront plus royalties of the first year: what a comparable is worth."""
        return self.terms.upfront_fen + self.first_year_royalties_fen

    def status_at(self, now: datetime) -> AgreementStatus:
        if (self.status is AgreementStatus.ACTIVE and self.terms.term_end is not None
                and self.terms.term_end <= now):
            return AgreementStatus.EXPIRED
        return self.status


@dataclass(frozen=True)
class RoyaltyPayment:
    royalty_payment_id: str
    agreement_id: str
    period_start: datetime
    period_end: datetime
    revenue_fen: int
    royalty_fen: int
    transfer_id: str
    paid_at: datetime


def royalty_due(agreement: Agreement, start: datetime, end: datetime, revenue_fen: int) -> int:
    """max(revenue x rate, minimum annual royalty pro-rated to the period)."""
    with localcontext(CONTEXT):
        share = Decimal((end - start).total_seconds()) / SECONDS_PER_YEAR
        minimum = agreement.terms.minimum_annual_royalty_fen * share
        return fen(max(revenue_fen * agreement.terms.royalty_rate, minimum))


def similarity(kind: str, codes: tuple[str, ...], jurisdiction: str, *, other_kind: str,
               other_codes: tuple[str, ...], other_jurisdiction: str) -> Decimal:
    """0..1: same kind 0.4, same jurisdiction 0.2, longest shared classification
    prefix (relative to the longer code) up to 0.4."""
    best = Decimal(0)
    for a in codes:
        for b in other_codes:
            shared = 0
            while shared < min(len(a), len(b)) and a[shared] == b[shared]:
                shared += 1
            best = max(best, Decimal(shared) / max(len(a), len(b)))
    with localcontext(CONTEXT):
        score = (Decimal("0.4") * (kind == other_kind) + Decimal("0.2")
                 * (jurisdiction == other_jurisdiction) + Decimal("0.4") * best)
        return score.quantize(Decimal("0.0001"))
