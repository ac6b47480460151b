"""Value and credit points and behaviour records in SQL (SQL lives only in adapters)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_identity.adapters import wave_rows
from ntb_identity.adapters.tables import behaviour_records, credit_points, value_points
from ntb_identity.domain.behaviour import BehaviourRecord
from ntb_identity.domain.waves import CreditPoint, ValuePoint

RECORDS_MAX = 10_000  # behaviour older than this many records no longer counts


def _window(table: sa.Table, principal_id: str, start: datetime | None,
            end: datetime | None) -> Any:
    query = sa.select(table).where(table.c.principal_id == principal_id)
    if start is not None:
        query = query.where(table.c.effective_at >= start)
    if end is not None:
        query = query.where(table.c.effective_at < end)
    return query


class WaveRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _rows(self, query: Any) -> list[Any]:
        return list((await self._session.execute(query)).mappings().all())

    async def add_value(self, point: ValuePoint) -> None:
        await self._session.execute(
            value_points.insert().values(wave_rows.value_point_to_row(point)))

    async def add_credit(self, point: CreditPoint) -> None:
        await self._session.execute(
            credit_points.insert().values(wave_rows.credit_point_to_row(point)))

    async def value_points(
        self, principal_id: str, *, start: datetime | None = None, end: datetime | None = None,
        after_sequence: int = 0, limit: int = 100,
    ) -> list[ValuePoint]:
        query = (_window(value_points, principal_id, start, end)
                 .where(value_points.c.sequence > after_sequence)
                 .order_by(value_points.c.sequence).limit(limit))
        return [wave_rows.value_point_from_row(r) for r in await self._rows(query)]

    async def credit_points(
        self, principal_id: str, *, start: datetime | None = None, end: datetime | None = None,
        after_sequence: int = 0, limit: int = 100,
    ) -> list[CreditPoint]:
        query = (_window(credit_points, principal_id, start, end)
                 .where(credit_points.c.sequence > after_sequence)
                 .order_by(credit_points.c.sequence).limit(limit))
        return [wave_rows.credit_point_from_row(r) for r in await self._rows(query)]

    async def value_at(self, principal_id: str, at: datetime | None) -> list[ValuePoint]:
        """The point effective at `at` (latest if None) and the one before it, newest first."""
        query = _window(value_points, principal_id, None, None)
        if at is not None:
            query = query.where(value_points.c.effective_at <= at)
        query = query.order_by(value_points.c.sequence.desc()).limit(2)
        return [wave_rows.value_point_from_row(r) for r in await self._rows(query)]

    async def credit_at(self, principal_id: str, at: datetime | None) -> list[CreditPoint]:
        query = _window(credit_points, principal_id, None, None)
        if at is not None:
            query = query.where(credit_points.c.effective_at <= at)
        query = query.order_by(credit_points.c.sequence.desc()).limit(2)
        return [wave_rows.credit_point_from_row(r) for r in await self._rows(query)]

    async def current_values(self, principal_ids: list[str]) -> list[ValuePoint]:
        """The latest value point of each given person."""
        if not principal_ids:
            return []
        latest = (sa.select(value_points.c.principal_id,
                            sa.func.max(value_points.c.sequence).label("sequence"))
                  .where(value_points.c.principal_id.in_(principal_ids))
                  .group_by(value_points.c.principal_id).subquery())
        query = sa.select(value_points).join(latest, sa.and_(
            value_points.c.principal_id == latest.c.principal_id,
            value_points.c.sequence == latest.c.sequence))
        return [wave_rows.value_point_from_row(r) for r in await self._rows(query)]


    async def outdated(self, *, value_model_version: int, scorecard_version: int,
                       limit: int) -> list[str]:
        """Principals whose latest value or credit point used an older model version."""
        found: list[str] = []
        for table, column, version in (
            (value_points, value_points.c.model_version, value_model_version),
            (credit_points, credit_points.c.scorecard_version, scorecard_version),
        ):
            latest = (sa.select(table.c.principal_id, sa.func.max(table.c.sequence).label("s"))
                      .group_by(table.c.principal_id).subquery())
            query = (sa.select(table.c.principal_id).join(latest, sa.and_(
                table.c.principal_id == latest.c.principal_id, table.c.sequence == latest.c.s))
                .where(column < version).order_by(table.c.principal_id).limit(limit))
            found += [row[0] for row in (await self._session.execute(query)).all()]
        return sorted(set(found))[:limit]


    async def credit_older_than(self, moment: datetime, *, limit: int) -> list[str]:
        """Principals whose latest credit point is effective before `moment`."""
        latest = (sa.select(credit_points.c.principal_id,
                            sa.func.max(credit_points.c.sequence).label("s"))
                  .group_by(credit_points.c.principal_id).subquery())
        query = (sa.select(credit_points.c.principal_id).join(latest, sa.and_(
            credit_points.c.principal_id == latest.c.principal_id,
            credit_points.c.sequence == latest.c.s))
            .where(credit_points.c.effective_at < moment)
            .order_by(credit_points.c.principal_id).limit(limit))
        return [row[0] for row in (await self._session.execute(query)).all()]


class BehaviourRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: BehaviourRecord) -> None:
        await self._session.execute(
            behaviour_records.insert().values(wave_rows.record_to_row(record)))

    async def of(self, principal_id: str) -> list[BehaviourRecord]:
        rows = (await self._session.execute(
            sa.select(behaviour_records)
            .where(behaviour_records.c.principal_id == principal_id)
            .order_by(behaviour_records.c.occurred_at.desc())
            .limit(RECORDS_MAX))).mappings().all()
        return [wave_rows.record_from_row(r) for r in rows]
