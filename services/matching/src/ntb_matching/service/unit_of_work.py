"""What matching's use cases need from a unit of work (adapters provide it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from ntb_matching.domain.demand import PostedDemand
from ntb_matching.domain.entrustment import Entrustment, LaborEntrusted, PersonView
from ntb_matching.domain.model import Worker
from ntbkit.storage.unit_of_work import UnitOfWork


class EntrustmentRepository(Protocol):
    async def add(self, entrustment: Entrustment) -> None: ...

    async def get(self, entrustment_id: str, *, for_update: bool = False
                  ) -> Entrustment | None: ...

    async def save(self, entrustment: Entrustment) -> None: ...


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

    async def get(self, demand_id: str) -> PostedDemand | None: ...

    async def workers(self) -> list[Worker]: ...


class MatchingUnitOfWork(UnitOfWork):
    entrustments: EntrustmentRepository
    persons: PersonRepository
    demands: DemandRepository

    def record(self, event: LaborEntrusted) -> None:
        raise NotImplementedError


NewUnit = Callable[[], MatchingUnitOfWork]
