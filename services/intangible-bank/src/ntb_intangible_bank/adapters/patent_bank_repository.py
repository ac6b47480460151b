"""The patent bank's repositories, and its closed deals as market comparables."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_intangible_bank.adapters import tables as t
from ntb_intangible_bank.adapters.repository import SCAN_ROWS_MAX, Documents
from ntb_intangible_bank.domain.assets import Asset
from ntb_intangible_bank.domain.patent_bank import (
    Agreement,
    Listing,
    ListingStatus,
    Offer,
    OfferStatus,
    RoyaltyPayment,
    similarity,
)
from ntb_intangible_bank.domain.valuation import Comparable
from ntb_intangible_bank.service.unit_of_work import ListingFilter


class ListingRepository(Documents[Listing]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, t.listings, "listing_id", Listing)

    async def add(self, x: Listing) -> None:
        await self._insert(x, listing_id=x.listing_id, asset_id=x.asset_id,
                           seller_id=x.seller_id, status=x.status.value, loan_id=x.loan_id,
                           created_at=x.created_at)

    async def get(self, listing_id: str) -> Listing | None:
        return await self._one(t.listings.c.listing_id == listing_id)

    async def save(self, x: Listing) -> None:
        await self._update(x.listing_id, x, status=x.status.value)

    async def open_of_asset(self, asset_id: str) -> list[Listing]:
        return await self._many(sa.select(t.listings.c.document).where(
            t.listings.c.asset_id == asset_id,
            t.listings.c.status == ListingStatus.OPEN.value))

    async def of_loan(self, loan_id: str) -> Listing | None:
        found = await self._many(sa.select(t.listings.c.document).where(
            t.listings.c.loan_id == loan_id))
        return found[0] if found else None

    async def search(self, where: ListingFilter, offset: int, limit: int) -> list[Listing]:
        query = sa.select(t.listings.c.document)
        if not where.include_closed:
            query = query.where(t.listings.c.status == ListingStatus.OPEN.value)
        rows = await self._many(query.order_by(t.listings.c.created_at.desc(),
                                               t.listings.c.listing_id).limit(SCAN_ROWS_MAX))
        words = where.query.casefold().split()
        found = [x for x in rows
                 if (not where.kind or x.kind.value == where.kind)
                 and (not where.asset_kind or x.asset_kind == where.asset_kind)
                 and (not where.jurisdiction or x.jurisdiction == where.jurisdiction)
                 and (not where.classification_prefix or any(
                     c.startswith(where.classification_prefix)
                     for c in x.classification_codes))
                 and (where.max_upfront_fen is None
                      or x.asking_terms.upfront_fen <= where.max_upfront_fen)
                 and all(w in f"{x.title} {x.description}".casefold() for w in words)]
        return found[offset:offset + limit]


class OfferRepository(Documents[Offer]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, t.offers, "offer_id", Offer)

    async def add(self, x: Offer) -> None:
        await self._insert(x, offer_id=x.offer_id, listing_id=x.listing_id,
                           buyer_id=x.buyer_id, status=x.status.value, created_at=x.created_at)

    async def get(self, offer_id: str) -> Offer | None:
        return await self._one(t.offers.c.offer_id == offer_id)

    async def save(self, x: Offer) -> None:
        await self._update(x.offer_id, x, status=x.status.value)

    async def open_of_listing(self, listing_id: str) -> list[Offer]:
        return await self._many(sa.select(t.offers.c.document).where(
            t.offers.c.listing_id == listing_id, t.offers.c.status == OfferStatus.OPEN.value))

    async def page(self, listing_id: str, buyer_id: str, status: str, offset: int,
                   limit: int) -> list[Offer]:
        query = sa.select(t.offers.c.document)
        if listing_id:
            query = query.where(t.offers.c.listing_id == listing_id)
        if buyer_id:
            query = query.where(t.offers.c.buyer_id == buyer_id)
        if status:
            query = query.where(t.offers.c.status == status)
        return await self._many(query.order_by(t.offers.c.created_at.desc(),
                                               t.offers.c.offer_id).offset(offset).limit(limit))


class AgreementRepository(Documents[Agreement]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, t.agreements, "agreement_id", Agreement)

    async def add(self, x: Agreement) -> None:
        await self._insert(x, agreement_id=x.agreement_id, asset_id=x.asset_id,
                           licensor_id=x.licensor_id, licensee_id=x.licensee_id,
                           agreed_at=x.agreed_at)

    async def get(self, agreement_id: str) -> Agreement | None:
        return await self._one(t.agreements.c.agreement_id == agreement_id)

    async def save(self, x: Agreement) -> None:
        await self._update(x.agreement_id, x)

    async def of_asset(self, asset_id: str) -> list[Agreement]:
        return await self._many(sa.select(t.agreements.c.document).where(
            t.agreements.c.asset_id == asset_id))

    async def page(self, party_id: str, asset_id: str, offset: int, limit: int
                   ) -> list[Agreement]:
        query = sa.select(t.agreements.c.document)
        if party_id:
            query = query.where(sa.or_(t.agreements.c.licensor_id == party_id,
                                       t.agreements.c.licensee_id == party_id))
        if asset_id:
            query = query.where(t.agreements.c.asset_id == asset_id)
        return await self._many(query.order_by(t.agreements.c.agreed_at.desc(),
                                               t.agreements.c.agreement_id)
                                .offset(offset).limit(limit))

    async def recent(self) -> list[Agreement]:
        return await self._many(sa.select(t.agreements.c.document).order_by(
            t.agreements.c.agreed_at.desc()).limit(SCAN_ROWS_MAX))


class RoyaltyRepository(Documents[RoyaltyPayment]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, t.royalty_payments, "royalty_payment_id", RoyaltyPayment)

    async def add(self, x: RoyaltyPayment) -> None:
        await self._insert(x, royalty_payment_id=x.royalty_payment_id,
                           agreement_id=x.agreement_id, period_start=x.period_start)

    async def of_agreement(self, agreement_id: str) -> list[RoyaltyPayment]:
        return await self._many(sa.select(t.royalty_payments.c.document).where(
            t.royalty_payments.c.agreement_id == agreement_id).order_by(
            t.royalty_payments.c.period_start))


class SqlComparableDeals:
    """Agreements on other assets, most similar first (similarity > 0 only)."""

    def __init__(self, session: AsyncSession) -> None:
        self._agreements = AgreementRepository(session)

    async def similar_to(self, asset: Asset, limit: int) -> list[Comparable]:
        scored = []
        for deal in await self._agreements.recent():
            if deal.asset_id == asset.asset_id or deal.deal_value_fen <= 0:
                continue
            score = similarity(asset.kind.value, asset.classification_codes,
                               asset.jurisdiction, other_kind=deal.asset_kind,
                               other_codes=deal.classification_codes,
                               other_jurisdiction=deal.jurisdiction)
            if score > 0:
                scored.append(Comparable(deal.agreement_id, deal.deal_value_fen, score,
                                         Decimal(1),
                                         f"{deal.kind.value} {deal.agreed_at:%Y-%m-%d}"))
        scored.sort(key=lambda c: (-c.similarity, c.agreement_id))
        return scored[:limit]
