"""The order saga's crash points in distributed mode (real processes, PostgreSQL, Kafka,
gRPC): matching dies right after each ledger call returned (a failpoint: laborcoin did
the work, matching recorded nothing), or laborcoin is down at a step and matching is
killed meanwhile. After restarts, the recovery worker finishes every order: COMPLETED
with the money moved exactly once, or CANCELLED with the escrow voided - checked on
laborcoin's balances, exactly."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import grpc
import pytest
import pytest_asyncio
from e2e_suite import DistributedSuite
from labor_market_scenario import (
    Formed,
    LaborMarket,
    check_money_moved_once,
    formed_order,
    new_id,
    until,
)

from ntb.matching.v1 import matching_pb2 as mpb

pytestmark = pytest.mark.asyncio(loop_scope="session")
FAILPOINT_EXIT_CODE = 86


@pytest_asyncio.fixture(loop_scope="session")
async def market(suite: DistributedSuite) -> AsyncIterator[LaborMarket]:
    found = LaborMarket(identity=suite.target("identity"), laborcoin=suite.target("laborcoin"),
                        matching=suite.target("matching"), token=await suite.operator_token())
    yield found
    await found.close()
    for name in ("laborcoin", "matching"):  # whatever a test did, the suite goes on whole
        if name not in suite.processes:
            await suite.start(name)


async def settled(market: LaborMarket, order_id: str, status: int) -> mpb.Order:
    """The recovery worker finished the step in flight and the order reached `status`."""
    async def reached() -> mpb.Order | None:
        try:
            order = await market.get_order(order_id)
        except grpc.aio.AioRpcError:
            return None  # matching is still starting
        return order if order.status == status and not order.step_in_progress else None
    return await until(reached, timeout_s=60)


async def refused_by_the_crash(call: Awaitable[mpb.Order]) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    assert raised.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNKNOWN,
                                   grpc.StatusCode.INTERNAL, grpc.StatusCode.CANCELLED)


async def restart_matching_armed(suite: DistributedSuite, call: str) -> None:
    await suite.kill("matching")
    await suite.start("matching", {"NTB_MATCHING_FAILPOINT": f"exit-after:{call}"})


async def after_the_crash(suite: DistributedSuite) -> None:
    assert await suite.exited("matching") == FAILPOINT_EXIT_CODE
    await suite.start("matching")


async def finish(market: LaborMarket, formed: Formed) -> mpb.Order:
    order_id = formed.order.order_id
    await market.deliver(order_id)
    return await market.confirm(order_id)


@pytest.mark.parametrize("call", ["purchase_for_order", "create_escrow"])
async def test_matching_dies_after_a_payment_call(
    suite: DistributedSuite, market: LaborMarket, call: str
) -> None:
    formed = await formed_order(market)
    order_id = formed.order.order_id
    await restart_matching_armed(suite, call)
    pay_id = new_id()
    await refused_by_the_crash(market.pay(order_id, pay_id))
    await after_the_crash(suite)
    funded = await settled(market, order_id, mpb.ORDER_STATUS_FUNDED)
    assert (await market.pay(order_id, pay_id)).escrow_transfer_id == funded.escrow_transfer_id
    done = await finish(market, formed)
    assert done.status == mpb.ORDER_STATUS_COMPLETED
    await check_money_moved_once(market, formed, done)


async def test_matching_dies_after_the_settlement(
    suite: DistributedSuite, market: LaborMarket
) -> None:
    formed = await formed_order(market)
    order_id = formed.order.order_id
    await market.pay(order_id)
    await market.deliver(order_id)
    await restart_matching_armed(suite, "settle_escrow")
    confirm_id = new_id()
    await refused_by_the_crash(market.confirm(order_id, confirm_id))
    await after_the_crash(suite)
    done = await settled(market, order_id, mpb.ORDER_STATUS_COMPLETED)
    assert (await market.confirm(order_id, confirm_id)).settlement == done.settlement
    await check_money_moved_once(market, formed, done)


async def test_matching_dies_after_voiding_the_escrow(
    suite: DistributedSuite, market: LaborMarket
) -> None:
    formed = await formed_order(market)
    order_id = formed.order.order_id
    await market.pay(order_id)
    await restart_matching_armed(suite, "void_escrow")
    await refused_by_the_crash(market.matching.CancelOrder(mpb.CancelOrderRequest(
        request_id=new_id(), order_id=order_id, reason="plans changed"),
        metadata=market.auth, timeout=30))
    await after_the_crash(suite)
    cancelled = await settled(market, order_id, mpb.ORDER_STATUS_CANCELLED)
    await check_money_moved_once(market, formed, cancelled)


Step = Callable[[LaborMarket, str], Awaitable[mpb.Order]]


async def test_laborcoin_down_at_payment_and_settlement_with_matching_killed_meanwhile(
    suite: DistributedSuite, market: LaborMarket
) -> None:
    formed = await formed_order(market)
    order_id = formed.order.order_id
    await suite.kill("laborcoin")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await market.pay(order_id)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    await suite.kill("matching")  # the step in flight survives in matching's database
    await suite.start("laborcoin")
    await suite.start("matching")
    await settled(market, order_id, mpb.ORDER_STATUS_FUNDED)
    await market.deliver(order_id)
    await suite.kill("laborcoin")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await market.confirm(order_id)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    await suite.start("laborcoin")
    done = await settled(market, order_id, mpb.ORDER_STATUS_COMPLETED)
    await check_money_moved_once(market, formed, done)
