"""intangible-bank's repositories: JSON documents plus queried columns (SQL only here)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_intangible_bank.adapters import tables as t
from ntb_intangible_bank.domain.assets import Asset
from ntb_intangible_bank.domain.gene import GeneEntry
from ntb_intangible_bank.domain.loans import HOLDING_PLEDGES, Loan
from ntb_intangible_bank.domain.principals import PrincipalView
from ntb_intangible_bank.domain.rating import AssetRating
from ntb_intangible_bank.domain.rights import RightsConfirmation
from ntb_intangible_bank.domain.valuation import Valuation
from ntb_intangible_bank.service.unit_of_work import AssetFilter, LoanFilter
from ntbkit.documents import dump, load_as

D = TypeVar("D")
# Filters evaluated in Python (on documents) read at most this many rows.
SCAN_ROWS_MAX = 2000


class Documents(Generic[D]):
    """Rows of one table keyed by `key`, each holding a document of type `kind`."""

    def __init__(self, session: AsyncSession, table: sa.Table, key: str, kind: type[D]) -> None:
        self._session, self._table, self._key, self._kind = session, table, key, kind

    def _locking(self, query: Any, for_update: bool) -> Any:
        postgres = self._session.sync_session.get_bind().dialect.name == "postgresql"
        return query.with_for_update() if for_update and postgres else query

    async def _one(self, where: Any, *, for_update: bool = False) -> D | None:
        query = self._locking(sa.select(self._table.c.document).where(where), for_update)
        document = (await self._session.execute(query)).scalar_one_or_none()
        return None if document is None else load_as(self._kind, document)

    async def _many(self, query: Any) -> list[D]:
        return [load_as(self._kind, d) for d in (await self._session.execute(query)).scalars()]

    async def _insert(self, model: D, **columns: Any) -> None:
        await self._session.execute(self._table.insert().values(document=dump(model),
                                                                **columns))

    async def _update(self, key: str, model: D, **columns: Any) -> None:
        await self._session.execute(self._table.update().where(
            self._table.c[self._key] == key).values(document=dump(model), **columns))


class AssetRepository(Documents[Asset]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, t.assets, "asset_id", Asset)

    def _columns(self, a: Asset) -> dict[str, Any]:
        return {"kind": a.kind.value, "legal_status": a.legal_status.value}

    async def add(self, asset: Asset) -> None:
        await self._insert(asset, asset_id=asset.asset_id, jurisdiction=asset.jurisdiction,
                           registration_number=asset.registration_number,
                           created_at=asset.created_at, **self._columns(asset))
        await self._holders(asset)
        creators = sorted({c.principal_id for c in asset.creators if c.principal_id})
        if creators:
            await self._session.execute(t.asset_creators.insert(), [
                {"asset_id": asset.asset_id, "principal_id": p} for p in creators])

    async def _holders(self, asset: Asset) -> None:
        await self._session.execute(t.asset_holders.delete().where(
            t.asset_holders.c.asset_id == asset.asset_id))
        await self._session.execute(t.asset_holders.insert(), [
            {"asset_id": asset.asset_id, "principal_id": h.principal_id} for h in asset.holders])

    async def get(self, asset_id: str, *, for_update: bool = False) -> Asset | None:
        return await self._one(t.assets.c.asset_id == asset_id, for_update=for_update)

    async def save(self, asset: Asset) -> None:
        await self._update(asset.asset_id, asset, **self._columns(asset))
        await self._holders(asset)

    async def registration_taken(self, jurisdiction: str, number: str) -> bool:
        found = await self._session.execute(sa.select(t.assets.c.asset_id).where(
            t.assets.c.jurisdiction == jurisdiction,
            t.assets.c.registration_number == number))
        return found.first() is not None

    async def page(self, where: AssetFilter, offset: int, limit: int) -> list[Asset]:
        query = sa.select(t.assets.c.document)
        if where.holder_id:
            query = query.join(t.asset_holders, sa.and_(
                t.asset_holders.c.asset_id == t.assets.c.asset_id,
                t.asset_holders.c.principal_id == where.holder_id))
        if where.kind is not None:
            query = query.where(t.assets.c.kind == where.kind.value)
        if where.jurisdiction:
            query = query.where(t.assets.c.jurisdiction == where.jurisdiction)
        if where.legal_status is not None:
            query = query.where(t.assets.c.legal_status == where.legal_status.value)
        query = query.order_by(t.assets.c.created_at.desc(), t.assets.c.asset_id)
        if not where.classification_prefix:
            return await self._many(query.offset(offset).limit(limit))
        # Classification codes live in the document: filtered here, over a bounded scan.
        matching = [a for a in await self._many(query.limit(SCAN_ROWS_MAX))
                    if any(c.startswith(where.classification_prefix)
                           for c in a.classification_codes)]
        return matching[offset:offset + limit]

    async def created_by(self, principal_id: str) -> list[str]:
        rows = await self._session.execute(
            sa.select(t.asset_creators.c.asset_id)
            .where(t.asset_creators.c.principal_id == principal_id)
            .order_by(t.asset_creators.c.asset_id))
        return list(rows.scalars())

    async def count_held(self, principal_id: str) -> int:
        count = await self._session.execute(sa.select(sa.func.count()).select_from(
            t.asset_holders).where(t.asset_holders.c.principal_id == principal_id))
        return int(count.scalar_one())


class RightsRepository(Documents[RightsConfirmation]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, t.rights_confirmations, "confirmation_id", RightsConfirmation)

    async def add(self, c: RightsConfirmation) -> None:
        await self._insert(c, confirmation_id=c.confirmation_id, asset_id=c.asset_id,
                           right_kind=c.right_kind.value, status=c.status.value,
                           submitted_at=c.submitted_at)

    async def get(self, confirmation_id: str) -> RightsConfirmation | None:
        return await self._one(t.rights_confirmations.c.confirmation_id == confirmation_id)

    async def save(self, c: RightsConfirmation) -> None:
        await self._update(c.confirmation_id, c, status=c.status.value)

    async def of_asset(self, asset_id: str) -> list[RightsConfirmation]:
        table = t.rights_confirmations
        return await self._many(sa.select(table.c.document).where(
            table.c.asset_id == asset_id).order_by(table.c.submitted_at,
                                                   table.c.confirmation_id))


class ValuationRepository(Documents[Valuation]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, t.valuations, "valuation_id", Valuation)

    async def add(self, v: Valuation) -> None:
        """The caller holds the asset's lock: sequences per asset never race."""
        count = await self._session.execute(sa.select(sa.func.count()).select_from(
            t.valuations).where(t.valuations.c.asset_id == v.asset_id))
        await self._insert(v, valuation_id=v.valuation_id, asset_id=v.asset_id,
                           valued_at=v.valued_at, sequence=int(count.scalar_one()) + 1)

    async def get(self, valuation_id: str) -> Valuation | None:
        return await self._one(t.valuations.c.valuation_id == valuation_id)

    async def of_asset(self, asset_id: str) -> list[Valuation]:
        table = t.valuations
        return await self._many(sa.select(table.c.document).where(
            table.c.asset_id == asset_id).order_by(table.c.sequence.desc()))


class RatingRepository(Documents[AssetRating]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, t.ratings, "rating_id", AssetRating)

    async def add(self, rating_id: str, rating: AssetRating) -> None:
        await self._insert(rating, rating_id=rating_id, asset_id=rating.asset_id,
                           rated_at=rating.rated_at)


class LoanRepository(Documents[Loan]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, t.loans, "loan_id", Loan)

    async def add(self, loan: Loan) -> None:
        await self._insert(loan, loan_id=loan.loan_id, borrower_id=loan.borrower_id,
                           lender_id=loan.lender_id, asset_id=loan.asset_id,
                           status=loan.status.value, pledge_status=loan.pledge_status.value,
                           created_at=loan.created_at)

    async def get(self, loan_id: str) -> Loan | None:
        return await self._one(t.loans.c.loan_id == loan_id)

    async def save(self, loan: Loan) -> None:
        await self._update(loan.loan_id, loan, status=loan.status.value,
                           pledge_status=loan.pledge_status.value)

    async def holding_pledge(self, asset_id: str) -> Loan | None:
        found = await self._many(sa.select(t.loans.c.document).where(
            t.loans.c.asset_id == asset_id,
            t.loans.c.pledge_status.in_([s.value for s in HOLDING_PLEDGES])))
        return found[0] if found else None

    async def page(self, where: LoanFilter, offset: int, limit: int) -> list[Loan]:
        query = sa.select(t.loans.c.document)
        for column, value in (("borrower_id", where.borrower_id),
                              ("lender_id", where.lender_id), ("asset_id", where.asset_id),
                              ("status", where.status)):
            if value:
                query = query.where(t.loans.c[column] == value)
        return await self._many(query.order_by(t.loans.c.created_at.desc(), t.loans.c.loan_id)
                                .offset(offset).limit(limit))

    async def of_borrower(self, borrower_id: str) -> list[Loan]:
        return await self._many(sa.select(t.loans.c.document).where(
            t.loans.c.borrower_id == borrower_id))


class GeneRepository(Documents[GeneEntry]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, t.gene_entries, "asset_id", GeneEntry)

    async def last(self, asset_id: str) -> GeneEntry | None:
        found = await self._many(sa.select(t.gene_entries.c.document).where(
            t.gene_entries.c.asset_id == asset_id).order_by(
            t.gene_entries.c.sequence.desc()).limit(1))
        return found[0] if found else None

    async def add(self, entry: GeneEntry) -> None:
        await self._insert(entry, asset_id=entry.asset_id, sequence=entry.sequence)

    async def page(self, asset_id: str, offset: int, limit: int) -> list[GeneEntry]:
        return await self._many(sa.select(t.gene_entries.c.document).where(
            t.gene_entries.c.asset_id == asset_id).order_by(t.gene_entries.c.sequence)
            .offset(offset).limit(limit))


class PrincipalRepository(Documents[PrincipalView]):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, t.principals, "principal_id", PrincipalView)

    async def get(self, principal_id: str) -> PrincipalView | None:
        return await self._one(t.principals.c.principal_id == principal_id)

    async def save(self, principal: PrincipalView) -> None:
        if await self.get(principal.principal_id) is None:
            await self._insert(principal, principal_id=principal.principal_id)
        else:
            await self._update(principal.principal_id, principal)
