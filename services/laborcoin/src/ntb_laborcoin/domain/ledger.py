"""The double-entry engine: applies a batch of transfers to accounts in memory.

The adapter loads (and locks) every account and pending transfer a batch names,
hands them to `Ledger`, and writes back exactly what the outcome says changed, in
one transaction. Rules follow TigerBeetle's: amounts are integers; a transfer moves
one amount from one debit to one credit account of the same asset; pending
transfers reserve, and are posted (fully or partly), voided or expire; linked
chains succeed or fail together. Per asset, credits and debits always match, so
the sum of all balances stays zero.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta

from ntb_laborcoin.domain.model import Account, AccountKind
from ntb_laborcoin.domain.transfers import (
    BalanceChange,
    BatchMode,
    BatchOutcome,
    PendingState,
    PendingTransfer,
    ResultCode,
    Transfer,
    TransferKind,
    TransferRequest,
    TransferResult,
)

_EXPIRY_NAMESPACE = uuid.UUID("0d7b6d8e-9a55-4c2e-8f41-2f7f4e6c1a90")
_PENDING_FAILURES = {
    PendingState.POSTED: ResultCode.PENDING_TRANSFER_ALREADY_POSTED,
    PendingState.VOIDED: ResultCode.PENDING_TRANSFER_ALREADY_VOIDED,
    PendingState.EXPIRED: ResultCode.PENDING_TRANSFER_EXPIRED,
}


_FIELDS = [f.name for f in fields(TransferRequest)]


def fingerprint(request: TransferRequest) -> str:
    """Same transfer id with another body must not pass as a retry.

    Every field in declaration order; asdict() would be ten times slower on the hot path.
    """
    canonical = "|".join(repr(getattr(request, name)) for name in _FIELDS)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class StoredOutcome:
    """The first outcome of a transfer id, kept forever (successes and failures)."""

    fingerprint: str
    code: ResultCode
    transfer: Transfer | None


def chains(requests: list[TransferRequest], mode: BatchMode) -> Iterator[range]:
    """Index ranges that succeed or fail together."""
    if mode is BatchMode.ATOMIC:
        yield range(len(requests))
        return
    start = 0
    for index, request in enumerate(requests):
        if not request.linked:
            yield range(start, index + 1)
            start = index + 1
    if start < len(requests):
        yield range(start, len(requests))  # an open chain at the end still fails alone


class Ledger:
    def __init__(
        self,
        accounts: dict[str, Account],
        pendings: dict[str, PendingTransfer],
        previous: dict[str, StoredOutcome],
        *,
        now: datetime,
        issuance_allowed: bool = False,
    ) -> None:
        self.accounts = accounts
        self.pendings = pendings
        self._previous = previous
        self._now = now
        self._issuance_allowed = issuance_allowed

    def apply(self, requests: list[TransferRequest], mode: BatchMode) -> BatchOutcome:
        outcome = BatchOutcome(results=[])
        for indices in chains(requests, mode):
            self._apply_chain(requests, indices, outcome)
        assert len(outcome.results) == len(requests)
        return outcome

    def _apply_chain(
        self, requests: list[TransferRequest], indices: range, outcome: BatchOutcome
    ) -> None:
        # Every failure is found before anything changes, so a lone transfer that fails
        # leaves nothing to undo: only longer chains copy what they may change.
        saved_accounts, saved_pendings = (
            self._snapshot([requests[i] for i in indices]) if len(indices) > 1 else ({}, {}))
        results: list[TransferResult] = []
        committed: list[Transfer] = []
        history: list[BalanceChange] = []
        failed_at = None
        for index in indices:
            code, transfer, changes = self._apply_one(requests[index])
            results.append(TransferResult(index, requests[index].transfer_id, code, transfer))
            if not code.succeeded:
                failed_at = index
                break
            if code is ResultCode.OK and transfer is not None:
                committed.append(transfer)
                history.extend(changes)
        if failed_at is None:
            outcome.results.extend(results)
            outcome.committed.extend(committed)
            outcome.history.extend(history)
            outcome.touched_accounts.update(c.account_id for c in history)
            outcome.touched_pendings.update(self._pending_ids(committed))
            return
        self.accounts.update(saved_accounts)  # undo the chain's changes
        self.pendings.update(saved_pendings)
        for request in (requests[i] for i in indices):
            if request.kind is TransferKind.PENDING and request.transfer_id not in saved_pendings:
                self.pendings.pop(request.transfer_id, None)
        for index in indices:
            if index == failed_at:
                outcome.results.append(results[-1])
            else:
                outcome.results.append(TransferResult(
                    index, requests[index].transfer_id, ResultCode.LINKED_EVENT_FAILED))

    def _snapshot(
        self, requests: list[TransferRequest]
    ) -> tuple[dict[str, Account], dict[str, PendingTransfer]]:
        """Copies of what a chain can change, to undo it if a later link fails."""
        pending_ids = {r.pending_id for r in requests if r.pending_id} | {
            r.transfer_id for r in requests}
        pendings = {i: replace(self.pendings[i]) for i in pending_ids if i in self.pendings}
        account_ids = {r.debit_account_id for r in requests} | {r.credit_account_id
                                                                 for r in requests}
        for pending in pendings.values():
            account_ids |= {pending.transfer.debit_account_id, pending.transfer.credit_account_id}
        accounts = {i: self.accounts[i].copy() for i in account_ids if i in self.accounts}
        return accounts, pendings

    @staticmethod
    def _pending_ids(committed: list[Transfer]) -> set[str]:
        return {t.pending_id or t.transfer_id for t in committed
                if t.kind is not TransferKind.POSTED}

    def _apply_one(
        self, request: TransferRequest
    ) -> tuple[ResultCode, Transfer | None, list[BalanceChange]]:
        stored = self._previous.get(request.transfer_id)
        if stored is not None:
            if stored.fingerprint != fingerprint(request):
                return ResultCode.EXISTS_WITH_DIFFERENT_FIELDS, None, []
            code = ResultCode.EXISTS if stored.code.succeeded else stored.code
            return code, stored.transfer, []
        if request.kind in (TransferKind.POST_PENDING, TransferKind.VOID_PENDING):
            return self._resolve_pending(request)
        return self._move(request)

    def _move(
        self, request: TransferRequest
    ) -> tuple[ResultCode, Transfer | None, list[BalanceChange]]:
        debit = self.accounts.get(request.debit_account_id)
        credit = self.accounts.get(request.credit_account_id)
        if debit is None:
            return ResultCode.DEBIT_ACCOUNT_NOT_FOUND, None, []
        if credit is None:
            return ResultCode.CREDIT_ACCOUNT_NOT_FOUND, None, []
        if not debit.asset == credit.asset == request.asset:
            return ResultCode.ASSET_MISMATCH, None, []
        if debit.kind is AccountKind.ISSUANCE and not self._issuance_allowed:
            return ResultCode.ISSUANCE_ACCOUNT_RESTRICTED, None, []
        amount = request.amount
        if debit.flags.debits_must_not_exceed_credits and (
            debit.debits_posted + debit.debits_pending + amount > debit.credits_posted
        ):
            return ResultCode.EXCEEDS_CREDITS, None, []
        if credit.flags.credits_must_not_exceed_debits and (
            credit.credits_posted + credit.credits_pending + amount > credit.debits_posted
        ):
            return ResultCode.EXCEEDS_DEBITS, None, []
        pending = request.kind is TransferKind.PENDING
        if pending:
            debit.debits_pending += amount
            credit.credits_pending += amount
        else:
            debit.debits_posted += amount
            credit.credits_posted += amount
        transfer = self._record(request, debit, credit, amount)
        if pending:
            self.pendings[transfer.transfer_id] = PendingTransfer(transfer)
        return ResultCode.OK, transfer, self._bump(transfer, debit, credit)

    def _resolve_pending(
        self, request: TransferRequest
    ) -> tuple[ResultCode, Transfer | None, list[BalanceChange]]:
        pending = self.pendings.get(request.pending_id)
        if pending is None:
            return ResultCode.PENDING_TRANSFER_NOT_FOUND, None, []
        if pending.state in _PENDING_FAILURES:
            return _PENDING_FAILURES[pending.state], None, []
        original = pending.transfer
        expires_at = original.expires_at
        if expires_at is not None and expires_at <= self._now:
            return ResultCode.PENDING_TRANSFER_EXPIRED, None, []
        if _mismatch(request, original):
            return ResultCode.PENDING_TRANSFER_MISMATCH, None, []
        posting = request.kind is TransferKind.POST_PENDING
        amount = request.amount or original.amount
        if amount > original.amount:
            return ResultCode.EXCEEDS_PENDING_TRANSFER_AMOUNT, None, []
        if not posting and amount != original.amount:
            return ResultCode.PENDING_TRANSFER_MISMATCH, None, []
        debit = self.accounts[original.debit_account_id]
        credit = self.accounts[original.credit_account_id]
        self._release(original, debit, credit)
        if posting:
            debit.debits_posted += amount
            credit.credits_posted += amount
        pending.state = PendingState.POSTED if posting else PendingState.VOIDED
        pending.amount_posted = amount if posting else 0
        pending.resolved_by = request.transfer_id
        transfer = self._record(request, debit, credit, amount, original=original)
        return ResultCode.OK, transfer, self._bump(transfer, debit, credit)

    def expire(self) -> list[tuple[Transfer, list[BalanceChange]]]:
        """Release every reservation whose timeout passed, as recorded void transfers."""
        expired = []
        for pending in list(self.pendings.values()):
            original = pending.transfer
            due = original.expires_at is not None and original.expires_at <= self._now
            if pending.state is not PendingState.PENDING or not due:
                continue
            debit = self.accounts[original.debit_account_id]
            credit = self.accounts[original.credit_account_id]
            self._release(original, debit, credit)
            transfer_id = str(uuid.uuid5(_EXPIRY_NAMESPACE, original.transfer_id))
            pending.state, pending.resolved_by = PendingState.EXPIRED, transfer_id
            request = TransferRequest(
                transfer_id=transfer_id, debit_account_id=debit.account_id,
                credit_account_id=credit.account_id, asset=original.asset,
                amount=original.amount, code=original.code, kind=TransferKind.VOID_PENDING,
                pending_id=original.transfer_id, memo="expired",
            )
            transfer = self._record(request, debit, credit, original.amount, original=original)
            expired.append((transfer, self._bump(transfer, debit, credit)))
        return expired

    @staticmethod
    def _release(original: Transfer, debit: Account, credit: Account) -> None:
        debit.debits_pending -= original.amount
        credit.credits_pending -= original.amount
        assert debit.debits_pending >= 0 and credit.credits_pending >= 0

    def _record(
        self, request: TransferRequest, debit: Account, credit: Account, amount: int,
        original: Transfer | None = None,
    ) -> Transfer:
        timeout_s = request.timeout_s if request.kind is TransferKind.PENDING else 0
        return Transfer(
            transfer_id=request.transfer_id,
            debit_account_id=debit.account_id,
            credit_account_id=credit.account_id,
            asset=debit.asset,
            amount=amount,
            code=request.code or (original.code if original else ""),
            kind=request.kind,
            created_at=self._now,
            pending_id=request.pending_id,
            timeout_s=timeout_s,
            expires_at=self._now + timedelta(seconds=timeout_s) if timeout_s else None,
            reference=request.reference or (original.reference if original else ""),
            memo=request.memo,
        )

    @staticmethod
    def _bump(transfer: Transfer, *accounts: Account) -> list[BalanceChange]:
        changes = []
        for account in accounts:
            account.version += 1
            changes.append(BalanceChange(
                account.account_id, transfer.transfer_id, account.debits_posted,
                account.credits_posted, account.debits_pending, account.credits_pending,
                account.version,
            ))
        return changes


def _mismatch(request: TransferRequest, original: Transfer) -> bool:
    """Post/void requests may leave accounts and asset empty; if given, they must match."""
    given = (
        (request.debit_account_id, original.debit_account_id),
        (request.credit_account_id, original.credit_account_id),
        (request.asset, original.asset),
    )
    return any(mine and mine != theirs for mine, theirs in given)
