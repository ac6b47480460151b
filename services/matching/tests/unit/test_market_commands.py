"""Batch matching into orders, demand cancellation, withdrawal and expiry of entrusted
hours (matching's service layer on SQLite through the real adapters).

Proves: MatchDemands assigns and forms the orders atomically and once per request id;
reserved, withdrawn and expired hours leave the market with a labor.released each;
cancelled demands stop being matched.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from order_world import HOURS, MIN_PRICE_FEN, World, order_world

from ntb_matching.data import load_weights
from ntb_matching.domain.entrustment import Entrustment, EntrustmentStatus
from ntb_matching.domain.model import Window
from ntb_matching.domain.order import OrderStatus
from ntb_matching.service import demands, entrustments, orders
from ntbkit.errors import FailedPrecondition


def rid() -> str:
    return str(uuid.uuid4())


@pytest_asyncio.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with order_world(f"sqlite+aiosqlite:///{tmp_path / 'matching.db'}") as found:
        yield found


async def test_match_demands_forms_the_orders_once(world: World) -> None:
    command = demands.MatchDemands(rid(), (world.demand_id,), True, Decimal("0.1"))
    first = await demands.match_demands(world.new_unit, command, world.buyer, load_weights())
    again = await demands.match_demands(world.new_unit, command, world.buyer, load_weights())
    assert first == again
    [(choice, order_id)] = first.assignments
    assert choice.candidate.entrustment_id == world.entrustment_id
    assert choice.hourly_price_fen == MIN_PRICE_FEN and choice.candidate.hours == HOURS
    assert first.objective == (HOURS * Decimal(repr(choice.candidate.score.total))).quantize(
        Decimal("0.000001"))
    order = await orders.get_order(world.new_unit, order_id, world.buyer)
    assert order.status is OrderStatus.AWAITING_PAYMENT
    assert order.labor_value_fen == int(HOURS) * MIN_PRICE_FEN
    posted = await demands.get_demand(world.new_unit, world.demand_id, world.buyer)
    assert posted.status == "FILLED" and posted.open_hours == 0
    found = await entrustments.get_entrustment(world.new_unit, world.entrustment_id,
                                               world.worker)
    assert found.available_hours == 720 - HOURS
    assert await world.event_types() == ["OrderCreated", "LaborReleased"]
    with pytest.raises(FailedPrecondition) as refused:  # a filled demand is not matched
        await demands.match_demands(world.new_unit, demands.MatchDemands(
            rid(), (world.demand_id,), False, Decimal(0)), world.buyer, load_weights())
    assert refused.value.reason == "DEMAND_NOT_OPEN"


async def test_a_cancelled_demand_gets_no_candidates(world: World) -> None:
    cancelled = await demands.cancel_demand(world.new_unit, demands.CancelDemand(
        rid(), world.demand_id, "no longer needed"), world.buyer)
    assert cancelled.status == "CANCELLED"
    with pytest.raises(FailedPrecondition):
        await demands.candidates(world.new_unit, world.demand_id, 5, world.buyer,
                                 load_weights())
    listed = await demands.list_demands(world.new_unit, world.buyer, buyer_id="",
                                        status="CANCELLED", skills=["pcb-design"], offset=0,
                                        size=10)
    assert [d.demand.demand_id for d in listed] == [world.demand_id]


async def test_withdrawn_and_expired_hours_are_released(world: World) -> None:
    withdraw = entrustments.WithdrawEntrustment(rid(), world.entrustment_id, Decimal(100),
                                                "holiday")
    withdrawn = await entrustments.withdraw_entrustment(world.new_unit, withdraw, world.worker)
    assert withdrawn.available_hours == 620 and withdrawn.status is EntrustmentStatus.ACTIVE
    now = datetime.now(UTC)
    ended = str(uuid.uuid4())
    async with world.new_unit() as unit:
        await unit.entrustments.add(Entrustment(
            entrustment_id=ended, person_id=world.worker.subject,
            status=EntrustmentStatus.ACTIVE, hours=Decimal(10), available_hours=Decimal(10),
            availability=Window(now - timedelta(days=2), now - timedelta(days=1)),
            skills=("pcb-design",), min_price_asset="CNY", min_price_units=MIN_PRICE_FEN,
            region="CN-GD", remote_ok=True, note="", contract_id=str(uuid.uuid4()),
            canonical_terms=b"{}", terms_sha256=b"0" * 32, created_at=now, signed_at=now))
        await unit.commit()
    assert await entrustments.expire_due(world.new_unit) == 1
    assert await entrustments.expire_due(world.new_unit) == 0
    expired = await entrustments.get_entrustment(world.new_unit, ended, world.worker)
    assert expired.status is EntrustmentStatus.EXPIRED and expired.available_hours == 0
    assert await world.event_types() == ["LaborReleased", "LaborReleased"]
    mine = await entrustments.list_entrustments(world.new_unit, world.worker,
                                                person_id=world.worker.subject, status="",
                                                offset=0, size=10)
    assert {e.entrustment_id for e in mine} == {world.entrustment_id, ended}
