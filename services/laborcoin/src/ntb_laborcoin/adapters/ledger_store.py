"""Loads (and locks) what a batch of transfers touches, and writes back its outcome.

Lock order is fixed - pending transfers first, then accounts, each sorted by id -
so concurrent batches never deadlock. On SQLite the whole database is one lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_laborcoin.adapters.repository import account_from_row
from ntb_laborcoin.adapters.tables import (
    account_history,
    accounts,
    pending_transfers,
    transfer_outcomes,
    transfers,
)
from ntb_laborcoin.domain.ledger import StoredOutcome
from ntb_laborcoin.domain.model import Account
from ntb_laborcoin.domain.transfers import (
    BalanceChange,
    BatchOutcome,
    PendingState,
    PendingTransfer,
    ResultCode,
    Transfer,
    TransferKind,
)
from ntbkit.timestamps import as_utc

_TRANSFER_COLUMNS = [c for c in transfers.c if c.name not in ("seq", "txid")]



def transfer_from_row(row: Any, log_index: int | None = None) -> Transfer:
    created_at = as_utc(row["created_at"])
    assert created_at is not None
    return Transfer(
        transfer_id=row["transfer_id"], debit_account_id=row["debit_account_id"],
        credit_account_id=row["credit_account_id"], asset=row["asset"], amount=row["amount"],
        code=row["code"], kind=TransferKind(row["kind"]), created_at=created_at,
        pending_id=row["pending_id"], timeout_s=row["timeout_s"],
        expires_at=as_utc(row["expires_at"]), reference=row["reference"], memo=row["memo"],
        log_index=log_index,
    )


def transfer_to_row(transfer: Transfer) -> dict[str, Any]:
    return {
        "transfer_id": transfer.transfer_id, "debit_account_id": transfer.debit_account_id,
        "credit_account_id": transfer.credit_account_id, "asset": transfer.asset,
        "amount": transfer.amount, "code": transfer.code, "kind": transfer.kind.value,
        "pending_id": transfer.pending_id, "timeout_s": transfer.timeout_s,
        "expires_at": transfer.expires_at, "reference": transfer.reference,
        "memo": transfer.memo, "created_at": transfer.created_at,
    }


class LedgerStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._postgres = session.sync_session.get_bind().dialect.name == "postgresql"

    def _locking(self, query: sa.Select[Any]) -> sa.Select[Any]:
        return query.with_for_update() if self._postgres else query

    async def pendings(self, ids: Iterable[str]) -> dict[str, PendingTransfer]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        query = (
            sa.select(transfers, pending_transfers.c.state, pending_transfers.c.amount_posted,
                      pending_transfers.c.resolved_by)
            .join(pending_transfers, pending_transfers.c.transfer_id == transfers.c.transfer_id)
            .where(transfers.c.transfer_id.in_(wanted))
            .order_by(transfers.c.transfer_id)
        )
        if self._postgres:
            query = query.with_for_update(of=pending_transfers)
        rows = (await self._session.execute(query)).mappings().all()
        return {
            row["transfer_id"]: PendingTransfer(
                transfer_from_row(row), PendingState(row["state"]), row["amount_posted"],
                row["resolved_by"],
            )
            for row in rows
        }

    async def accounts(self, ids: Iterable[str]) -> dict[str, Account]:
        wanted = sorted(set(ids) - {""})
        if not wanted:
            return {}
        query = self._locking(
            sa.select(accounts).where(accounts.c.account_id.in_(wanted))
            .order_by(accounts.c.account_id)
        )
        rows = (await self._session.execute(query)).mappings().all()
        return {row["account_id"]: account_from_row(row) for row in rows}

    async def outcomes(self, ids: Iterable[str]) -> dict[str, StoredOutcome]:
        wanted = sorted(set(ids))
        query = (
            sa.select(transfer_outcomes, *[c.label(f"t_{c.name}") for c in _TRANSFER_COLUMNS])
            .outerjoin(transfers, transfers.c.transfer_id == transfer_outcomes.c.transfer_id)
            .where(transfer_outcomes.c.transfer_id.in_(wanted))
        )
        found = {}
        for row in (await self._session.execute(query)).mappings():
            transfer = None
            if row["t_transfer_id"] is not None:
                columns = {c.name: row[f"t_{c.name}"] for c in _TRANSFER_COLUMNS}
                transfer = transfer_from_row(columns)
            found[row["transfer_id"]] = StoredOutcome(
                row["fingerprint"], ResultCode(row["code"]), transfer)
        return found

    async def save(
        self,
        outcome: BatchOutcome,
        fingerprints: dict[str, str],
        ledger_accounts: dict[str, Account],
        ledger_pendings: dict[str, PendingTransfer],
        *,
        new_outcome_ids: set[str],
    ) -> None:
        now = datetime.now(UTC)
        first = [r for r in outcome.results if r.transfer_id in new_outcome_ids]
        if first:
            await self._session.execute(transfer_outcomes.insert(), [
                {"transfer_id": r.transfer_id, "fingerprint": fingerprints[r.transfer_id],
                 "code": r.code.value, "created_at": now} for r in first])
        if outcome.committed:
            await self._session.execute(
                transfers.insert(), [transfer_to_row(t) for t in outcome.committed])
        await self._save_pendings(outcome, ledger_pendings)
        if outcome.touched_accounts:
            await self._session.execute(
                accounts.update().where(accounts.c.account_id == sa.bindparam("id")).values(
                    debits_posted=sa.bindparam("dp"), credits_posted=sa.bindparam("cp"),
                    debits_pending=sa.bindparam("dn"), credits_pending=sa.bindparam("cn"),
                    version=sa.bindparam("v")),
                [{"id": a.account_id, "dp": a.debits_posted, "cp": a.credits_posted,
                  "dn": a.debits_pending, "cn": a.credits_pending, "v": a.version}
                 for a in (ledger_accounts[i] for i in sorted(outcome.touched_accounts))],
            )
        if outcome.history:
            await self._session.execute(account_history.insert(), [
                {"account_id": c.account_id, "version": c.version, "transfer_id": c.transfer_id,
                 "debits_posted": c.debits_posted, "credits_posted": c.credits_posted,
                 "debits_pending": c.debits_pending, "credits_pending": c.credits_pending}
                for c in outcome.history])

    async def _save_pendings(
        self, outcome: BatchOutcome, ledger_pendings: dict[str, PendingTransfer]
    ) -> None:
        created = {t.transfer_id for t in outcome.committed if t.kind is TransferKind.PENDING}
        touched = [ledger_pendings[i] for i in sorted(outcome.touched_pendings)
                   if i in ledger_pendings]
        inserts = [p for p in touched if p.transfer.transfer_id in created]
        updates = [p for p in touched if p.transfer.transfer_id not in created]
        if inserts:
            await self._session.execute(pending_transfers.insert(), [
                {"transfer_id": p.transfer.transfer_id, "state": p.state.value,
                 "amount_posted": p.amount_posted, "resolved_by": p.resolved_by,
                 "expires_at": p.transfer.expires_at} for p in inserts])
        if updates:
            await self._session.execute(
                pending_transfers.update()
                .where(pending_transfers.c.transfer_id == sa.bindparam("id"))
                .values(state=sa.bindparam("s"), amount_posted=sa.bindparam("a"),
                        resolved_by=sa.bindparam("r")),
                [{"id": p.transfer.transfer_id, "s": p.state.value, "a": p.amount_posted,
                  "r": p.resolved_by} for p in updates])

    async def due_pending_ids(self, now: datetime, limit: int) -> list[str]:
        rows = await self._session.execute(
            sa.select(pending_transfers.c.transfer_id)
            .where(pending_transfers.c.state == PendingState.PENDING.value,
                   pending_transfers.c.expires_at <= now)
            .order_by(pending_transfers.c.transfer_id).limit(limit))
        return [row[0] for row in rows]


class TransferRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, transfer_id: str) -> Transfer | None:
        row = (await self._session.execute(
            sa.select(transfers).where(transfers.c.transfer_id == transfer_id)
        )).mappings().first()
        return None if row is None else transfer_from_row(row)

    async def page(
        self, *, account_id: str, start: datetime | None, end: datetime | None, code: str,
        reference: str, after_seq: int, size: int, newest_first: bool,
    ) -> list[tuple[int, Transfer]]:
        """Transfers matching the filters, keyset-paged by sequence number."""
        query = sa.select(transfers)
        if account_id:
            query = query.where(sa.or_(transfers.c.debit_account_id == account_id,
                                       transfers.c.credit_account_id == account_id))
        if start is not None:
            query = query.where(transfers.c.created_at >= start)
        if end is not None:
            query = query.where(transfers.c.created_at < end)
        if code:
            query = query.where(transfers.c.code == code)
        if reference:  # `<> ''` lets PostgreSQL use the partial reference index
            query = query.where(transfers.c.reference == reference, transfers.c.reference != "")
        if after_seq:
            query = query.where(
                transfers.c.seq < after_seq if newest_first else transfers.c.seq > after_seq)
        order = transfers.c.seq.desc() if newest_first else transfers.c.seq
        rows = (await self._session.execute(query.order_by(order).limit(size))).mappings()
        return [(row["seq"], transfer_from_row(row)) for row in rows]

    async def history(
        self, account_id: str, *, after_version: int, size: int
    ) -> list[tuple[BalanceChange, Transfer]]:
        query = (
            sa.select(account_history, *[c.label(f"t_{c.name}") for c in _TRANSFER_COLUMNS])
            .join(transfers, transfers.c.transfer_id == account_history.c.transfer_id)
            .where(account_history.c.account_id == account_id,
                   account_history.c.version > after_version)
            .order_by(account_history.c.version).limit(size)
        )
        entries = []
        for row in (await self._session.execute(query)).mappings():
            change = BalanceChange(
                row["account_id"], row["transfer_id"], row["debits_posted"],
                row["credits_posted"], row["debits_pending"], row["credits_pending"],
                row["version"])
            columns = {c.name: row[f"t_{c.name}"] for c in _TRANSFER_COLUMNS}
            entries.append((change, transfer_from_row(columns)))
        return entries
