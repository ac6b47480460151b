"""What identity's use cases need from a unit of work (adapters provide it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from ntb_identity.domain.behaviour import BehaviourRecord
from ntb_identity.domain.commands import PrincipalSearch
from ntb_identity.domain.contract_keys import PrincipalSigningKey
from ntb_identity.domain.events import IdentityEvent
from ntb_identity.domain.model import ApiClient, Principal
from ntb_identity.domain.waves import CreditPoint, ValuePoint
from ntbkit.storage.unit_of_work import UnitOfWork


class PrincipalRepository(Protocol):
    async def add(self, principal: Principal) -> None: ...

    async def get(self, principal_id: str) -> Principal | None: ...

    async def update(self, principal: Principal) -> None: ...

    async def search(self, search: PrincipalSearch) -> list[Principal]: ...

    async def persons_like(self, industry_prefix: str, region: str) -> list[Principal]: ...


class ApiClientRepository(Protocol):
    async def get(self, client_id: str) -> ApiClient | None: ...

    async def save(self, client: ApiClient) -> None: ...

    async def of(self, principal_id: str, *, include_revoked: bool,
                 after: tuple[datetime, str] | None, limit: int) -> list[ApiClient]: ...


class WaveRepository(Protocol):
    async def add_value(self, point: ValuePoint) -> None: ...

    async def add_credit(self, point: CreditPoint) -> None: ...

    async def value_points(
        self, principal_id: str, *, start: datetime | None = None, end: datetime | None = None,
        after_sequence: int = 0, limit: int = 100,
    ) -> list[ValuePoint]: ...

    async def credit_points(
        self, principal_id: str, *, start: datetime | None = None, end: datetime | None = None,
        after_sequence: int = 0, limit: int = 100,
    ) -> list[CreditPoint]: ...

    async def value_at(self, principal_id: str, at: datetime | None) -> list[ValuePoint]: ...

    async def credit_at(self, principal_id: str, at: datetime | None) -> list[CreditPoint]: ...

    async def current_values(self, principal_ids: list[str]) -> list[ValuePoint]: ...

    async def outdated(self, *, value_model_version: int, scorecard_version: int,
                       limit: int) -> list[str]: ...

    async def credit_older_than(self, moment: datetime, *, limit: int) -> list[str]: ...


class BehaviourRepository(Protocol):
    async def add(self, record: BehaviourRecord) -> None: ...

    async def of(self, principal_id: str) -> list[BehaviourRecord]: ...


class ContractKeyRepository(Protocol):
    async def get(self, key_id: str) -> PrincipalSigningKey | None: ...

    async def add(self, key: PrincipalSigningKey) -> None: ...

    async def revoke(self, key: PrincipalSigningKey) -> bool: ...

    async def of(self, principal_id: str, *, limit: int) -> list[PrincipalSigningKey]: ...

    async def count(self, principal_id: str) -> int: ...


class IdentityUnitOfWork(UnitOfWork):
    """ntbkit's transaction (outbox, inbox, idempotency) plus identity's repositories."""

    principals: PrincipalRepository
    clients: ApiClientRepository
    waves: WaveRepository
    behaviour: BehaviourRepository
    contract_keys: ContractKeyRepository

    def record(self, event: IdentityEvent) -> None:
        raise NotImplementedError


NewUnit = Callable[[], IdentityUnitOfWork]
