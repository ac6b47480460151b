"""What laborcoin's use cases need from a unit of work (adapters provide it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from ntb_laborcoin.domain.events import AccountOpened, TransferPosted
from ntb_laborcoin.domain.ledger import StoredOutcome
from ntb_laborcoin.domain.model import Account, AccountKind
from ntb_laborcoin.domain.transfers import (
    BalanceChange,
    BatchOutcome,
    PendingTransfer,
    Transfer,
)
from ntbkit.storage.unit_of_work import UnitOfWork


class AccountRepository(Protocol):
    async def add(self, account: Account) -> None: ...

    async def get(self, account_id: str) -> Account | None: ...

    async def find(self, owner_id: str, asset: str, kind: AccountKind) -> Account | None: ...

    async def of_owner(self, owner_id: str) -> list[Account]: ...


class TransferRepository(Protocol):
    async def get(self, transfer_id: str) -> Transfer | None: ...

    async def page(
        self, *, account_id: str, start: datetime | None, end: datetime | None, code: str,
        reference: str, after_seq: int, size: int, newest_first: bool,
    ) -> list[tuple[int, Transfer]]: ...

    async def history(
        self, account_id: str, *, after_version: int, size: int
    ) -> list[tuple[BalanceChange, Transfer]]: ...


class LedgerStore(Protocol):
    async def pendings(self, ids: Iterable[str]) -> dict[str, PendingTransfer]: ...

    async def accounts(self, ids: Iterable[str]) -> dict[str, Account]: ...

    async def outcomes(self, ids: Iterable[str]) -> dict[str, StoredOutcome]: ...

    async def save(
        self,
        outcome: BatchOutcome,
        fingerprints: dict[str, str],
        ledger_accounts: dict[str, Account],
        ledger_pendings: dict[str, PendingTransfer],
        *,
        new_outcome_ids: set[str],
    ) -> None: ...

    async def due_pending_ids(self, now: datetime, limit: int) -> list[str]: ...


class LaborCoinUnitOfWork(UnitOfWork):
    """ntbkit's transaction (outbox, inbox, idempotency) plus the ledger's repositories."""

    accounts: AccountRepository
    ledger: LedgerStore
    transfers: TransferRepository

    def record(self, event: AccountOpened | TransferPosted) -> None:
        raise NotImplementedError


NewUnit = Callable[[], LaborCoinUnitOfWork]
