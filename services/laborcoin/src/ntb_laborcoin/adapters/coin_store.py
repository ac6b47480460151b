"""Policy versions, the labor basis of the issuance cap, and the price series in SQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_laborcoin.adapters.tables import (
    entrustments,
    labor_basis,
    person_values,
    policies,
    price_points,
)
from ntb_laborcoin.domain.coin import Policy
from ntb_laborcoin.domain.events import PricePoint
from ntbkit.timestamps import as_utc


def _policy(row: Any) -> Policy:
    return Policy(
        version=row["version"], k=Decimal(row["k"]), p0=Decimal(row["p0"]),
        retired_share=Decimal(row["retired_share"]), fee_rate=Decimal(row["fee_rate"]),
        effective_at=as_utc(row["effective_at"]), set_by=row["set_by"], reason=row["reason"],
    )


class CoinStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._postgres = session.sync_session.get_bind().dialect.name == "postgresql"

    async def policy(self, *, for_update: bool = False) -> Policy:
        query = sa.select(policies).order_by(policies.c.version.desc()).limit(1)
        if for_update and self._postgres:
            query = query.with_for_update()
        row = (await self._session.execute(query)).mappings().one()
        return _policy(row)

    async def policies(self) -> list[Policy]:
        rows = await self._session.execute(sa.select(policies).order_by(policies.c.version))
        return [_policy(row) for row in rows.mappings()]

    async def add_policy(self, policy: Policy) -> None:
        await self._session.execute(policies.insert().values(
            version=policy.version, k=str(policy.k), p0=str(policy.p0),
            retired_share=str(policy.retired_share), fee_rate=str(policy.fee_rate),
            effective_at=policy.effective_at, set_by=policy.set_by, reason=policy.reason))

    async def weighted_basis(self, *, exclusive: bool | None) -> int:
        """Shared lock for mints, exclusive for changes: a shrinking basis and a mint
        cannot pass each other. None: no lock (reads for display)."""
        query = sa.select(labor_basis.c.weighted_fen_milli_hours).where(labor_basis.c.id == 1)
        if self._postgres and exclusive is not None:
            query = query.with_for_update(read=not exclusive)
        return int((await self._session.execute(query)).scalar_one())

    async def add_to_basis(self, delta: int) -> None:
        if delta:
            await self._session.execute(labor_basis.update().where(labor_basis.c.id == 1).values(
                weighted_fen_milli_hours=labor_basis.c.weighted_fen_milli_hours + delta))

    async def set_entrustment_hours(
        self, entrustment_id: str, person_id: str, milli_hours: int
    ) -> int:
        """Store the entrustment's available hours; returns the previous figure."""
        previous = (await self._session.execute(
            sa.select(entrustments.c.available_milli_hours)
            .where(entrustments.c.entrustment_id == entrustment_id))).scalar_one_or_none()
        if previous is None:
            await self._session.execute(entrustments.insert().values(
                entrustment_id=entrustment_id, person_id=person_id,
                available_milli_hours=milli_hours))
            return 0
        await self._session.execute(entrustments.update()
                                    .where(entrustments.c.entrustment_id == entrustment_id)
                                    .values(available_milli_hours=milli_hours))
        return int(previous)

    async def person_hours(self, person_id: str) -> int:
        total = await self._session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(entrustments.c.available_milli_hours), 0))
            .where(entrustments.c.person_id == person_id))
        return int(total or 0)

    async def person_value(self, person_id: str) -> tuple[int, int]:
        """(value in fen per hour, sequence); (0, 0) before identity priced the person."""
        row = (await self._session.execute(
            sa.select(person_values.c.value_fen_per_hour, person_values.c.sequence)
            .where(person_values.c.person_id == person_id))).first()
        return (0, 0) if row is None else (int(row[0]), int(row[1]))

    async def set_person_value(self, person_id: str, value_fen: int, sequence: int) -> None:
        updated = await self._session.execute(
            person_values.update().where(person_values.c.person_id == person_id)
            .values(value_fen_per_hour=value_fen, sequence=sequence))
        if updated.rowcount == 0:  # type: ignore[attr-defined]
            await self._session.execute(person_values.insert().values(
                person_id=person_id, value_fen_per_hour=value_fen, sequence=sequence))

    async def persons_and_hours(self) -> tuple[int, int]:
        row = (await self._session.execute(sa.select(
            sa.func.count(sa.distinct(entrustments.c.person_id)),
            sa.func.coalesce(sa.func.sum(entrustments.c.available_milli_hours), 0),
        ).where(entrustments.c.available_milli_hours > 0))).one()
        return int(row[0]), int(row[1])

    async def add_price_point(self, point: PricePoint) -> int:
        result = await self._session.execute(price_points.insert().values(
            price=str(point.price), reserve_fen=point.reserve_fen,
            outstanding_units=point.outstanding_units, cause=point.cause,
            cause_ref=point.cause_ref, effective_at=point.effective_at))
        return int(result.inserted_primary_key[0])  # type: ignore[attr-defined]

    async def price_points(self, *, after: int, size: int) -> list[tuple[int, PricePoint]]:
        rows = await self._session.execute(
            sa.select(price_points).where(price_points.c.sequence > after)
            .order_by(price_points.c.sequence).limit(size))
        return [(row["sequence"], PricePoint(
            Decimal(row["price"]), row["reserve_fen"], row["outstanding_units"], row["cause"],
            row["cause_ref"], as_utc(row["effective_at"]))) for row in rows.mappings()]

    async def last_price_point(self) -> tuple[int, PricePoint] | None:
        rows = await self._session.execute(
            sa.select(price_points).order_by(price_points.c.sequence.desc()).limit(1))
        row = rows.mappings().first()
        if row is None:
            return None
        return row["sequence"], PricePoint(
            Decimal(row["price"]), row["reserve_fen"], row["outstanding_units"], row["cause"],
            row["cause_ref"], as_utc(row["effective_at"]))
