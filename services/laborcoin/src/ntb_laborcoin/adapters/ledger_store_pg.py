"""The ledger store on PostgreSQL in few round trips, whatever the batch size.

Same contract and lock order as `LedgerStore` (pending transfers, then accounts, each
sorted by id), but each read is one `= ANY($1)` query and the whole write-back is ONE
statement: data-modifying CTEs fed by arrays (`unnest`), so a batch of 1,000
transfers costs the same four statements as a batch of one. It speaks asyncpg
directly on the session's connection (inside the session's transaction): the ORM's
per-row parameter processing was most of the ledger's CPU time.

The write-back changes an account only at the version read and a pending transfer
only while pending, or fails whole: under the locks that never happens, and it is
what lets a group commit read without them (`group_ledger_pg`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ntb_laborcoin.adapters.ledger_store import LedgerStore, transfer_from_row
from ntb_laborcoin.adapters.repository import account_from_row
from ntb_laborcoin.domain.ledger import StoredOutcome
from ntb_laborcoin.domain.model import Account
from ntb_laborcoin.domain.transfers import (
    BatchOutcome,
    PendingState,
    PendingTransfer,
    ResultCode,
    TransferKind,
)
from ntbkit.storage import driver

_TRANSFER_FIELDS = ("transfer_id, debit_account_id, credit_account_id, asset, amount, code, "
                    "kind, pending_id, timeout_s, expires_at, reference, memo, created_at")

_PENDINGS = f"""
SELECT {', '.join('t.' + c for c in _TRANSFER_FIELDS.split(', '))},
       p.state, p.amount_posted, p.resolved_by
FROM transfers t JOIN pending_transfers p ON p.transfer_id = t.transfer_id
WHERE t.transfer_id = ANY($1::varchar[])
ORDER BY t.transfer_id"""
_PENDINGS_LOCKED = f"{_PENDINGS}\nFOR UPDATE OF p"

_ACCOUNTS = """
SELECT * FROM accounts WHERE account_id = ANY($1::varchar[])
ORDER BY account_id"""
_ACCOUNTS_LOCKED = f"{_ACCOUNTS} FOR UPDATE"

_OUTCOMES = f"""
SELECT o.transfer_id AS outcome_id, o.fingerprint, o.code AS outcome_code,
       {', '.join('t.' + c for c in _TRANSFER_FIELDS.split(', '))}
FROM transfer_outcomes o LEFT JOIN transfers t ON t.transfer_id = o.transfer_id
WHERE o.transfer_id = ANY($1::varchar[])"""

# $1 now; outcomes $2-$4; transfers $5-$17; balances $18-$24 (the last: each account's
# version as read); history $25-$31; new pendings $32-$36; resolved pendings $37-$40.
# An account or a pending transfer changed since it was read is not updated, and
# `GUARD` then fails the whole statement (with the locks held, it never does).
LEDGER_PARAMETERS = 40
LEDGER_CTES = f"""outcomes AS (
  INSERT INTO transfer_outcomes (transfer_id, fingerprint, code, created_at)
  SELECT o.id, o.fp, o.code, $1 FROM unnest($2::varchar[], $3::varchar[], $4::varchar[])
    AS o(id, fp, code)
), committed AS (
  INSERT INTO transfers ({_TRANSFER_FIELDS})
  SELECT t.a, t.b, t.c, t.d, t.e, t.f, t.g, t.h, t.i, t.j, t.k, t.l, t.m
  FROM unnest($5::varchar[], $6::varchar[], $7::varchar[], $8::varchar[], $9::bigint[],
    $10::varchar[], $11::varchar[], $12::varchar[], $13::bigint[], $14::timestamptz[],
    $15::varchar[], $16::varchar[], $17::timestamptz[]) WITH ORDINALITY
    AS t(a, b, c, d, e, f, g, h, i, j, k, l, m, n)
  ORDER BY t.n
), balances AS (
  UPDATE accounts a SET debits_posted = b.dp, credits_posted = b.cp, debits_pending = b.dn,
    credits_pending = b.cn, version = b.v
  FROM unnest($18::varchar[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[],
    $23::bigint[], $24::bigint[]) AS b(id, dp, cp, dn, cn, v, read_v)
  WHERE a.account_id = b.id AND a.version = b.read_v
  RETURNING 1
), history AS (
  INSERT INTO account_history (account_id, version, transfer_id, debits_posted,
    credits_posted, debits_pending, credits_pending)
  SELECT * FROM unnest($25::varchar[], $26::bigint[], $27::varchar[], $28::bigint[],
    $29::bigint[], $30::bigint[], $31::bigint[])
), opened AS (
  INSERT INTO pending_transfers (transfer_id, state, amount_posted, resolved_by, expires_at)
  SELECT * FROM unnest($32::varchar[], $33::varchar[], $34::bigint[], $35::varchar[],
    $36::timestamptz[])
), resolved AS (
  UPDATE pending_transfers p SET state = r.state, amount_posted = r.amount,
    resolved_by = r.resolved_by
  FROM unnest($37::varchar[], $38::varchar[], $39::bigint[], $40::varchar[])
    AS r(id, state, amount, resolved_by)
  WHERE p.transfer_id = r.id AND p.state = '{PendingState.PENDING.value}'
  RETURNING 1
)"""
GUARD = """SELECT CASE
  WHEN (SELECT count(*) FROM balances) = cardinality($18::varchar[])
   AND (SELECT count(*) FROM resolved) = cardinality($37::varchar[]) THEN 1
  ELSE ledger_write_conflict() END"""
_SAVE = f"WITH {LEDGER_CTES}\n{GUARD}"


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """Rows -> one list per column (what unnest takes), also for no rows."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


async def read_pendings(pg: Any, ids: Iterable[str], *, locked: bool
                        ) -> dict[str, PendingTransfer]:
    """Pending transfers by id (on `pg`, an asyncpg connection), locked in id order."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {
        row["transfer_id"]: PendingTransfer(
            transfer_from_row(row), PendingState(row["state"]), row["amount_posted"],
            row["resolved_by"])
        for row in await driver.fetch(pg, _PENDINGS_LOCKED if locked else _PENDINGS, wanted)
    }


async def read_accounts(pg: Any, ids: Iterable[str], *, locked: bool) -> dict[str, Account]:
    """Accounts by id (on `pg`, an asyncpg connection), locked in id order."""
    wanted = sorted(set(ids) - {""})
    if not wanted:
        return {}
    return {row["account_id"]: account_from_row(row)
            for row in await driver.fetch(pg, _ACCOUNTS_LOCKED if locked else _ACCOUNTS,
                                          wanted)}


class PostgresLedgerStore(LedgerStore):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)

    async def _driver(self) -> Any:
        return await driver.driver_of(self._session)

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        return await driver.fetch(await self._driver(), sql, *args)

    async def pendings(self, ids: Iterable[str]) -> dict[str, PendingTransfer]:
        return await read_pendings(await self._driver(), ids, locked=True)

    async def accounts(self, ids: Iterable[str]) -> dict[str, Account]:
        return await read_accounts(await self._driver(), ids, locked=True)

    async def outcomes(self, ids: Iterable[str]) -> dict[str, StoredOutcome]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        return {
            row["outcome_id"]: StoredOutcome(
                row["fingerprint"], ResultCode(row["outcome_code"]),
                transfer_from_row(row) if row["transfer_id"] is not None else None)
            for row in await self._fetch(_OUTCOMES, wanted)
        }

    async def save(
        self,
        outcome: BatchOutcome,
        fingerprints: dict[str, str],
        ledger_accounts: dict[str, Account],
        ledger_pendings: dict[str, PendingTransfer],
        *,
        new_outcome_ids: set[str],
    ) -> None:
        if not (outcome.committed or new_outcome_ids):
            return
        await self._fetch(_SAVE, *save_arguments(
            outcome, fingerprints, ledger_accounts, ledger_pendings,
            new_outcome_ids=new_outcome_ids))


def save_arguments(
    outcome: BatchOutcome,
    fingerprints: dict[str, str],
    ledger_accounts: dict[str, Account],
    ledger_pendings: dict[str, PendingTransfer],
    *,
    new_outcome_ids: set[str],
) -> list[Any]:
    """The parameters of `LEDGER_CTES` for an outcome, one array per column."""
    outcomes = [(r.transfer_id, fingerprints[r.transfer_id], r.code.value)
                for r in outcome.results if r.transfer_id in new_outcome_ids]
    committed = [
        (t.transfer_id, t.debit_account_id, t.credit_account_id, t.asset, t.amount, t.code,
         t.kind.value, t.pending_id, t.timeout_s, t.expires_at, t.reference, t.memo,
         t.created_at)
        for t in outcome.committed]
    read_versions: dict[str, int] = {}
    for change in outcome.history:  # an account's first change follows the version read
        read_versions.setdefault(change.account_id, change.version - 1)
    balances = [(a.account_id, a.debits_posted, a.credits_posted, a.debits_pending,
                 a.credits_pending, a.version, read_versions[a.account_id])
                for a in (ledger_accounts[i] for i in sorted(outcome.touched_accounts))]
    history = [(c.account_id, c.version, c.transfer_id, c.debits_posted, c.credits_posted,
                c.debits_pending, c.credits_pending) for c in outcome.history]
    created = {t.transfer_id for t in outcome.committed if t.kind is TransferKind.PENDING}
    touched = [ledger_pendings[i] for i in sorted(outcome.touched_pendings)
               if i in ledger_pendings]
    opened = [(p.transfer.transfer_id, p.state.value, p.amount_posted, p.resolved_by,
               p.transfer.expires_at) for p in touched if p.transfer.transfer_id in created]
    resolved = [(p.transfer.transfer_id, p.state.value, p.amount_posted, p.resolved_by)
                for p in touched if p.transfer.transfer_id not in created]
    return [datetime.now(UTC), *_columns(outcomes, 3), *_columns(committed, 13),
            *_columns(balances, 7), *_columns(history, 7), *_columns(opened, 5),
            *_columns(resolved, 4)]
