"""Ledger use cases: create accounts and transfers, post and void pending ones."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from ntb_laborcoin.domain import snapshots
from ntb_laborcoin.domain.events import TransferPosted
from ntb_laborcoin.domain.ledger import Ledger, fingerprint
from ntb_laborcoin.domain.model import Account
from ntb_laborcoin.domain.transfers import (
    BatchMode,
    BatchOutcome,
    PendingTransfer,
    TransferKind,
    TransferRequest,
    TransferResult,
)
from ntb_laborcoin.service.unit_of_work import LaborCoinUnitOfWork, NewUnit
from ntbkit.auth import Caller
from ntbkit.errors import PermissionDenied
from ntbkit.storage.idempotency import run_idempotent

OPERATION = "CreateTransfers"  # the idempotency records' operation name


@dataclass(frozen=True)
class CreateTransfers:
    request_id: str
    transfers: tuple[TransferRequest, ...]
    mode: BatchMode = BatchMode.ATOMIC

    @cached_property
    def transfer_fingerprints(self) -> tuple[str, ...]:
        return tuple(map(fingerprint, self.transfers))

    def fingerprint(self) -> str:
        parts = [self.request_id, self.mode.value, *self.transfer_fingerprints]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


async def create_transfers(
    new_unit: NewUnit, command: CreateTransfers, caller: Caller, *,
    issuance_allowed: bool = False,
) -> list[TransferResult]:
    """Apply the batch in one transaction; a retried request id returns the first result."""

    async def perform(unit: LaborCoinUnitOfWork) -> list[TransferResult]:
        return await apply_transfers(
            unit, list(command.transfers), command.mode, caller,
            issuance_allowed=issuance_allowed,
        )

    return await run_idempotent(
        new_unit, operation=OPERATION, request_id=command.request_id, command=command,
        perform=perform, encode=snapshots.results_to_bytes, decode=snapshots.results_from_bytes,
    )


async def apply_transfers(
    unit: LaborCoinUnitOfWork,
    requests: list[TransferRequest],
    mode: BatchMode,
    caller: Caller,
    *,
    issuance_allowed: bool = False,
) -> list[TransferResult]:
    """The ledger step inside a caller's transaction (the policy layer reuses it)."""
    store = unit.ledger
    pendings = await store.pendings(r.pending_id for r in requests if r.pending_id)
    accounts = await store.accounts(accounts_named(requests, pendings))
    authorize(caller, requests, accounts, pendings)
    previous = await store.outcomes(r.transfer_id for r in requests)
    ledger = Ledger(accounts, pendings, previous, now=datetime.now(UTC),
                    issuance_allowed=issuance_allowed)
    outcome = ledger.apply(requests, mode)
    await store.save(
        outcome, {r.transfer_id: fingerprint(r) for r in requests}, ledger.accounts,
        ledger.pendings, new_outcome_ids={r.transfer_id for r in requests} - set(previous),
    )
    for transfer in outcome.committed:
        unit.record(TransferPosted(
            transfer, ledger.accounts[transfer.debit_account_id].owner_id,
            ledger.accounts[transfer.credit_account_id].owner_id))
    return outcome.results


def accounts_named(requests: list[TransferRequest],
                   pendings: dict[str, PendingTransfer]) -> set[str]:
    """The accounts a batch touches: its own, and those of the pending transfers it
    posts or voids."""
    ids = {r.debit_account_id for r in requests} | {r.credit_account_id for r in requests}
    for pending in pendings.values():
        ids |= {pending.transfer.debit_account_id, pending.transfer.credit_account_id}
    return ids


def authorize(
    caller: Caller,
    requests: list[TransferRequest],
    accounts: dict[str, Account],
    pendings: dict[str, PendingTransfer],
) -> None:
    """Only the debit account's owner moves money out of it (operators move any)."""
    if caller.acts_for_others:
        return
    for request in requests:
        debit_id = request.debit_account_id
        if request.kind in (TransferKind.POST_PENDING, TransferKind.VOID_PENDING):
            pending = pendings.get(request.pending_id)
            debit_id = pending.transfer.debit_account_id if pending else ""
        debit = accounts.get(debit_id)
        if debit is not None and debit.owner_id != caller.subject:
            raise PermissionDenied(f"transfer {request.transfer_id}: the debit account "
                                   "belongs to another principal")


async def expire_due_pendings(new_unit: NewUnit, *, batch_size_max: int = 500) -> int:
    """Release reservations whose timeout passed (each as a recorded void transfer)."""
    async with new_unit() as unit:
        now = datetime.now(UTC)
        due = await unit.ledger.due_pending_ids(now, batch_size_max)
        if not due:
            return 0
        pendings = await unit.ledger.pendings(due)
        account_ids = {p.transfer.debit_account_id for p in pendings.values()} | {
            p.transfer.credit_account_id for p in pendings.values()}
        accounts = await unit.ledger.accounts(account_ids)
        ledger = Ledger(accounts, pendings, {}, now=now)
        expired = ledger.expire()
        outcome = BatchOutcome(results=[])
        for transfer, changes in expired:
            outcome.committed.append(transfer)
            outcome.history.extend(changes)
            outcome.touched_accounts.update(c.account_id for c in changes)
            outcome.touched_pendings.add(transfer.pending_id)
        await unit.ledger.save(outcome, {}, ledger.accounts, ledger.pendings,
                               new_outcome_ids=set())
        for transfer in outcome.committed:
            unit.record(TransferPosted(
                transfer, ledger.accounts[transfer.debit_account_id].owner_id,
                ledger.accounts[transfer.credit_account_id].owner_id))
        await unit.commit()
        return len(expired)


async def run_expirer(new_unit: NewUnit, stop: asyncio.Event, *, period_s: float = 1.0) -> None:
    while not stop.is_set():
        if await expire_due_pendings(new_unit) == 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), period_s)
