"""The ledger against an in-memory model, on the real PostgreSQL (hypothesis stateful):
after any sequence of transfers, pending reservations, posts, voids, retries, labor
entrusted and coins minted, per asset the balances sum to zero, no flagged account
breaks its flag, every account equals the model, outstanding LBC <= M_cap, and every
transfer id has at most one effect. Transfers go through the group committer (what the
gRPC API uses); some rules send several calls at once so they share one transaction."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from ledger_fixtures import OPERATOR, LedgerDatabase, ledger_database

from ntb_laborcoin.adapters.tables import accounts, transfers
from ntb_laborcoin.domain.model import AccountKind
from ntb_laborcoin.domain.transfers import ResultCode, TransferKind, TransferRequest
from ntb_laborcoin.service import coin, coin_commands, labor_basis
from ntb_laborcoin.service.group_commit import TransferCommitter
from ntb_laborcoin.service.ledger import CreateTransfers
from ntbkit.errors import FailedPrecondition

ACCOUNT_COUNT = 4


class LedgerMachine(RuleBasedStateMachine):
    """Account 0 is a funding source without limits; the others may not overdraw."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.context = ledger_database()
        self.db: LedgerDatabase = self.loop.run_until_complete(self.context.__aenter__())
        self.committer = TransferCommitter(self.db.new_unit, self.db.new_group)
        self.ids = [self.run(self.db.open("funding", kind=AccountKind.EXTERNAL_SETTLEMENT,
                                          no_overdraft=False))]
        self.ids += [self.run(self.db.open(f"p{i}")) for i in range(1, ACCOUNT_COUNT)]
        self.posted: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # debits, credits
        self.pending: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.open_pendings: dict[str, tuple[int, int, int]] = {}
        self.sent: list[TransferRequest] = []
        self.run(coin.ensure_platform_accounts(self.db.new_unit))
        self.coin_wallet = self.run(self.db.open("holder"))
        self.minted = 0
        self.cap_units = 0

    def run(self, coroutine):  # type: ignore[no-untyped-def]
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.context.__aexit__(None, None, None))
        self.loop.close()

    def _available(self, index: int) -> int:
        if index == 0:
            return 10**12
        d, c = self.posted[self.ids[index]]
        return c - d - self.pending[self.ids[index]][0]

    def _apply(self, request: TransferRequest) -> ResultCode:
        [code] = self._apply_together([request])
        return code

    def _apply_together(self, requests: list[TransferRequest]) -> list[ResultCode]:
        """One call per transfer, all at once: they form one group, in this order."""
        async def send() -> list[ResultCode]:
            answers = await asyncio.gather(*(self.committer.submit(
                CreateTransfers(str(uuid.uuid4()), (request,)), OPERATOR)
                for request in requests))
            return [result.code for [result] in answers]

        codes = self.run(send())
        self.sent.extend(requests)
        return codes

    def _payment(self, src: int, dst: int, amount: int, pending: bool) -> TransferRequest:
        return TransferRequest(
            transfer_id=str(uuid.uuid4()), debit_account_id=self.ids[src],
            credit_account_id=self.ids[dst], asset="LBC", amount=amount, code="PAYMENT",
            kind=TransferKind.PENDING if pending else TransferKind.POSTED)

    @rule(src=st.integers(0, ACCOUNT_COUNT - 1), dst=st.integers(0, ACCOUNT_COUNT - 1),
          amount=st.integers(1, 500), pending=st.booleans())
    def transfer(self, src: int, dst: int, amount: int, pending: bool) -> None:
        if src == dst:
            return
        request = self._payment(src, dst, amount, pending)
        expected_ok = amount <= self._available(src)
        code = self._apply(request)
        self._book(request, src, dst, code, expected_ok)

    @rule(payments=st.lists(st.tuples(
        st.integers(0, ACCOUNT_COUNT - 1), st.integers(1, ACCOUNT_COUNT - 1),
        st.integers(1, 500), st.booleans()), min_size=2, max_size=6), repeat=st.booleans())
    def transfers_together(self, payments: list[tuple[int, int, int, bool]],
                           repeat: bool) -> None:
        """Calls in one group behave as if each ran alone, one after another."""
        requests = [self._payment(src, (src + step) % ACCOUNT_COUNT, amount, pending)
                    for src, step, amount, pending in payments]
        retried = self.sent[-1] if repeat and self.sent else None
        codes = self._apply_together(requests + ([retried] if retried else []))
        if retried is not None:
            assert codes.pop() is not ResultCode.OK
        for request, code, (src, step, amount, _) in zip(
                requests, codes, payments, strict=True):
            expected_ok = amount <= self._available(src)
            self._book(request, src, (src + step) % ACCOUNT_COUNT, code, expected_ok)

    def _book(self, request: TransferRequest, src: int, dst: int, code: ResultCode,
              expected_ok: bool) -> None:
        amount, pending = request.amount, request.kind is TransferKind.PENDING
        assert (code is ResultCode.OK) == expected_ok, code
        if not expected_ok:
            assert code is ResultCode.EXCEEDS_CREDITS
            return
        book = self.pending if pending else self.posted
        book[self.ids[src]][0] += amount
        book[self.ids[dst]][1] += amount
        if pending:
            self.open_pendings[request.transfer_id] = (src, dst, amount)

    @precondition(lambda self: bool(self.open_pendings))
    @rule(data=st.data(), post=st.booleans(), partial=st.booleans())
    def resolve(self, data: st.DataObject, post: bool, partial: bool) -> None:
        pending_id = data.draw(st.sampled_from(sorted(self.open_pendings)))
        src, dst, amount = self.open_pendings.pop(pending_id)
        posted = max(1, amount // 2) if (post and partial) else (amount if post else 0)
        code = self._apply(TransferRequest(
            transfer_id=str(uuid.uuid4()), debit_account_id="", credit_account_id="",
            asset="", amount=posted if post else 0, code="",
            kind=TransferKind.POST_PENDING if post else TransferKind.VOID_PENDING,
            pending_id=pending_id))
        assert code is ResultCode.OK
        self.pending[self.ids[src]][0] -= amount
        self.pending[self.ids[dst]][1] -= amount
        self.posted[self.ids[src]][0] += posted
        self.posted[self.ids[dst]][1] += posted

    @precondition(lambda self: bool(self.sent))
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        """A retried transfer id never has a second effect."""
        request = data.draw(st.sampled_from(self.sent))
        [code] = self._apply_together([request])
        assert code is not ResultCode.OK

    @rule(hours=st.integers(1, 40), value_fen=st.integers(100, 20_000))
    def entrust(self, hours: int, value_fen: int) -> None:
        person = str(uuid.uuid4())

        async def feed() -> None:
            async with self.db.new_unit() as unit:
                await labor_basis.set_person_value(unit, person_id=person,
                                                   value_fen_per_hour=value_fen, sequence=1)
                await labor_basis.set_available_hours(
                    unit, entrustment_id=person, person_id=person, available_hours=Decimal(hours))
                await unit.commit()

        self.run(feed())
        self.cap_units += hours * value_fen * 10_000  # k = 1, p0 = 1: fen -> micro-LBC

    @rule(amount=st.integers(1, 5_000_000_000))
    def mint(self, amount: int) -> None:
        allowed = self.minted + amount <= self.cap_units
        try:
            self.run(coin_commands.mint(self.db.new_unit, coin_commands.Mint(
                str(uuid.uuid4()), self.coin_wallet, amount, "property test"), OPERATOR))
        except FailedPrecondition as error:
            assert not allowed and error.reason == "ISSUANCE_CAP_EXCEEDED"
            return
        assert allowed
        self.minted += amount

    @invariant()
    def supply_within_cap(self) -> None:
        issuance = self.run(self.db.account(coin.ISSUANCE))
        outstanding = issuance.debits_posted - issuance.credits_posted
        assert outstanding == self.minted <= self.cap_units

    @invariant()
    def books_balance(self) -> None:
        rows = self.run(self._rows())
        for asset in {r.asset for r in rows}:
            mine = [r for r in rows if r.asset == asset]
            assert sum(r.credits_posted - r.debits_posted for r in mine) == 0
            assert sum(r.credits_pending - r.debits_pending for r in mine) == 0
        for row in rows:
            if row.asset != "LBC" or row.account_id not in self.ids:
                continue
            assert [row.debits_posted, row.credits_posted] == self.posted[row.account_id]
            assert [row.debits_pending, row.credits_pending] == self.pending[row.account_id]
            if row.debits_must_not_exceed_credits:
                assert row.debits_posted + row.debits_pending <= row.credits_posted

    async def _rows(self) -> list[sa.Row]:  # type: ignore[type-arg]
        async with self.db.engine.connect() as connection:
            result = await connection.execute(sa.select(accounts))
            rows = list(result)
            count = await connection.scalar(sa.select(sa.func.count()).select_from(transfers))
            distinct = await connection.scalar(
                sa.select(sa.func.count(sa.distinct(transfers.c.transfer_id))))
            assert count == distinct
        return rows


LedgerMachine.TestCase.settings = settings(
    max_examples=12, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerProperties = LedgerMachine.TestCase
