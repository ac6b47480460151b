"""fx-model's unit of work: ntbkit's transaction plus the data-set and price tables."""

from __future__ import annotations

from typing import Self

from ntb_fx_model.adapters import event_codec
from ntb_fx_model.adapters.repository import DatasetRepository, PriceRepository
from ntb_fx_model.domain.events import RatesUpdated
from ntb_fx_model.service import unit_of_work


class SqlFxUnitOfWork(unit_of_work.FxUnitOfWork):

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.datasets = DatasetRepository(self.session)
        self.prices = PriceRepository(self.session)
        return self

    def record(self, event: RatesUpdated) -> None:
        topic, key, message = event_codec.encode(event)
        self.emit(topic=topic, key=key, message=message)
