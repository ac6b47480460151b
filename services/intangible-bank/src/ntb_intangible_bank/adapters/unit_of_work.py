"""intangible-bank's unit of work: ntbkit's transaction plus its repositories."""

from __future__ import annotations

from typing import Self

from ntb_intangible_bank.adapters import event_codec
from ntb_intangible_bank.adapters.patent_bank_repository import (
    AgreementRepository,
    ListingRepository,
    OfferRepository,
    RoyaltyRepository,
    SqlComparableDeals,
)
from ntb_intangible_bank.adapters.repository import (
    AssetRepository,
    GeneRepository,
    LoanRepository,
    PrincipalRepository,
    RatingRepository,
    RightsRepository,
    ValuationRepository,
)
from ntb_intangible_bank.domain.events import DomainEvent
from ntb_intangible_bank.service import unit_of_work


class SqlIntangibleBankUnitOfWork(unit_of_work.IntangibleBankUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        session = self.session
        self.assets = AssetRepository(session)
        self.rights = RightsRepository(session)
        self.valuations = ValuationRepository(session)
        self.ratings = RatingRepository(session)
        self.loans = LoanRepository(session)
        self.gene = GeneRepository(session)
        self.principals = PrincipalRepository(session)
        self.comparables = SqlComparableDeals(session)
        self.listings = ListingRepository(session)
        self.offers = OfferRepository(session)
        self.agreements = AgreementRepository(session)
        self.royalties = RoyaltyRepository(session)
        return self

    def record(self, event: DomainEvent) -> None:
        for topic, key, message in event_codec.encode(event):
            self.emit(topic=topic, key=key, message=message)
