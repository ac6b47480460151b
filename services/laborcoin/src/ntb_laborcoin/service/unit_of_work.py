"""What laborcoin's use cases need from a unit of work (adapters provide it)."""

from __future__ import annotations

from typing import Protocol

from ntb_laborcoin.domain.events import AccountOpened
from ntb_laborcoin.domain.model import Account, AccountKind
from ntbkit.storage.unit_of_work import UnitOfWork


class AccountRepository(Protocol):
    async def add(self, account: Account) -> None: ...

    async def get(self, account_id: str) -> Account | None: ...

    async def find(self, owner_id: str, asset: str, kind: AccountKind) -> Account | None: ...


class LaborCoinUnitOfWork(UnitOfWork):
    """ntbkit's transaction (outbox, inbox, idempotency) plus the ledger's repositories."""

    accounts: AccountRepository

    def record(self, event: AccountOpened) -> None:
        raise NotImplementedError
