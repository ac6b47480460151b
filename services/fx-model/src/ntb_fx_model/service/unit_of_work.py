"""What fx-model's use cases need from a unit of work (adapters provide it)."""

from __future__ import annotations

from typing import Protocol

from ntb_fx_model.domain.anchor import CoinPrice
from ntb_fx_model.domain.datasets import IndicatorDataset
from ntb_fx_model.domain.events import RatesUpdated
from ntbkit.storage.unit_of_work import UnitOfWork


class DatasetRepository(Protocol):
    async def latest(self) -> IndicatorDataset | None: ...

    async def page(self, *, before_version: int, size: int) -> list[IndicatorDataset]: ...

    async def content(self, version: int) -> str: ...

    async def add(self, dataset: IndicatorDataset, content: str) -> None: ...


class PriceRepository(Protocol):
    async def latest(self) -> CoinPrice | None: ...

    async def save(self, price: CoinPrice) -> None: ...


class FxUnitOfWork(UnitOfWork):
    """ntbkit's transaction (outbox, inbox, idempotency) plus fx-model's repositories."""

    datasets: DatasetRepository
    prices: PriceRepository

    def record(self, event: RatesUpdated) -> None:
        raise NotImplementedError
