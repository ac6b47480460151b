"""What laborcoin's use cases need from a unit of work (adapters provide it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from ntb_laborcoin.domain.coin import Policy
from ntb_laborcoin.domain.events import (
    AccountOpened,
    CheckpointSigned,
    CoinMinted,
    CoinRetired,
    PolicyChanged,
    PricePoint,
    PriceUpdated,
    TransferPosted,
)
from ntb_laborcoin.domain.ledger import StoredOutcome
from ntb_laborcoin.domain.log_entry import Anchor, Committed, LogCheckpoint, LogLeaf
from ntb_laborcoin.domain.merkle import NodeId
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

    async def snapshot(self, ids: list[str]) -> dict[str, Account]: ...

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


class CoinStore(Protocol):
    async def policy(self, *, for_update: bool = False) -> Policy: ...

    async def policies(self) -> list[Policy]: ...

    async def add_policy(self, policy: Policy) -> None: ...

    async def weighted_basis(self, *, exclusive: bool | None) -> int: ...

    async def add_to_basis(self, delta: int) -> None: ...

    async def set_entrustment_hours(
        self, entrustment_id: str, person_id: str, milli_hours: int
    ) -> int: ...

    async def person_hours(self, person_id: str) -> int: ...

    async def person_value(self, person_id: str) -> tuple[int, int]: ...

    async def set_person_value(self, person_id: str, value_fen: int, sequence: int) -> None: ...

    async def persons_and_hours(self) -> tuple[int, int]: ...

    async def add_price_point(self, point: PricePoint) -> int: ...

    async def price_points(self, *, after: int, size: int) -> list[tuple[int, PricePoint]]: ...

    async def last_price_point(self) -> tuple[int, PricePoint] | None: ...


Cursor = tuple[int, int]  # (txid, seq) of the last sealed row of one table


class LogStore(Protocol):
    async def claim_sealer(self) -> bool: ...

    async def state(self) -> tuple[int, Cursor, Cursor]:
        """Tree size, and the transfers' and the anchors' cursors."""
        ...

    async def unsealed(self, *, after: Cursor, limit: int) -> list[Committed]:
        """Committed transfers after the cursor, in commit order, below the watermark."""
        ...

    async def unsealed_anchors(self, *, after: Cursor, limit: int) -> list[Committed]: ...

    async def nodes(self, ids: Sequence[NodeId]) -> dict[NodeId, bytes]: ...

    async def append(
        self, *, first_index: int, leaves: Sequence[tuple[LogLeaf, bytes]],
        nodes: Sequence[tuple[NodeId, bytes]], transfer_cursor: Cursor, anchor_cursor: Cursor,
    ) -> None: ...

    async def add_checkpoint(self, checkpoint: LogCheckpoint) -> None: ...

    async def checkpoint(self, tree_size: int = 0) -> LogCheckpoint | None: ...

    async def leaf(
        self, *, transfer_id: str = "", anchor_id: str = "", leaf_index: int = -1
    ) -> tuple[int, bytes, LogLeaf] | None: ...

    async def add_anchor(self, anchor: Anchor) -> Anchor | None:
        """Store a new anchor; the stored one instead if its id exists already."""
        ...

    async def anchor(self, anchor_id: str) -> Anchor | None: ...


Event = (AccountOpened | TransferPosted | CoinMinted | CoinRetired | PriceUpdated
         | PolicyChanged | CheckpointSigned)


class LaborCoinUnitOfWork(UnitOfWork):
    """ntbkit's transaction (outbox, inbox, idempotency) plus the ledger's repositories."""

    accounts: AccountRepository
    ledger: LedgerStore
    transfers: TransferRepository
    coin: CoinStore
    log: LogStore

    def record(self, event: Event) -> None:
        raise NotImplementedError


NewUnit = Callable[[], LaborCoinUnitOfWork]


class GroupWriteFailed(Exception):
    """A group's write kept nothing. `reason` is a metric label: "conflict" (a row it
    changes was changed since the read) or "duplicate_id" (a request id or transfer id
    already stored, or a concurrent twin's)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class GroupLedger(Protocol):
    """A group commit's database work without a transaction around it (optimistic).

    The reads take no locks. `write` is ONE statement: the ledger rows, the recorded
    events and the remembered answers together, applied only if no account or pending
    transfer it changes was changed since it was read; otherwise it raises
    GroupWriteFailed and nothing of it is kept."""

    async def read(
        self, pending_ids: set[str],
        account_ids: Callable[[dict[str, PendingTransfer]], set[str]],
    ) -> tuple[dict[str, Account], dict[str, PendingTransfer]]:
        """The pending transfers, then the accounts `account_ids` names given them, as
        of one moment (two reads of a moving ledger could contradict each other)."""
        ...

    def record(self, event: Event) -> None: ...

    def remember_response(
        self, *, operation: str, request_id: str, fingerprint: str, response: bytes
    ) -> None: ...

    async def write(
        self,
        outcome: BatchOutcome,
        fingerprints: dict[str, str],
        ledger_accounts: dict[str, Account],
        ledger_pendings: dict[str, PendingTransfer],
    ) -> None: ...


NewGroupLedger = Callable[[], AbstractAsyncContextManager[GroupLedger]]
