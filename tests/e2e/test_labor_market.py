"""DESIGN §5 end to end in distributed mode: six processes, PostgreSQL and Kafka, real
gRPC - register, value, entrust 720 hours, demand, match, buy LBC, escrow, deliver,
confirm, fee and coin price, waves updated (every balance and the fee/price arithmetic
exact, as integers), then the bank verifies the payout's inclusion proof offline with
`ntb verify`. The scenario code is shared with the embedded-mode test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from e2e_suite import DistributedSuite
from labor_market_scenario import LaborMarket, run_labor_market
from payout_proof import verify_payout_offline

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(loop_scope="session")
async def market(suite: DistributedSuite) -> AsyncIterator[LaborMarket]:
    found = LaborMarket(identity=suite.target("identity"), laborcoin=suite.target("laborcoin"),
                        matching=suite.target("matching"), token=await suite.operator_token())
    yield found
    await found.close()


async def test_labor_market_end_to_end_distributed(market: LaborMarket, tmp_path: Path) -> None:
    outcome = await run_labor_market(market)
    await verify_payout_offline(market, outcome, tmp_path)
