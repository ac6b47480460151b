"""Group commit: CreateTransfers calls that arrive together share one write.

What TigerBeetle does with its request batches. A call waits in a queue; while a
group is in the database, the calls arriving meanwhile form the next group, so under
load each write carries many calls and a lone call waits for nobody. Each call
keeps its own answer, exactly as if it had run alone, one after another:
- its own request id (a retry returns the first answer, the same id with another
  body is ALREADY_EXISTS) and its own batch mode (ATOMIC or CHAINS), so one call's
  failed transfers never touch another's;
- its own authorization (PERMISSION_DENIED for that call only);
- its own trace context on the events it causes.
A group is optimistic (`GroupLedger`): it reads its accounts without locks and
writes everything in one statement that applies only if none of the accounts and
pending transfers it changes was changed meanwhile (by another replica, the worker's
mints and expiries, or a second group in flight). Two calls sharing a request id or
a transfer id never share a group (the later one waits for the next). If the write
fails as a whole, nothing of it is kept: after a changed account the group is read
and written once more; after a second conflict or any other failure (a concurrent
twin that won a unique key) every call of the group is re-run on its own through
`create_transfers`, under locks, which is how a single call behaves anyway.
A group looks up neither earlier answers to its request ids nor earlier outcomes of
its transfer ids (new ids are the norm): a request id or transfer id used before
breaks the idempotency or outcomes key at the write, and the calls re-run on their
own, where the first answer or outcome is looked up and returned.
Without a `GroupLedger` (SQLite, embedded mode) every call runs alone.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

import structlog

from ntb_laborcoin.domain import snapshots
from ntb_laborcoin.domain.events import TransferPosted
from ntb_laborcoin.domain.ledger import Ledger
from ntb_laborcoin.domain.model import Account
from ntb_laborcoin.domain.transfers import BatchOutcome, TransferResult
from ntb_laborcoin.service.ledger import (
    OPERATION,
    CreateTransfers,
    accounts_named,
    authorize,
    create_transfers,
)
from ntb_laborcoin.service.unit_of_work import (
    GroupLedger,
    GroupWriteFailed,
    NewGroupLedger,
    NewUnit,
)
from ntbkit.auth import Caller
from ntbkit.errors import PermissionDenied

log = structlog.get_logger(__name__)

GROUP_TRANSFERS_MAX = 8190  # one group stays one CreateTransfers-sized statement
# A conflict means another writer changed the group's accounts first: the group reads
# and writes once more. Under lasting contention its calls then run alone, under locks,
# which always make progress.
GROUP_ATTEMPTS_MAX = 2


@dataclass
class _Call:
    command: CreateTransfers
    caller: Caller
    context: contextvars.Context  # the RPC's (trace) context, for its events
    answer: asyncio.Future[list[TransferResult]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())

    def succeed(self, results: list[TransferResult]) -> None:
        if not self.answer.done():
            self.answer.set_result(results)

    def fail(self, error: BaseException) -> None:
        if not self.answer.done():
            self.answer.set_exception(error)


class TransferCommitter:
    def __init__(self, new_unit: NewUnit, new_group: NewGroupLedger | None, *,
                 groups_max: int = 1, group_transfers_max: int = GROUP_TRANSFERS_MAX,
                 on_rerun: Callable[[str], None] = lambda reason: None) -> None:
        assert groups_max >= 1 and group_transfers_max >= 1
        self._new_unit = new_unit
        self._new_group = new_group
        self._on_rerun = on_rerun  # a group write kept nothing: why (a metric label)
        self._groups_max = groups_max  # in the database at once (pipelining, not more)
        self._group_transfers_max = group_transfers_max
        self._queue: deque[_Call] = deque()
        self._running = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, command: CreateTransfers, caller: Caller) -> list[TransferResult]:
        """The call's results once its group committed (or its own error)."""
        if self._new_group is None:
            return await create_transfers(self._new_unit, command, caller)
        call = _Call(command, caller, contextvars.copy_context())
        self._queue.append(call)
        if self._running < self._groups_max:
            self._running += 1
            task = asyncio.create_task(self._drain(), context=contextvars.Context())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await call.answer

    async def _drain(self) -> None:
        try:
            while self._queue:
                await self._run_group(self._take())
        finally:
            self._running -= 1

    def _take(self) -> list[_Call]:
        """The queue's head and what may join it, in arrival order."""
        group: list[_Call] = []
        request_ids: set[str] = set()
        transfer_ids: set[str] = set()
        size = 0
        waiting: deque[_Call] = deque()
        while self._queue:
            call = self._queue.popleft()
            ids = {t.transfer_id for t in call.command.transfers}
            fits = size + len(ids) <= self._group_transfers_max or not group
            if not fits:
                waiting.append(call)
                break
            if call.command.request_id in request_ids or ids & transfer_ids:
                waiting.append(call)  # a twin or a retry of one in this group: next group
                continue
            group.append(call)
            request_ids.add(call.command.request_id)
            transfer_ids |= ids
            size += len(ids)
        waiting.extend(self._queue)
        self._queue = waiting
        return group

    async def _run_group(self, group: list[_Call]) -> None:
        for attempt in range(1, GROUP_ATTEMPTS_MAX + 1):
            try:
                alone = await self._commit(group)
                break
            except Exception as error:  # each call gets its own answer below
                reason = error.reason if isinstance(error, GroupWriteFailed) else "error"
                self._on_rerun(reason)
                if reason == "conflict" and attempt < GROUP_ATTEMPTS_MAX:
                    continue  # another writer got there first: read its result, write again
                log.info("group commit failed; running its calls one by one",
                         calls=len(group), reason=reason,
                         error=str(getattr(error, "orig", None) or error),
                         exc_info=reason == "error")  # unexpected: keep the traceback
                alone = group
                break
        for call in alone:  # one after another, in arrival order, as in the group
            if not call.answer.done():
                await self._alone(call)

    async def _alone(self, call: _Call) -> None:
        try:
            call.succeed(await asyncio.create_task(
                create_transfers(self._new_unit, call.command, call.caller),
                context=call.context))
        except Exception as error:  # noqa: BLE001 - the call's own error is its answer
            call.fail(error)

    async def _commit(self, group: list[_Call]) -> list[_Call]:
        """Commit the group's calls; returns those to be answered alone (refused)."""
        assert self._new_group is not None
        async with self._new_group() as store:
            requests = [r for call in group for r in call.command.transfers]
            accounts, pendings = await store.read(
                {r.pending_id for r in requests if r.pending_id},
                partial(accounts_named, requests))
            ledger = Ledger(accounts, pendings, {}, now=datetime.now(UTC))
            merged = BatchOutcome(results=[])
            applied: list[tuple[_Call, BatchOutcome]] = []
            refused: list[_Call] = []
            for call in group:
                try:
                    authorize(call.caller, list(call.command.transfers), ledger.accounts,
                              ledger.pendings)
                except PermissionDenied:
                    # Alone, a reused request id answers before authorization does.
                    refused.append(call)
                    continue
                outcome = ledger.apply(list(call.command.transfers), call.command.mode)
                _merge(merged, outcome)
                applied.append((call, outcome))
                call.context.run(_record_events, store, outcome, ledger.accounts)
                store.remember_response(
                    operation=OPERATION, request_id=call.command.request_id,
                    fingerprint=call.command.fingerprint(),
                    response=snapshots.results_to_bytes(outcome.results))
            fingerprints = {r.transfer_id: f for call, _ in applied
                            for r, f in zip(call.command.transfers,
                                            call.command.transfer_fingerprints, strict=True)}
            await store.write(merged, fingerprints, ledger.accounts, ledger.pendings)
        for call, outcome in applied:
            call.succeed(outcome.results)
        return refused


def _merge(into: BatchOutcome, outcome: BatchOutcome) -> None:
    into.results.extend(outcome.results)
    into.committed.extend(outcome.committed)
    into.history.extend(outcome.history)
    into.touched_accounts |= outcome.touched_accounts
    into.touched_pendings |= outcome.touched_pendings


def _record_events(store: GroupLedger, outcome: BatchOutcome,
                   accounts: dict[str, Account]) -> None:
    for transfer in outcome.committed:
        store.record(TransferPosted(
            transfer, accounts[transfer.debit_account_id].owner_id,
            accounts[transfer.credit_account_id].owner_id))
