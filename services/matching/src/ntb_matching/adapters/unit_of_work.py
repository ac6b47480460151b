"""matching's unit of work: ntbkit's transaction plus matching's repositories."""

from __future__ import annotations

from typing import Self

from ntb_matching.adapters import event_codec
from ntb_matching.adapters.order_repository import OrderRepository
from ntb_matching.adapters.repository import (
    DemandRepository,
    EntrustmentRepository,
    PersonRepository,
)
from ntb_matching.domain.entrustment import LaborEntrusted
from ntb_matching.domain.order_events import OrderEvent
from ntb_matching.service import unit_of_work


class SqlMatchingUnitOfWork(unit_of_work.MatchingUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.entrustments = EntrustmentRepository(self.session)
        self.persons = PersonRepository(self.session)
        self.demands = DemandRepository(self.session)
        self.orders = OrderRepository(self.session)
        return self

    def record(self, event: LaborEntrusted | OrderEvent) -> None:
        topic, key, message = event_codec.encode(event)
        self.emit(topic=topic, key=key, message=message)
