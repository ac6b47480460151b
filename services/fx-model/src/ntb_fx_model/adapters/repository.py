"""Data sets and coin prices in PostgreSQL/SQLite (SQL lives only here)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_fx_model.adapters.tables import coin_prices, indicator_datasets
from ntb_fx_model.domain.anchor import CoinPrice
from ntb_fx_model.domain.datasets import IndicatorDataset, IndicatorFormat
from ntbkit.timestamps import as_utc

COIN_ASSET = "LBC"
_INFO_COLUMNS = [c for c in indicator_datasets.c if c.name != "content"]


def _dataset_from_row(row: Any) -> IndicatorDataset:
    years = tuple(int(y) for y in str(row["years"]).split(",") if y)
    return IndicatorDataset(
        dataset_id=row["dataset_id"],
        version=int(row["version"]),
        format=IndicatorFormat(row["format"]),
        sha256=bytes(row["sha256"]),
        row_count=int(row["row_count"]),
        country_count=int(row["country_count"]),
        years=years,
        description=row["description"],
        indicator_code=row["indicator_code"],
        values_applied=int(row["values_applied"]),
        created_at=as_utc(row["created_at"]),
    )


class DatasetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def latest(self) -> IndicatorDataset | None:
        """The newest stored data set (the active one), without its content."""
        row = (
            await self._session.execute(
                sa.select(*_INFO_COLUMNS).order_by(indicator_datasets.c.version.desc()).limit(1)
            )
        ).mappings().first()
        return None if row is None else _dataset_from_row(row)

    async def page(self, *, before_version: int, size: int) -> list[IndicatorDataset]:
        """Up to `size` data sets older than `before_version`, newest first."""
        rows = (
            await self._session.execute(
                sa.select(*_INFO_COLUMNS)
                .where(indicator_datasets.c.version < before_version)
                .order_by(indicator_datasets.c.version.desc())
                .limit(size)
            )
        ).mappings().all()
        return [_dataset_from_row(row) for row in rows]

    async def content(self, version: int) -> str:
        text = await self._session.scalar(
            sa.select(indicator_datasets.c.content).where(
                indicator_datasets.c.version == version
            )
        )
        assert text is not None, f"data set version {version} vanished"
        return str(text)

    async def add(self, dataset: IndicatorDataset, content: str) -> None:
        assert dataset.created_at is not None
        await self._session.execute(
            indicator_datasets.insert().values(
                version=dataset.version,
                dataset_id=dataset.dataset_id,
                format=dataset.format.value,
                sha256=dataset.sha256,
                row_count=dataset.row_count,
                country_count=dataset.country_count,
                years=",".join(str(y) for y in dataset.years),
                description=dataset.description,
                indicator_code=dataset.indicator_code,
                values_applied=dataset.values_applied,
                content=content,
                created_at=dataset.created_at,
            )
        )


class PriceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def latest(self) -> CoinPrice | None:
        row = (
            await self._session.execute(
                sa.select(coin_prices).where(coin_prices.c.asset == COIN_ASSET)
            )
        ).mappings().first()
        if row is None:
            return None
        return CoinPrice(Decimal(row["price"]), int(row["sequence"]), as_utc(row["effective_at"]))

    async def save(self, price: CoinPrice) -> None:
        """Store `price` as the latest (the caller checked it is newer)."""
        values = {"price": str(price.price_cny), "sequence": price.sequence,
                  "effective_at": price.effective_at}
        updated = await self._session.execute(
            coin_prices.update().where(coin_prices.c.asset == COIN_ASSET).values(**values)
        )
        if updated.rowcount == 0:  # type: ignore[attr-defined]
            await self._session.execute(coin_prices.insert().values(asset=COIN_ASSET, **values))
