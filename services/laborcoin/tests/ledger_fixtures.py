"""A laborcoin database at head on the test PostgreSQL, and shortcuts to drive it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from ntb_laborcoin.adapters.group_ledger_pg import PostgresGroupLedger, group_ledger
from ntb_laborcoin.adapters.unit_of_work import SqlLaborCoinUnitOfWork
from ntb_laborcoin.bootstrap import MIGRATIONS
from ntb_laborcoin.domain.model import Account, AccountFlags, AccountKind
from ntb_laborcoin.service.accounts import CreateAccounts, create_accounts
from ntbkit.auth import Caller
from ntbkit.storage.engine import session_factory
from ntbkit.storage.migrations import upgrade_to_head
from ntbkit.testing import postgres_schema

OPERATOR = Caller("operator-1", frozenset({"operator"}), frozenset())


@dataclass
class LedgerDatabase:
    engine: AsyncEngine

    def new_unit(self) -> SqlLaborCoinUnitOfWork:
        return SqlLaborCoinUnitOfWork(session_factory(self.engine), source="laborcoin-test")

    def new_group(self) -> AbstractAsyncContextManager[PostgresGroupLedger]:
        return group_ledger(self.engine, source="laborcoin-test")

    async def open(self, owner: str, asset: str = "LBC", *, kind: AccountKind = AccountKind.WALLET,
                   no_overdraft: bool = True) -> str:
        account_id = str(uuid.uuid4())
        flags = AccountFlags(debits_must_not_exceed_credits=no_overdraft)
        await create_accounts(self.new_unit, CreateAccounts(
            str(uuid.uuid4()), ((account_id, owner, asset, kind, flags),)), OPERATOR)
        return account_id

    async def account(self, account_id: str) -> Account:
        async with self.new_unit() as unit:
            found = await unit.accounts.get(account_id)
        assert found is not None
        return found


@asynccontextmanager
async def ledger_database() -> AsyncIterator[LedgerDatabase]:
    async with postgres_schema("ledger") as (schema, engine):
        await upgrade_to_head(engine, script_location=MIGRATIONS, schema=schema)
        yield LedgerDatabase(engine)
