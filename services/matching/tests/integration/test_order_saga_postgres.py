"""The order saga on the real PostgreSQL (matching's adapters and migrations; laborcoin
behind the port, in memory): eight drivers of one saga at once - recovery workers after
a request died right after laborcoin acted - record each outcome once and move the
money once; many
orders paid, confirmed and recovered concurrently keep every balance exact."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
import pytest_asyncio
import sqlalchemy as sa
from ledger_fake import Crash, FakeLedger
from order_world import HOURS, PRICE_FEN, World, order_world

from ntb_matching.domain.order import OrderStatus, StepStatus, escrow_units_for
from ntb_matching.service import order_saga, orders
from ntb_matching.service.orders import OrderServices
from ntbkit.errors import FailedPrecondition
from ntbkit.storage.engine import create_engine
from ntbkit.testing import database_url_under_test, unique_schema

pytestmark = pytest.mark.integration
ESCROW = escrow_units_for(int(HOURS) * PRICE_FEN, Decimal(1))
NOW = order_saga.SagaSettings(resume_after_s=0)  # resume young steps too (a restart)


def rid() -> str:
    return str(uuid.uuid4())


@pytest_asyncio.fixture
async def world() -> AsyncIterator[World]:
    schema = unique_schema("matching_saga")
    try:
        async with order_world(database_url_under_test(), schema) as found:
            yield found
    finally:
        engine = create_engine(database_url_under_test(), schema="public")
        async with engine.begin() as connection:
            await connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await engine.dispose()


async def test_two_drivers_of_one_saga_move_the_money_once(world: World) -> None:
    ledger = FakeLedger()
    ledger.open_wallets(world.buyer.subject, cny_fen=10_000_000)
    ledger.open_wallets(world.worker.subject)
    services = OrderServices(world.new_unit, ledger)
    order = await orders.create_order(services, orders.CreateOrder(
        rid(), world.demand_id, world.entrustment_id, HOURS, PRICE_FEN), world.buyer)
    ledger.crash_after.add("create_escrow")  # laborcoin acted; the request died
    with pytest.raises(Crash):
        await orders.pay_order(services, orders.PayOrder(rid(), order.order_id, True),
                               world.buyer)
    await asyncio.gather(*(order_saga.advance(world.new_unit, ledger, order.order_id)
                           for _ in range(8)))
    await orders.deliver_order(services, orders.DeliverOrder(rid(), order.order_id, ""),
                               world.worker)
    ledger.crash_after.add("settle_escrow")
    with pytest.raises(Crash):
        await orders.confirm_order(services, orders.ConfirmOrder(rid(), order.order_id, 5, ""),
                                   world.buyer)
    await asyncio.gather(*(order_saga.recover_once(world.new_unit, ledger, settings=NOW)
                           for _ in range(8)))
    done = await orders.get_order(world.new_unit, order.order_id, world.buyer)
    assert done.status is OrderStatus.COMPLETED
    assert Counter(e.split(":")[0] for e in ledger.effects) == {
        "purchase": 1, "escrow": 1, "settle": 1}
    async with world.new_unit() as unit:
        steps = await unit.orders.steps(order.order_id)
    assert [(s.kind.value, s.status) for s in steps] == [
        ("PURCHASE", StepStatus.DONE), ("ESCROW", StepStatus.DONE), ("SETTLE", StepStatus.DONE)]
    assert ledger.lbc[ledger.wallet_of(world.worker.subject)] == ESCROW - ESCROW * 2 // 100
    assert (await world.event_types()).count("OrderCompleted") == 1


async def test_concurrent_orders_on_one_entrustment_keep_hours_and_money_exact(
    world: World,
) -> None:
    """Ten orders at once on one demand and one worker's hours, paid (buying the coins)
    and confirmed concurrently by one buyer. Two payments of one buyer can race for the
    coins one of them bought: the loser is refused (EXCEEDS_CREDITS, nothing moved) and
    paid again; hours, escrows and settlements stay exact."""
    ledger = FakeLedger()
    ledger.open_wallets(world.buyer.subject, cny_fen=100_000_000)
    ledger.open_wallets(world.worker.subject)
    services = OrderServices(world.new_unit, ledger)
    created = await asyncio.gather(*(orders.create_order(services, orders.CreateOrder(
        rid(), world.demand_id, world.entrustment_id, Decimal(4), PRICE_FEN), world.buyer)
        for _ in range(10)))
    ids = [o.order_id for o in created]

    async def through(order_id: str) -> None:
        for _ in range(10):  # another order may spend the coins this one just bought
            try:
                await orders.pay_order(services, orders.PayOrder(rid(), order_id, True),
                                       world.buyer)
                break
            except FailedPrecondition as refused:
                assert refused.reason == "EXCEEDS_CREDITS"
        await orders.deliver_order(services, orders.DeliverOrder(rid(), order_id, ""),
                                   world.worker)
        await orders.confirm_order(services, orders.ConfirmOrder(rid(), order_id, 4, ""),
                                   world.buyer)

    await asyncio.gather(*(through(i) for i in ids))
    async with world.new_unit() as unit:
        entrustment = await unit.entrustments.get(world.entrustment_id)
        demand = await unit.demands.get(world.demand_id)
    assert entrustment is not None and entrustment.available_hours == 720 - 40
    assert demand is not None and demand.open_hours == 0 and demand.status == "FILLED"
    done = [await orders.get_order(world.new_unit, i, world.buyer) for i in ids]
    assert all(o.status is OrderStatus.COMPLETED and o.settlement for o in done)
    assert ledger.lbc[ledger.wallet_of(world.worker.subject)] == sum(
        o.settlement.net_units for o in done if o.settlement)
    purchases = [int(e.split(":")[2]) for e in ledger.effects if e.startswith("purchase")]
    assert ledger.cny[world.buyer.subject] == 100_000_000 - sum(purchases)
    assert ledger.lbc[ledger.wallet_of(world.buyer.subject)] == (
        ledger.available(ledger.wallet_of(world.buyer.subject)))  # nothing left in escrow
    assert len([e for e in ledger.effects if e.startswith("settle")]) == 10
