"""Calls that share a group commit answer exactly as if each had run alone: a failed
chain, a refused caller, a reused request id or a twin transfer id in one call never
changes another call's answer, and every committed transfer gets its event."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import pytest
import sqlalchemy as sa
from ledger_fixtures import OPERATOR, LedgerDatabase, ledger_database

from ntb_laborcoin.adapters import group_ledger_pg
from ntb_laborcoin.adapters.group_ledger_pg import PostgresGroupLedger
from ntb_laborcoin.adapters.tables import transfers
from ntb_laborcoin.domain.model import AccountKind
from ntb_laborcoin.domain.transfers import (
    BatchMode,
    ResultCode,
    TransferKind,
    TransferRequest,
)
from ntb_laborcoin.service import group_commit
from ntb_laborcoin.service.group_commit import TransferCommitter
from ntb_laborcoin.service.ledger import CreateTransfers, create_transfers
from ntb_laborcoin.service.unit_of_work import GroupWriteFailed
from ntbkit.auth import Caller
from ntbkit.errors import AlreadyExists, PermissionDenied
from ntbkit.storage.messaging_tables import outbox_table


def _request(debit: str, credit: str, amount: int, *, linked: bool = False,
             transfer_id: str = "") -> TransferRequest:
    return TransferRequest(
        transfer_id=transfer_id or str(uuid.uuid4()), debit_account_id=debit,
        credit_account_id=credit, asset="LBC", amount=amount, code="PAYMENT", linked=linked)


async def test_calls_in_one_group_keep_their_own_answers() -> None:
    async with ledger_database() as db:
        bank = await db.open("bank", kind=AccountKind.EXTERNAL_SETTLEMENT, no_overdraft=False)
        alice, bob = await db.open("alice"), await db.open("bob")
        committer = TransferCommitter(db.new_unit, db.new_group, groups_max=1)
        await committer.submit(CreateTransfers(str(uuid.uuid4()), (
            _request(bank, alice, 100), _request(bank, bob, 100))), OPERATOR)
        reused = str(uuid.uuid4())
        await committer.submit(CreateTransfers(reused, (_request(bank, bob, 1),)), OPERATOR)
        twin = str(uuid.uuid4())
        calls = [
            # a chain whose second link overdraws: both fail, nothing else notices
            CreateTransfers(str(uuid.uuid4()), (
                _request(alice, bob, 10, linked=True), _request(alice, bob, 1_000))),
            CreateTransfers(str(uuid.uuid4()), (_request(alice, bob, 30),)),
            CreateTransfers(str(uuid.uuid4()), (_request(bob, alice, 5),)),  # not bob's caller
            CreateTransfers(reused, (_request(bank, bob, 2),)),  # same id, other body
            CreateTransfers(str(uuid.uuid4()), (_request(alice, bob, 20, transfer_id=twin),)),
            CreateTransfers(str(uuid.uuid4()), (_request(alice, bob, 20, transfer_id=twin),)),
            CreateTransfers(str(uuid.uuid4()), (_request(alice, bob, 60),), BatchMode.CHAINS),
        ]
        callers = [Caller("alice", frozenset(), frozenset())] * len(calls)
        answers = await asyncio.gather(
            *(committer.submit(c, who) for c, who in zip(calls, callers, strict=True)),
            return_exceptions=True)
        chain, lone, refused, reuse, first, second, overdraw = answers
        assert [r.code for r in chain] == [ResultCode.LINKED_EVENT_FAILED,  # type: ignore
                                           ResultCode.EXCEEDS_CREDITS]
        assert [r.code for r in lone] == [ResultCode.OK]  # type: ignore[union-attr]
        assert isinstance(refused, PermissionDenied)
        assert isinstance(reuse, AlreadyExists)
        assert [r.code for r in first] == [ResultCode.OK]  # type: ignore[union-attr]
        assert [r.code for r in second] == [ResultCode.EXISTS]  # type: ignore[union-attr]
        assert [r.code for r in overdraw] == [ResultCode.EXCEEDS_CREDITS]  # type: ignore
        account = await db.account(alice)
        assert (account.debits_posted, account.credits_posted) == (30 + 20, 100)
        # a retry of the whole call returns its first answer
        [again] = await committer.submit(calls[1], callers[1])
        assert again.code is ResultCode.OK and again.transfer == lone[0].transfer  # type: ignore
        async with db.engine.connect() as connection:
            count = await connection.scalar(sa.select(sa.func.count()).select_from(transfers))
            events = await connection.scalar(sa.select(sa.func.count()).select_from(
                outbox_table).where(outbox_table.c.topic == "ntb.laborcoin.transfer.v1"))
        assert count == events == 2 + 1 + 2  # funding, reused's first, lone and first twin


@pytest.mark.parametrize("groups_max", [1, 3])
async def test_many_calls_on_hot_accounts_conserve_money(groups_max: int) -> None:
    async with ledger_database() as db:
        bank = await db.open("bank", kind=AccountKind.EXTERNAL_SETTLEMENT, no_overdraft=False)
        hot = [await db.open(f"hot-{i}") for i in range(3)]
        committer = TransferCommitter(db.new_unit, db.new_group, groups_max=groups_max,
                                      group_transfers_max=16)
        await committer.submit(CreateTransfers(str(uuid.uuid4()), tuple(
            _request(bank, h, 50) for h in hot)), OPERATOR)
        calls = [CreateTransfers(str(uuid.uuid4()), (_request(hot[i % 3], hot[(i + 1) % 3], 7),))
                 for i in range(120)]
        answers = await asyncio.gather(*(committer.submit(c, OPERATOR) for c in calls))
        codes = {r.code for [r] in answers}
        assert codes <= {ResultCode.OK, ResultCode.EXCEEDS_CREDITS}
        balances = [await db.account(h) for h in hot]
        assert sum(a.credits_posted - a.debits_posted for a in balances) == 150
        assert all(a.debits_posted <= a.credits_posted for a in balances)
        ok = sum(r.code is ResultCode.OK for [r] in answers)
        assert sum(a.debits_posted for a in balances) == ok * 7


async def test_a_failed_group_runs_each_call_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the group's write fails as a whole (here: a unique-key race lost to another
    replica, simulated), nothing of it stays and every call is answered alone."""
    async with ledger_database() as db:
        bank = await db.open("bank", kind=AccountKind.EXTERNAL_SETTLEMENT, no_overdraft=False)
        alice, bob = await db.open("alice"), await db.open("bob")
        failures = [GroupWriteFailed("duplicate_id", "a twin on another replica won")]
        write = PostgresGroupLedger.write

        async def failing_once(*args, **kwargs):  # type: ignore[no-untyped-def]
            if failures:
                raise failures.pop()  # a failed statement keeps nothing
            await write(*args, **kwargs)

        monkeypatch.setattr(PostgresGroupLedger, "write", failing_once)
        committer = TransferCommitter(db.new_unit, db.new_group, groups_max=1)
        calls = [CreateTransfers(str(uuid.uuid4()), (_request(bank, alice, 10),)),
                 CreateTransfers(str(uuid.uuid4()), (_request(alice, bob, 50),)),
                 CreateTransfers(str(uuid.uuid4()), (_request(bank, bob, 5),))]
        answers = await asyncio.gather(*(committer.submit(c, OPERATOR) for c in calls))
        assert [r.code for [r] in answers] == [ResultCode.OK, ResultCode.EXCEEDS_CREDITS,
                                               ResultCode.OK]
        assert not failures
        account = await db.account(bob)
        assert account.credits_posted == 5  # each effect exactly once


async def test_an_account_changed_after_the_group_read_it_is_not_overwritten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Groups read without locks. A payment committed between a group's read and its
    write makes the write keep nothing (a conflict, counted); the group reads and
    writes once more, and after a second conflict its calls re-run alone, under locks,
    on the balances as they now are."""
    async with ledger_database() as db:
        bank = await db.open("bank", kind=AccountKind.EXTERNAL_SETTLEMENT, no_overdraft=False)
        alice, bob = await db.open("alice"), await db.open("bob")
        committer, reruns = _committer_counting_reruns(db)
        await committer.submit(CreateTransfers(str(uuid.uuid4()), (
            _request(bank, alice, 100),)), OPERATOR)
        read = PostgresGroupLedger.read
        meanwhile = [CreateTransfers(str(uuid.uuid4()), (_request(alice, bob, 30),))
                     for _ in range(2)]

        async def read_then_pay(*args):  # type: ignore[no-untyped-def]
            found = await read(*args)
            if meanwhile:  # another replica's payment, committed after each of our reads
                await create_transfers(db.new_unit, meanwhile.pop(), OPERATOR)
            return found

        alone = _count_calls_alone(monkeypatch)
        monkeypatch.setattr(PostgresGroupLedger, "read", read_then_pay)
        [result] = await committer.submit(CreateTransfers(str(uuid.uuid4()), (
            _request(alice, bob, 50),)), OPERATOR)
        assert reruns == ["conflict", "conflict"]  # the versions guard, not a lost update
        assert alone == [1]
        assert result.code is ResultCode.EXCEEDS_CREDITS  # only 40 left after 30 and 30
        account = await db.account(alice)
        assert (account.debits_posted, account.credits_posted) == (60, 100)
        assert (await db.account(bob)).credits_posted == 60


def _committer_counting_reruns(db: LedgerDatabase) -> tuple[TransferCommitter, list[str]]:
    """A committer, and the reasons of its failed group writes as they happen."""
    reruns: list[str] = []
    return TransferCommitter(db.new_unit, db.new_group, on_rerun=reruns.append), reruns


def _count_calls_alone(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many calls the committer runs alone (a one-element list, counting)."""
    counted = [0]
    alone = group_commit.create_transfers

    async def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        counted[0] += 1
        return await alone(*args, **kwargs)

    monkeypatch.setattr(group_commit, "create_transfers", counting)
    return counted


async def test_a_pending_transfer_voided_after_the_group_read_it_is_not_posted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same for a reservation, voided after the group read it but before it read
    the accounts: both reads are of one moment (the accounts still hold the
    reservation), the write finds the reservation gone and keeps nothing, and the
    group's second attempt finds it voided."""
    async with ledger_database() as db:
        bank = await db.open("bank", kind=AccountKind.EXTERNAL_SETTLEMENT, no_overdraft=False)
        alice, bob = await db.open("alice"), await db.open("bob")
        committer, reruns = _committer_counting_reruns(db)
        reserved = replace(_request(alice, bob, 60), kind=TransferKind.PENDING, timeout_s=600)
        await committer.submit(CreateTransfers(str(uuid.uuid4()), (
            _request(bank, alice, 100), reserved)), OPERATOR)
        read = group_ledger_pg.read_accounts
        void = TransferRequest(
            transfer_id=str(uuid.uuid4()), debit_account_id="", credit_account_id="",
            asset="", amount=0, code="", kind=TransferKind.VOID_PENDING,
            pending_id=reserved.transfer_id)
        meanwhile = [CreateTransfers(str(uuid.uuid4()), (void,))]

        async def void_then_read(*args, **kwargs):  # type: ignore[no-untyped-def]
            while meanwhile:
                await create_transfers(db.new_unit, meanwhile.pop(), OPERATOR)
            return await read(*args, **kwargs)

        monkeypatch.setattr(group_ledger_pg, "read_accounts", void_then_read)
        alone = _count_calls_alone(monkeypatch)
        post = replace(void, transfer_id=str(uuid.uuid4()), kind=TransferKind.POST_PENDING)
        [result] = await committer.submit(CreateTransfers(str(uuid.uuid4()), (post,)), OPERATOR)
        assert reruns == ["conflict"] and alone == [0]  # answered by the group's 2nd try
        assert result.code is ResultCode.PENDING_TRANSFER_ALREADY_VOIDED
        account = await db.account(alice)
        assert (account.debits_posted, account.debits_pending) == (0, 0)
        assert (await db.account(bob)).credits_posted == 0


async def test_a_reused_transfer_id_answers_its_first_outcome() -> None:
    """Groups do not look up earlier outcomes: a reused id must still get EXISTS, the
    first failure, or EXISTS_WITH_DIFFERENT_FIELDS, and the other calls of its group
    their own answers, with no second effect."""
    async with ledger_database() as db:
        bank = await db.open("bank", kind=AccountKind.EXTERNAL_SETTLEMENT, no_overdraft=False)
        alice, bob = await db.open("alice"), await db.open("bob")
        committer, reruns = _committer_counting_reruns(db)
        paid, refused = _request(bank, alice, 100), _request(alice, bob, 1_000)
        await committer.submit(CreateTransfers(str(uuid.uuid4()), (paid,)), OPERATOR)
        await committer.submit(CreateTransfers(str(uuid.uuid4()), (refused,)), OPERATOR)
        other_body = _request(bank, alice, 7, transfer_id=paid.transfer_id)
        calls = [CreateTransfers(str(uuid.uuid4()), (paid,)),
                 CreateTransfers(str(uuid.uuid4()), (refused,)),
                 CreateTransfers(str(uuid.uuid4()), (other_body,)),
                 CreateTransfers(str(uuid.uuid4()), (_request(alice, bob, 40),))]
        answers = await asyncio.gather(*(committer.submit(c, OPERATOR) for c in calls))
        assert [r.code for [r] in answers] == [
            ResultCode.EXISTS, ResultCode.EXCEEDS_CREDITS,
            ResultCode.EXISTS_WITH_DIFFERENT_FIELDS, ResultCode.OK]
        assert reruns and set(reruns) == {"duplicate_id"}  # counted, by reason
        account = await db.account(alice)
        assert (account.debits_posted, account.credits_posted) == (40, 100)


async def test_a_retried_request_answers_its_first_result() -> None:
    """Groups do not look up earlier answers either: a retry (same request id, same
    body) gets its first answer, a first failure included, while the new calls of its
    group get theirs, and nothing takes effect twice."""
    async with ledger_database() as db:
        bank = await db.open("bank", kind=AccountKind.EXTERNAL_SETTLEMENT, no_overdraft=False)
        alice, bob = await db.open("alice"), await db.open("bob")
        committer = TransferCommitter(db.new_unit, db.new_group, groups_max=1)
        paid = CreateTransfers(str(uuid.uuid4()), (_request(bank, alice, 100),))
        refused = CreateTransfers(str(uuid.uuid4()), (_request(alice, bob, 1_000),))
        [first_paid] = await committer.submit(paid, OPERATOR)
        await committer.submit(refused, OPERATOR)
        fresh = CreateTransfers(str(uuid.uuid4()), (_request(alice, bob, 40),))
        answers = await asyncio.gather(*(committer.submit(c, OPERATOR)
                                         for c in (paid, fresh, refused)))
        assert [r.code for [r] in answers] == [
            ResultCode.OK, ResultCode.OK, ResultCode.EXCEEDS_CREDITS]
        assert answers[0][0].transfer == first_paid.transfer
        account = await db.account(alice)
        assert (account.debits_posted, account.credits_posted) == (40, 100)


async def test_a_large_answer_is_stored_compressed_with_lz4() -> None:
    """A 1,000-transfer answer is ~200 KB: lz4 compresses it several times faster than
    PostgreSQL's default, inside the group's write."""
    async with ledger_database() as db:
        bank = await db.open("bank", kind=AccountKind.EXTERNAL_SETTLEMENT, no_overdraft=False)
        alice = await db.open("alice")
        committer = TransferCommitter(db.new_unit, db.new_group, groups_max=1)
        batch = CreateTransfers(str(uuid.uuid4()), tuple(
            _request(bank, alice, 1) for _ in range(1_000)), BatchMode.CHAINS)
        await committer.submit(batch, OPERATOR)
        async with db.engine.connect() as connection:
            method = await connection.scalar(sa.text(
                "SELECT pg_column_compression(response) FROM idempotency_keys "
                "WHERE request_id = :request_id"), {"request_id": batch.request_id})
        assert method == "lz4"
