"""Orders as a saga against laborcoin (behind the LedgerGateway port, faked in memory;
matching's own tables on SQLite through the real adapters).

Proves: the happy path moves exactly labor value / price into escrow (buying the
shortfall with CNY first) and settles it with the 2% fee and the retired share;
at every step laborcoin can be down, lose its answer, or matching can die right after
laborcoin acted - and the recovery pass leaves the order COMPLETED with each money
movement done exactly once, or CANCELLED with the escrow voided; escrows that time
out cancel the order; disputes wait for an operator; request ids are idempotent.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from ledger_fake import REVENUE, Crash, FakeLedger
from order_world import HOURS, PRICE_FEN, World, order_world

from ntb_matching.domain.order import DisputeOutcome, OrderStatus, escrow_units_for
from ntb_matching.service import order_saga, orders
from ntb_matching.service.orders import OrderServices
from ntbkit.errors import FailedPrecondition, PermissionDenied, Unavailable

VALUE_FEN = int(HOURS) * PRICE_FEN  # 240,000 fen = 2,400 CNY
NOW = order_saga.SagaSettings(resume_after_s=0)  # resume young steps too (a restart)


def rid() -> str:
    return str(uuid.uuid4())


@pytest_asyncio.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with order_world(f"sqlite+aiosqlite:///{tmp_path / 'matching.db'}") as found:
        yield found


def services_for(world: World, ledger: FakeLedger) -> OrderServices:
    return OrderServices(world.new_unit, ledger)


def funded_ledger(world: World, *, lbc_units: int = 0, cny_fen: int = 1_000_000) -> FakeLedger:
    ledger = FakeLedger()
    ledger.open_wallets(world.buyer.subject, cny_fen=cny_fen)
    ledger.open_wallets(world.worker.subject)
    if lbc_units:
        ledger.mint(world.buyer.subject, lbc_units, lbc_units // 10_000)
    return ledger


async def new_order(world: World, services: OrderServices) -> str:
    order = await orders.create_order(services, orders.CreateOrder(
        rid(), world.demand_id, world.entrustment_id, HOURS, PRICE_FEN), world.buyer)
    assert order.labor_value_fen == VALUE_FEN
    return order.order_id


async def run_to_completion(world: World, services: OrderServices, order_id: str) -> None:
    """Each step once; a failing step is left to the recovery pass (as after a crash)."""
    for step in ("pay", "deliver", "confirm"):
        try:
            if step == "pay":
                await orders.pay_order(services, orders.PayOrder(rid(), order_id, True),
                                       world.buyer)
            elif step == "deliver":
                await orders.deliver_order(services, orders.DeliverOrder(rid(), order_id, ""),
                                           world.worker)
            else:
                await orders.confirm_order(services, orders.ConfirmOrder(rid(), order_id, 5,
                                                                         "good"), world.buyer)
        except (Unavailable, Crash):
            services.ledger.down = False  # type: ignore[attr-defined]
            await order_saga.recover_once(world.new_unit, services.ledger, settings=NOW)


async def test_happy_path_buys_the_shortfall_escrows_and_settles_with_the_fee(
    world: World,
) -> None:
    ledger = funded_ledger(world)
    services = services_for(world, ledger)
    order_id = await new_order(world, services)
    paid = await orders.pay_order(services, orders.PayOrder(rid(), order_id, True), world.buyer)
    escrow = escrow_units_for(VALUE_FEN, Decimal(1))
    assert escrow == 2_400_000_000  # 2,400 LBC at 1 CNY/LBC
    assert paid.status is OrderStatus.FUNDED and paid.escrow_units == escrow
    buyer_wallet = ledger.wallet_of(world.buyer.subject)
    assert ledger.cny[world.buyer.subject] == 1_000_000 - VALUE_FEN
    assert ledger.available(buyer_wallet) == 0 and ledger.lbc[buyer_wallet] == escrow
    await orders.deliver_order(services, orders.DeliverOrder(rid(), order_id, "done"),
                               world.worker)
    done = await orders.confirm_order(services, orders.ConfirmOrder(rid(), order_id, 5, ""),
                                      world.buyer)
    fee = escrow * 2 // 100  # 48 LBC
    retired = fee // 2
    assert done.status is OrderStatus.COMPLETED and done.settlement is not None
    assert (done.settlement.gross_units, done.settlement.fee_units,
            done.settlement.net_units, done.settlement.retired_units) == (
        escrow, fee, escrow - fee, retired)
    assert ledger.lbc[ledger.wallet_of(world.worker.subject)] == escrow - fee
    assert ledger.lbc[REVENUE] == fee - retired
    assert ledger.lbc[buyer_wallet] == 0
    assert ledger.outstanding_units == escrow - retired
    # price = reserve / outstanding = 2400 CNY / 2376 LBC, rounded to 12 places
    assert ledger.price == (Decimal(2400) / Decimal("2376")).quantize(Decimal("1e-12"))
    assert ledger.price > 1
    assert await world.event_types() == [
        "OrderCreated", "LaborReleased", "OrderFunded", "OrderDelivered", "OrderCompleted"]


FAULTS = [(method, mode) for method in ("quote", "purchase_for_order", "create_escrow",
                                        "lbc_wallet", "settle_escrow")
          for mode in ("down", "lose", "crash") if not (method in ("quote", "lbc_wallet")
                                                        and mode != "down")]


@pytest.mark.parametrize(("method", "mode"), FAULTS)
async def test_a_fault_at_any_step_ends_completed_with_money_moved_once(
    world: World, method: str, mode: str
) -> None:
    ledger = funded_ledger(world)
    services = services_for(world, ledger)
    order_id = await new_order(world, services)
    original = getattr(ledger, method)
    if mode == "down":
        async def down_once(*args, **kwargs):  # type: ignore[no-untyped-def]
            ledger.down = True
            setattr(ledger, method, original)
            return await original(*args, **kwargs)
        setattr(ledger, method, down_once)
    elif mode == "lose":
        ledger.lose_answers.add(method)
    else:
        ledger.crash_after.add(method)
    await run_to_completion(world, services, order_id)
    async with world.new_unit() as unit:
        order = await unit.orders.get(order_id)
    assert order is not None and order.status is OrderStatus.COMPLETED, order
    assert ledger.calls.count(method) >= 2, ledger.calls  # the fault happened, was retried
    moves = Counter(effect.split(":")[0] for effect in ledger.effects)
    assert moves == {"purchase": 1, "escrow": 1, "settle": 1}, ledger.effects
    escrow = escrow_units_for(VALUE_FEN, Decimal(1))
    assert ledger.lbc[ledger.wallet_of(world.worker.subject)] == escrow - escrow * 2 // 100
    assert ledger.cny[world.buyer.subject] == 1_000_000 - VALUE_FEN
    types = await world.event_types()
    assert types.count("OrderCompleted") == 1 and types.count("OrderFunded") == 1


@pytest.mark.parametrize("mode", ["down", "lose", "crash"])
async def test_cancelling_a_funded_order_voids_the_escrow_once(world: World, mode: str) -> None:
    ledger = funded_ledger(world, lbc_units=3_000_000_000, cny_fen=0)
    services = services_for(world, ledger)
    order_id = await new_order(world, services)
    await orders.pay_order(services, orders.PayOrder(rid(), order_id, False), world.buyer)
    buyer_wallet = ledger.wallet_of(world.buyer.subject)
    assert ledger.available(buyer_wallet) == 600_000_000
    if mode == "down":
        ledger.down = True
    elif mode == "lose":
        ledger.lose_answers.add("void_escrow")
    else:
        ledger.crash_after.add("void_escrow")
    cancel = orders.CancelOrder(rid(), order_id, "changed plans")
    if mode == "lose":  # the request repeats the very same call and gets the answer
        assert (await orders.cancel_order(services, cancel, world.worker)).status is (
            OrderStatus.CANCELLED)
    else:
        with pytest.raises((Unavailable, Crash)):
            await orders.cancel_order(services, cancel, world.worker)
    if mode == "lose":
        assert ledger.calls.count("void_escrow") == 2
    ledger.down = False
    await order_saga.recover_once(world.new_unit, ledger, settings=NOW)
    again = await orders.cancel_order(services, cancel, world.worker)  # same request id
    assert again.status is OrderStatus.CANCELLED
    assert [e.split(":")[0] for e in ledger.effects] == ["escrow", "void"]
    assert ledger.available(buyer_wallet) == 3_000_000_000
    async with world.new_unit() as unit:
        entrustment = await unit.entrustments.get(world.entrustment_id)
        demand = await unit.demands.get(world.demand_id)
    assert entrustment is not None and entrustment.available_hours == 720
    assert demand is not None and demand.status == "OPEN" and demand.open_hours == HOURS
    assert (await world.event_types())[-2:] == ["OrderCancelled", "LaborReturned"]


async def test_an_expired_escrow_cancels_the_order_and_confirmation_learns_it(
    world: World,
) -> None:
    ledger = funded_ledger(world, lbc_units=2_400_000_000, cny_fen=0)
    services = services_for(world, ledger)
    order_id = await new_order(world, services)
    funded = await orders.pay_order(services, orders.PayOrder(rid(), order_id, False),
                                    world.buyer)
    await orders.deliver_order(services, orders.DeliverOrder(rid(), order_id, ""), world.worker)
    ledger.expire(funded.escrow_transfer_id)
    with pytest.raises(FailedPrecondition) as refused:
        await orders.confirm_order(services, orders.ConfirmOrder(rid(), order_id, 4, ""),
                                   world.buyer)
    assert refused.value.reason == "ESCROW_EXPIRED"
    order = await orders.get_order(world.new_unit, order_id, world.buyer)
    assert order.status is OrderStatus.CANCELLED and order.cancel_reason == "ESCROW_EXPIRED"
    assert ledger.available(ledger.wallet_of(world.buyer.subject)) == 2_400_000_000
    assert "settle" not in {e.split(":")[0] for e in ledger.effects}


async def test_the_recovery_pass_learns_of_an_expired_escrow(world: World) -> None:
    ledger = funded_ledger(world, lbc_units=2_400_000_000, cny_fen=0)
    services = OrderServices(world.new_unit, ledger, order_saga.SagaSettings(
        escrow_grace_s=-40 * 86_400, escrow_timeout_min_s=0))
    order_id = await new_order(world, services)
    funded = await orders.pay_order(services, orders.PayOrder(rid(), order_id, False),
                                    world.buyer)
    assert funded.escrow_expires_at is not None
    assert funded.escrow_expires_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert await order_saga.recover_once(world.new_unit, ledger, settings=NOW) == 0  # PENDING
    ledger.expire(funded.escrow_transfer_id)
    assert await order_saga.recover_once(world.new_unit, ledger, settings=NOW) == 1
    order = await orders.get_order(world.new_unit, order_id, world.buyer)
    assert order.status is OrderStatus.CANCELLED and order.cancel_reason == "ESCROW_EXPIRED"
    async with world.new_unit() as unit:
        entrustment = await unit.entrustments.get(world.entrustment_id)
    assert entrustment is not None and entrustment.available_hours == 720


async def test_without_coins_and_without_permission_to_buy_the_payment_is_refused_alike(
    world: World,
) -> None:
    ledger = funded_ledger(world)
    services = services_for(world, ledger)
    order_id = await new_order(world, services)
    pay = orders.PayOrder(rid(), order_id, False)
    for _ in range(2):  # the same request id answers the same refusal
        with pytest.raises(FailedPrecondition) as refused:
            await orders.pay_order(services, pay, world.buyer)
        assert refused.value.reason == "EXCEEDS_CREDITS"
    assert ledger.effects == []
    paid = await orders.pay_order(services, orders.PayOrder(rid(), order_id, True), world.buyer)
    assert paid.status is OrderStatus.FUNDED and paid.payment_attempt == 2
    with pytest.raises(FailedPrecondition) as first:
        await orders.pay_order(services, pay, world.buyer)
    assert first.value.reason == "EXCEEDS_CREDITS"


@pytest.mark.parametrize(("outcome", "share", "worker_gets", "status"), [
    (DisputeOutcome.PAY_WORKER, None, 2_400_000_000, OrderStatus.COMPLETED),
    (DisputeOutcome.SPLIT, Decimal("0.25"), 600_000_000, OrderStatus.COMPLETED),
    (DisputeOutcome.REFUND_BUYER, None, 0, OrderStatus.CANCELLED),
])
async def test_a_dispute_holds_the_escrow_until_an_operator_resolves_it(
    world: World, outcome: DisputeOutcome, share: Decimal | None, worker_gets: int,
    status: OrderStatus,
) -> None:
    ledger = funded_ledger(world, lbc_units=2_400_000_000, cny_fen=0)
    services = services_for(world, ledger)
    order_id = await new_order(world, services)
    await orders.pay_order(services, orders.PayOrder(rid(), order_id, False), world.buyer)
    disputed = await orders.dispute_order(
        services, orders.DisputeOrder(rid(), order_id, "no show"), world.buyer)
    assert disputed.status is OrderStatus.DISPUTED
    with pytest.raises(FailedPrecondition):  # the escrow is held: no confirmation, no cancel
        await orders.cancel_order(services, orders.CancelOrder(rid(), order_id, "x"),
                                  world.buyer)
    with pytest.raises(PermissionDenied):
        await orders.resolve_dispute(services, orders.ResolveDispute(
            rid(), order_id, outcome, share, "decided"), world.buyer)
    resolved = await orders.resolve_dispute(services, orders.ResolveDispute(
        rid(), order_id, outcome, share, "decided"), world.operator)
    assert resolved.status is status
    fee = worker_gets * 2 // 100
    assert ledger.lbc[ledger.wallet_of(world.worker.subject)] == worker_gets - fee
    assert ledger.lbc[ledger.wallet_of(world.buyer.subject)] == 2_400_000_000 - worker_gets
    assert ledger.available(ledger.wallet_of(world.buyer.subject)) == (
        2_400_000_000 - worker_gets)
    types = await world.event_types()
    assert "OrderDisputed" in types and "OrderDisputeResolved" in types
