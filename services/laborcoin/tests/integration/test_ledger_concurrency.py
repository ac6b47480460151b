"""Fifty concurrent clients racing payments out of one account on the real PostgreSQL
never overdraw it: exactly as many succeed as the balance allows, the rest fail with
EXCEEDS_CREDITS, and the books still balance - one transaction per call, and through the
group committer (calls sharing transactions, two groups in the database at once).
Also: stored transfers cannot be changed or deleted, even with SQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from ledger_fixtures import OPERATOR, ledger_database
from sqlalchemy.exc import DBAPIError

from ntb_laborcoin.domain.model import AccountKind
from ntb_laborcoin.domain.transfers import ResultCode, TransferKind, TransferRequest
from ntb_laborcoin.service.group_commit import TransferCommitter
from ntb_laborcoin.service.ledger import CreateTransfers, create_transfers

CLIENTS = 50


def _pay(debit: str, credit: str, amount: int, kind: TransferKind = TransferKind.POSTED
         ) -> CreateTransfers:
    return CreateTransfers(str(uuid.uuid4()), (TransferRequest(
        transfer_id=str(uuid.uuid4()), debit_account_id=debit, credit_account_id=credit,
        asset="LBC", amount=amount, code="PAYMENT", kind=kind),))


@pytest.mark.parametrize("grouped", [False, True], ids=["alone", "grouped"])
async def test_fifty_racing_clients_never_overdraw_one_account(grouped: bool) -> None:
    async with ledger_database() as db:
        committer = TransferCommitter(db.new_unit, db.new_group, groups_max=2,
                                      group_transfers_max=8)
        funding = await db.open("bank", kind=AccountKind.EXTERNAL_SETTLEMENT, no_overdraft=False)
        payer = await db.open("payer")
        payees = [await db.open(f"payee-{i}") for i in range(5)]
        await create_transfers(db.new_unit, _pay(funding, payer, 1_000), OPERATOR)

        async def client(index: int) -> ResultCode:
            kind = TransferKind.PENDING if index % 3 == 0 else TransferKind.POSTED
            command = _pay(payer, payees[index % 5], 70, kind)
            [result] = await (committer.submit(command, OPERATOR) if grouped else
                              create_transfers(db.new_unit, command, OPERATOR))
            return result.code

        codes = await asyncio.gather(*(client(i) for i in range(CLIENTS)))
        succeeded = codes.count(ResultCode.OK)
        assert succeeded == 1_000 // 70  # 14 fit, whatever the interleaving
        assert set(codes) == {ResultCode.OK, ResultCode.EXCEEDS_CREDITS}
        account = await db.account(payer)
        assert account.debits_posted + account.debits_pending == succeeded * 70
        assert account.debits_posted + account.debits_pending <= account.credits_posted


async def test_transfers_cannot_be_updated_or_deleted() -> None:
    async with ledger_database() as db:
        funding = await db.open("bank", kind=AccountKind.EXTERNAL_SETTLEMENT, no_overdraft=False)
        payer = await db.open("payer")
        await create_transfers(db.new_unit, _pay(funding, payer, 10), OPERATOR)
        for statement in ("UPDATE transfers SET amount = 1000000",
                          "DELETE FROM transfers", "TRUNCATE transfers CASCADE"):
            async with db.engine.begin() as connection:
                with pytest.raises(DBAPIError, match="immutable"):
                    await connection.execute(sa.text(statement))


async def test_accounts_cannot_be_deleted() -> None:
    """Transfers name their accounts without a per-row foreign key on PostgreSQL: an
    account row, once written, stays."""
    async with ledger_database() as db:
        await db.open("payer")
        for statement in ("DELETE FROM accounts", "TRUNCATE accounts CASCADE"):
            async with db.engine.begin() as connection:
                with pytest.raises(DBAPIError, match="never deleted"):
                    await connection.execute(sa.text(statement))
