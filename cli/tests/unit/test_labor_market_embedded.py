"""DESIGN §5 end to end in embedded mode (`make run`'s one process, SQLite files, the
in-process event bus): the same scenario code as the distributed e2e test
(tests/e2e/labor_market_scenario.py) - register, value, entrust 720 hours, demand,
match, buy LBC, escrow, deliver, confirm, fee and coin price, waves - every balance
and the fee/price arithmetic exact; then the bank verifies the payout offline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest_asyncio
from labor_market_scenario import LaborMarket, run_labor_market
from payout_proof import verify_payout_offline

from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb_cli.embedded import runtimes
from ntb_cli.suite import DEVELOPMENT_OPERATOR_ID, DEVELOPMENT_OPERATOR_SECRET, SUITE
from ntbkit.testing import port_under_test

PORT_OFFSET = port_under_test(1271) - 50051


def target(name: str) -> str:
    return f"127.0.0.1:{next(m.port for m in SUITE if m.name == name) + PORT_OFFSET}"


@pytest_asyncio.fixture
async def market(tmp_path: Path) -> AsyncIterator[LaborMarket]:
    members = runtimes(tmp_path, "127.0.0.1", port_offset=PORT_OFFSET, metrics_port=0)
    for runtime in members:
        await runtime.start()
    async with grpc.aio.insecure_channel(target("identity")) as channel:
        token = (await identity_pb2_grpc.IdentityServiceStub(channel).IssueToken(
            idpb.IssueTokenRequest(grant_type="client_credentials",
                                   client_id=DEVELOPMENT_OPERATOR_ID,
                                   client_secret=DEVELOPMENT_OPERATOR_SECRET),
            timeout=10)).access_token
    found = LaborMarket(identity=target("identity"), laborcoin=target("laborcoin"),
                        matching=target("matching"), token=token)
    yield found
    await found.close()
    for runtime in reversed(members):
        await runtime.stop()


async def test_labor_market_end_to_end_embedded(market: LaborMarket, tmp_path: Path) -> None:
    outcome = await run_labor_market(market)
    await verify_payout_offline(market, outcome, tmp_path)
