"""A group commit's database work on PostgreSQL in two round trips and no transaction.

The accounts are read without locks in one statement (a group that resolves pending
transfers reads those and then their accounts in one read-only snapshot, so the two
reads never contradict each other). The write is one autocommitted statement:
`ledger_store_pg`'s ledger rows, guarded by the versions read, plus ntbkit's outbox
and idempotency rows. A transaction around the same work cost five round trips
(BEGIN, the locking read, the ledger write, the outbox write, COMMIT), and each is a
send and a wake-up on both sides.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from ntb_laborcoin.adapters import event_codec
from ntb_laborcoin.adapters.ledger_store_pg import (
    GUARD,
    LEDGER_CTES,
    LEDGER_PARAMETERS,
    read_accounts,
    read_pendings,
    save_arguments,
)
from ntb_laborcoin.domain.model import Account
from ntb_laborcoin.domain.transfers import BatchOutcome, PendingTransfer
from ntb_laborcoin.service.unit_of_work import Event, GroupWriteFailed
from ntbkit.storage import commit_writes, driver
from ntbkit.storage.commit_writes import CommitWrites

_SERIALIZATION_FAILURE = "40001"  # what ledger_write_conflict() raises
_WRITE = f"WITH {LEDGER_CTES},\n{commit_writes.ctes(LEDGER_PARAMETERS + 1)}\n{GUARD}"


class PostgresGroupLedger:
    def __init__(self, pg: Any, *, source: str, on_commit: Callable[[], None] | None) -> None:
        self._pg = pg  # an asyncpg connection outside any transaction
        self._writes = CommitWrites(source)
        self._on_commit = on_commit

    async def read(
        self, pending_ids: set[str],
        account_ids: Callable[[dict[str, PendingTransfer]], set[str]],
    ) -> tuple[dict[str, Account], dict[str, PendingTransfer]]:
        if not pending_ids:  # the usual case: one statement is one snapshot
            return await read_accounts(self._pg, account_ids({}), locked=False), {}
        async with self._pg.transaction(isolation="repeatable_read", readonly=True):
            pendings = await read_pendings(self._pg, pending_ids, locked=False)
            return await read_accounts(self._pg, account_ids(pendings), locked=False), pendings

    def record(self, event: Event) -> None:
        topic, key, message = event_codec.encode(event)
        self._writes.emit(topic=topic, key=key, message=message)

    def remember_response(
        self, *, operation: str, request_id: str, fingerprint: str, response: bytes
    ) -> None:
        self._writes.remember(operation=operation, request_id=request_id,
                              fingerprint=fingerprint, response=response, at=datetime.now(UTC))

    async def write(
        self,
        outcome: BatchOutcome,
        fingerprints: dict[str, str],
        ledger_accounts: dict[str, Account],
        ledger_pendings: dict[str, PendingTransfer],
    ) -> None:
        try:
            await driver.fetch(self._pg, _WRITE, *save_arguments(
                outcome, fingerprints, ledger_accounts, ledger_pendings,
                new_outcome_ids=set(fingerprints)), *self._writes.arguments())
        except IntegrityError as error:
            raise GroupWriteFailed("duplicate_id", str(error.orig)) from error
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", "") != _SERIALIZATION_FAILURE:
                raise
            raise GroupWriteFailed("conflict", str(error.orig)) from error
        if self._writes.events and self._on_commit is not None:
            self._on_commit()


@asynccontextmanager
async def group_ledger(engine: AsyncEngine, *, source: str,
                       on_commit: Callable[[], None] | None = None
                       ) -> AsyncIterator[PostgresGroupLedger]:
    """One group's work on a pooled connection."""
    async with engine.connect() as connection:
        yield PostgresGroupLedger(await driver.connection_driver(connection), source=source,
                                  on_commit=on_commit)
