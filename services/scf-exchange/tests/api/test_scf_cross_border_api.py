"""A cross-border invoice (JPY) financed in another currency (USD) converts with the rate
fx-model serves over gRPC, and the financing records that rate and its source."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import grpc
import pytest_asyncio
from scf_api_support import ScfServer, stub
from scf_fakes import MovableClock
from scf_world import World

from ntb.fx_model.v1 import fx_model_pb2, fx_model_pb2_grpc
from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb
from ntb_fx_model.bootstrap import MIGRATIONS as FX_MIGRATIONS
from ntb_fx_model.bootstrap import build as build_fx
from ntb_fx_model.settings import Settings as FxSettings
from ntb_scf_exchange.adapters.clients.fx import GrpcFxRates
from ntb_scf_exchange.domain.currency import convert
from ntb_scf_exchange.domain.money import Money
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.runtime import ServiceRuntime

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BUYER, SELLER, FUNDER = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


@pytest_asyncio.fixture
async def fx_target(tmp_path: Path) -> AsyncIterator[str]:
    settings = FxSettings(grpc_port=0, database_url=f"sqlite+aiosqlite:///{tmp_path / 'fx.db'}",
                          event_bus="memory", log_level="WARNING")
    runtime = ServiceRuntime(settings, build=build_fx, migrations=FX_MIGRATIONS,
                             bus=InMemoryEventBus())
    await runtime.start()
    yield f"127.0.0.1:{runtime.port}"
    await runtime.stop()


async def test_cross_border_financing_records_the_fx_model_rate(tmp_path: Path,
                                                                fx_target: str) -> None:
    async with grpc.aio.insecure_channel(fx_target) as fx_channel:
        scf = ScfServer(f"sqlite+aiosqlite:///{tmp_path / 'scf.db'}", MovableClock(START),
                        fx=GrpcFxRates(fx_channel, year=2013,
                                       model="LABOR_PRODUCTIVITY_PARITY"))
        scf.ledger.deposit(FUNDER, "USD", 1_000_000_00)
        await scf.start()
        try:
            async with grpc.aio.insecure_channel(scf.target) as channel:
                world = World(stub(channel), START.date())
                alliance = await world.alliance("Pacific rim", countries=("JP", "US"),
                                                chain=pb.CHAIN_TYPE_VALUE)
                await world.join(alliance, BUYER, pb.MEMBER_ROLE_CORE_ENTERPRISE)
                await world.join(alliance, SELLER, pb.MEMBER_ROLE_SUPPLIER)
                await world.join(alliance, FUNDER, pb.MEMBER_ROLE_FUNDER)
                invoice = await world.invoice(buyer=BUYER, seller=SELLER, alliance_id=alliance,
                                              units=50_000_000, asset="JPY")
                payable = await world.confirm(invoice)
                financing = await world.finance(applicant=SELLER, payable_id=payable.payable_id,
                                                units=50_000_000, asset="JPY",
                                                disbursement_asset="USD")
                await world.bid(financing.financing_id, FUNDER, "0.0300")
                funded = await world.accept(financing)
            expected = (await fx_model_pb2_grpc.FxModelServiceStub(fx_channel).GetCrossRate(
                fx_model_pb2.GetCrossRateRequest(base_country_code="JPN",
                                                 quote_country_code="USA", year=2013))
                        ).cross_rate
        finally:
            await scf.stop()
    assert funded.fx_rate.value == expected.quote_per_base.value
    assert "LABOR_PRODUCTIVITY_PARITY JPN->USA 2013" in funded.fx_rate_ref
    # 50,000,000 JPY x 0.03 x 90 / 360 = 375,000 JPY discount; the rest converted to USD
    assert (funded.face.asset, funded.discount.units) == ("JPY", 375_000)
    advance_usd = convert(Money("JPY", 49_625_000), to_asset="USD",
                          rate=Decimal(expected.quote_per_base.value))
    assert (funded.advance.asset, funded.advance.units) == ("USD", advance_usd.units)
    assert scf.ledger.balance(SELLER, "USD") == advance_usd.units
