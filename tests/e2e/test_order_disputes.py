"""Disputes in distributed mode: a disputed escrow is held (no confirmation, no
cancellation) until an operator resolves it - split (the worker's share paid through
laborcoin's SettleEscrow with the fee, the rest back to the buyer) or refund (the escrow
voided) - with the parties' balances exact."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio
from e2e_suite import DistributedSuite
from labor_market_scenario import (
    CALL_TIMEOUT_S,
    LaborMarket,
    check_money_moved_once,
    formed_order,
    new_id,
)

from ntb.common.v1 import common_pb2
from ntb.matching.v1 import matching_pb2 as mpb

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(loop_scope="session")
async def market(suite: DistributedSuite) -> AsyncIterator[LaborMarket]:
    found = LaborMarket(identity=suite.target("identity"), laborcoin=suite.target("laborcoin"),
                        matching=suite.target("matching"), token=await suite.operator_token())
    yield found
    await found.close()


@pytest.mark.parametrize(("outcome", "share", "status"), [
    (mpb.DISPUTE_OUTCOME_SPLIT, "0.25", mpb.ORDER_STATUS_COMPLETED),
    (mpb.DISPUTE_OUTCOME_REFUND_BUYER, "", mpb.ORDER_STATUS_CANCELLED),
])
async def test_an_operator_resolves_a_held_escrow(
    market: LaborMarket, outcome: int, share: str, status: int
) -> None:
    formed = await formed_order(market)
    order_id = formed.order.order_id
    funded = await market.pay(order_id)
    disputed = (await market.matching.DisputeOrder(mpb.DisputeOrderRequest(
        request_id=new_id(), order_id=order_id, reason="the welds failed inspection"),
        metadata=market.auth, timeout=CALL_TIMEOUT_S)).order
    assert disputed.status == mpb.ORDER_STATUS_DISPUTED
    with pytest.raises(grpc.aio.AioRpcError) as held:
        await market.confirm(order_id)
    assert held.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    resolved = (await market.matching.ResolveDispute(mpb.ResolveDisputeRequest(
        request_id=new_id(), order_id=order_id, outcome=outcome,  # type: ignore[arg-type]
        worker_share=common_pb2.Decimal(value=share), note="inspected on site"),
        metadata=market.auth, timeout=CALL_TIMEOUT_S)).order
    assert resolved.status == status and resolved.dispute.outcome == outcome
    if status == mpb.ORDER_STATUS_COMPLETED:
        escrow = funded.escrow_amount.units
        assert resolved.settlement.gross.units == escrow // 4  # floor(escrow x 0.25)
        assert resolved.settlement.refunded.units == escrow - escrow // 4
    await check_money_moved_once(market, formed, resolved)
