"""What identity's use cases need from a unit of work (adapters provide it)."""

from __future__ import annotations

from typing import Protocol

from ntb_identity.domain.events import PrincipalRegistered
from ntb_identity.domain.model import ApiClient, Principal
from ntbkit.storage.unit_of_work import UnitOfWork


class PrincipalRepository(Protocol):
    async def add(self, principal: Principal) -> None: ...

    async def get(self, principal_id: str) -> Principal | None: ...


class ApiClientRepository(Protocol):
    async def get(self, client_id: str) -> ApiClient | None: ...

    async def save(self, client: ApiClient) -> None: ...


class IdentityUnitOfWork(UnitOfWork):
    """ntbkit's transaction (outbox, inbox, idempotency) plus identity's repositories."""

    principals: PrincipalRepository
    clients: ApiClientRepository

    def record(self, event: PrincipalRegistered) -> None:
        raise NotImplementedError
