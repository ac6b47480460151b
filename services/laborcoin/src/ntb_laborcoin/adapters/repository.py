"""Accounts in PostgreSQL/SQLite (SQL lives only here)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_laborcoin.adapters.tables import accounts
from ntb_laborcoin.domain.model import Account, AccountFlags, AccountKind


def account_from_row(row: Any) -> Account:
    created_at: datetime = row["created_at"]
    return Account(
        account_id=row["account_id"],
        owner_id=row["owner_id"],
        asset=row["asset"],
        kind=AccountKind(row["kind"]),
        flags=AccountFlags(
            debits_must_not_exceed_credits=row["debits_must_not_exceed_credits"],
            credits_must_not_exceed_debits=row["credits_must_not_exceed_debits"],
        ),
        created_at=created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC),
        debits_posted=row["debits_posted"],
        credits_posted=row["credits_posted"],
        debits_pending=row["debits_pending"],
        credits_pending=row["credits_pending"],
        version=row["version"],
    )


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def snapshot(self, ids: list[str]) -> dict[str, Account]:
        """Without locks, in one statement: one consistent moment for all of them."""
        rows = await self._session.execute(
            sa.select(accounts).where(accounts.c.account_id.in_(ids)))
        return {row["account_id"]: account_from_row(row) for row in rows.mappings()}

    async def add(self, account: Account) -> None:
        await self._session.execute(
            accounts.insert().values(
                account_id=account.account_id,
                owner_id=account.owner_id,
                asset=account.asset,
                kind=account.kind.value,
                debits_must_not_exceed_credits=account.flags.debits_must_not_exceed_credits,
                credits_must_not_exceed_debits=account.flags.credits_must_not_exceed_debits,
                debits_posted=account.debits_posted,
                credits_posted=account.credits_posted,
                debits_pending=account.debits_pending,
                credits_pending=account.credits_pending,
                version=account.version,
                created_at=account.created_at,
            )
        )

    async def get(self, account_id: str) -> Account | None:
        return await self._one(accounts.c.account_id == account_id)

    async def find(self, owner_id: str, asset: str, kind: AccountKind) -> Account | None:
        return await self._one(
            sa.and_(
                accounts.c.owner_id == owner_id,
                accounts.c.asset == asset,
                accounts.c.kind == kind.value,
            )
        )

    async def of_owner(self, owner_id: str) -> list[Account]:
        rows = await self._session.execute(
            sa.select(accounts).where(accounts.c.owner_id == owner_id)
            .order_by(accounts.c.asset, accounts.c.kind))
        return [account_from_row(row) for row in rows.mappings()]

    async def count_for_owner(self, owner_id: str) -> int:
        count = await self._session.scalar(
            sa.select(sa.func.count()).select_from(accounts).where(accounts.c.owner_id == owner_id)
        )
        return int(count or 0)

    async def _one(self, condition: sa.ColumnElement[bool]) -> Account | None:
        row = (
            await self._session.execute(sa.select(accounts).where(condition))
        ).mappings().first()
        return None if row is None else account_from_row(row)
