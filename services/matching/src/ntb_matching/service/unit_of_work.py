"""What matching's use cases need from a unit of work (adapters provide it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from ntb_matching.domain.demand import PostedDemand
from ntb_matching.domain.entrustment import Entrustment, LaborEntrusted, PersonView
from ntb_matching.domain.model import Worker
from ntb_matching.domain.order import Order, SagaStep, StepStatus
from ntb_matching.domain.order_events import OrderEvent
from ntbkit.storage.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from ntb_matching.service.orders import OrderQuery


class EntrustmentRepository(Protocol):
    async def add(self, entrustment: Entrustment) -> None: ...

    async def get(self, entrustment_id: str, *, for_update: bool = False
                  ) -> Entrustment | None: ...

    async def save(self, entrustment: Entrustment) -> None: ...

    async def search(self, *, person_id: str, status: str, offset: int, size: int
                     ) -> list[Entrustment]: ...

    async def by_contract(self, contract_id: str) -> Entrustment | None: ...

    async def due_to_expire(self, now: datetime, signature_deadline: datetime, limit: int
                            ) -> list[str]:
        """Entrustments whose period ended, or unsigned ones created before the deadline."""
        ...


class PersonRepository(Protocol):
    async def get(self, person_id: str) -> PersonView | None: ...

    async def upsert(self, person: PersonView) -> None: ...

    async def set_kyc(self, person_id: str, kyc_status: str) -> None: ...

    async def set_profile(self, person_id: str, *, experience_years: int,
                          skills: list[str], advantages: list[str]) -> None: ...

    async def set_credit(self, person_id: str, score: int) -> None: ...

    async def add_key(self, person_id: str, key_id: str, public_key: bytes) -> None: ...

    async def revoke_key(self, key_id: str, at: datetime) -> None: ...

    async def key(self, person_id: str, key_id: str) -> tuple[bytes, datetime | None] | None: ...


class DemandRepository(Protocol):
    async def add(self, demand: PostedDemand) -> None: ...

    async def get(self, demand_id: str, *, for_update: bool = False
                  ) -> PostedDemand | None: ...

    async def set_open_hours(self, demand_id: str, open_hours: Decimal, status: str
                             ) -> None: ...

    async def set_status(self, demand_id: str, status: str) -> None: ...

    async def search(self, *, buyer_id: str, status: str, skills: list[str], offset: int,
                   size: int) -> list[PostedDemand]: ...

    async def workers(self) -> list[Worker]: ...


class OrderRepository(Protocol):
    async def add(self, order: Order) -> None: ...

    async def get(self, order_id: str, *, for_update: bool = False) -> Order | None: ...

    async def save(self, order: Order) -> None: ...

    async def steps(self, order_id: str) -> list[SagaStep]: ...

    async def add_step(self, step: SagaStep) -> None: ...

    async def finish_step(self, step: SagaStep, status: StepStatus, *, reason: str = "",
                          result: dict[str, str] | None = None) -> bool:
        """False if the outcome was recorded already (a concurrent driver won)."""
        ...

    async def in_flight(self, limit: int) -> list[str]:
        """Orders with a saga step in flight, oldest first."""
        ...

    async def escrows_due(self, now: datetime, limit: int) -> list[str]:
        """Funded orders, no step in flight, whose escrow timeout has passed."""
        ...

    async def search(self, query: OrderQuery, *, offset: int, size: int
                   ) -> list[Order]: ...


class MatchingUnitOfWork(UnitOfWork):
    entrustments: EntrustmentRepository
    persons: PersonRepository
    demands: DemandRepository
    orders: OrderRepository

    def record(self, event: LaborEntrusted | OrderEvent) -> None:
        raise NotImplementedError


NewUnit = Callable[[], MatchingUnitOfWork]
