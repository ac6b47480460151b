"""The Labor Coin economy on the real PostgreSQL: the issuance cap follows the labor
basis (entrusted hours x value) and holds under 50 concurrent mints; CNY buys coins at
the current price (and never the way back); an order's escrow settles with the 2% fee,
part of it retired, so the coin price rises."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from ledger_fixtures import OPERATOR, LedgerDatabase, ledger_database

from ntb_laborcoin.domain.model import LBC
from ntb_laborcoin.domain.transfers import ResultCode, TransferKind, TransferRequest
from ntb_laborcoin.service import coin, coin_commands, labor_basis
from ntb_laborcoin.service.coin_commands import Mint, Purchase, SettleEscrow
from ntb_laborcoin.service.ledger import CreateTransfers, create_transfers
from ntbkit.auth import Caller
from ntbkit.errors import FailedPrecondition

HOURS, VALUE_FEN = Decimal(720), 5_000  # 720 h at 50 CNY/h: 36,000 CNY of labor
CAP_UNITS = 36_000 * 1_000_000  # k = 1, p0 = 1 CNY per LBC


async def _prepare(db: LedgerDatabase, person: str) -> None:
    await coin.ensure_platform_accounts(db.new_unit)
    async with db.new_unit() as unit:
        await labor_basis.set_person_value(unit, person_id=person, value_fen_per_hour=VALUE_FEN,
                                           sequence=1)
        await labor_basis.set_available_hours(unit, entrustment_id=str(uuid.uuid4()),
                                              person_id=person, available_hours=HOURS)
        await unit.commit()


async def test_cap_follows_labor_and_holds_under_fifty_concurrent_mints() -> None:
    async with ledger_database() as db:
        person = str(uuid.uuid4())
        wallet = await db.open(person)
        await coin.ensure_platform_accounts(db.new_unit)
        with pytest.raises(FailedPrecondition) as refused:  # no labor entrusted yet: no coins
            await coin_commands.mint(db.new_unit, Mint(str(uuid.uuid4()), wallet, 1, "t"),
                                     OPERATOR)
        assert refused.value.reason == "ISSUANCE_CAP_EXCEEDED"
        await _prepare(db, person)

        async def mint_one() -> bool:
            try:
                await coin_commands.mint(db.new_unit, Mint(
                    str(uuid.uuid4()), wallet, CAP_UNITS // 40, "race"), OPERATOR)
            except FailedPrecondition as error:
                assert error.reason == "ISSUANCE_CAP_EXCEEDED"
                return False
            return True

        outcomes = await asyncio.gather(*(mint_one() for _ in range(50)))
        assert outcomes.count(True) == 40
        issuance = await db.account(coin.ISSUANCE)
        assert issuance.debits_posted - issuance.credits_posted == 40 * (CAP_UNITS // 40)
        assert issuance.debits_posted <= CAP_UNITS


async def test_purchase_then_escrow_settlement_retires_fee_and_raises_price() -> None:
    async with ledger_database() as db:
        buyer, worker = str(uuid.uuid4()), str(uuid.uuid4())
        await _prepare(db, buyer)
        buyer_cny, buyer_lbc = await db.open(buyer, "CNY"), await db.open(buyer, LBC)
        worker_lbc = await db.open(worker, LBC)
        [deposit] = await create_transfers(db.new_unit, CreateTransfers(str(uuid.uuid4()), (
            TransferRequest(str(uuid.uuid4()), coin.CNY_SETTLEMENT, buyer_cny, "CNY", 100_000,
                            "DEPOSIT"),)), OPERATOR)
        assert deposit.code is ResultCode.OK
        buyer_caller = Caller(buyer, frozenset({"bank"}), frozenset())
        bought = await coin_commands.purchase(db.new_unit, Purchase(
            str(uuid.uuid4()), buyer, 100_000, "INVESTMENT"), buyer_caller)
        assert (bought.price, bought.received_units) == (Decimal("1.000000000000"),
                                                          1_000 * 1_000_000)
        escrow_id = str(uuid.uuid4())
        await create_transfers(db.new_unit, CreateTransfers(str(uuid.uuid4()), (TransferRequest(
            escrow_id, buyer_lbc, coin.ESCROW, LBC, 500 * 1_000_000, "ORDER_ESCROW",
            kind=TransferKind.PENDING, reference="order:1"),)), buyer_caller)
        settled = await coin_commands.settle_escrow(db.new_unit, SettleEscrow(
            str(uuid.uuid4()), escrow_id, worker_lbc, reference="order:1"), OPERATOR)
        assert (settled.split.fee, settled.split.net, settled.split.retired) == (
            10 * 1_000_000, 490 * 1_000_000, 5 * 1_000_000)
        assert (await db.account(worker_lbc)).credits_posted == 490 * 1_000_000
        # 1,000 CNY backs 995 LBC now: the price rose from 1 to 1000/995.
        assert settled.price_after == (Decimal(1000) / Decimal(995)).quantize(Decimal("1e-12"))
        assert settled.price_after > bought.price


async def test_investment_is_capped_by_the_investors_own_value() -> None:
    async with ledger_database() as db:
        buyer = str(uuid.uuid4())
        await _prepare(db, buyer)
        buyer_cny = await db.open(buyer, "CNY")
        await db.open(buyer, LBC)
        await create_transfers(db.new_unit, CreateTransfers(str(uuid.uuid4()), (TransferRequest(
            str(uuid.uuid4()), coin.CNY_SETTLEMENT, buyer_cny, "CNY", 5_000_000, "DEPOSIT"),)),
            OPERATOR)
        with pytest.raises(FailedPrecondition) as refused:  # 50,000 CNY > own value 36,000 CNY
            await coin_commands.purchase(db.new_unit, Purchase(
                str(uuid.uuid4()), buyer, 5_000_000, "INVESTMENT"), OPERATOR)
        assert refused.value.reason == "INVESTOR_LIMIT_EXCEEDED"


async def test_coins_never_flow_back_to_cny() -> None:
    """No LBC -> CNY path: the ledger refuses moving coins out of issuance by hand,
    and asset mismatch stops paying CNY with coins."""
    async with ledger_database() as db:
        person = str(uuid.uuid4())
        await _prepare(db, person)
        lbc_wallet, cny_wallet = await db.open(person, LBC), await db.open(person, "CNY")
        [by_hand] = await create_transfers(db.new_unit, CreateTransfers(str(uuid.uuid4()), (
            TransferRequest(str(uuid.uuid4()), coin.ISSUANCE, lbc_wallet, LBC, 1, "MINT"),)),
            OPERATOR)
        assert by_hand.code is ResultCode.ISSUANCE_ACCOUNT_RESTRICTED
        [swap] = await create_transfers(db.new_unit, CreateTransfers(str(uuid.uuid4()), (
            TransferRequest(str(uuid.uuid4()), lbc_wallet, cny_wallet, LBC, 1, "PAYMENT"),)),
            OPERATOR)
        assert swap.code is ResultCode.ASSET_MISMATCH
