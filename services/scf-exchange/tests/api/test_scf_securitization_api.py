"""Securitization over gRPC: a supplier pools payables of three core enterprises into
senior / mezzanine / equity tranches, investors subscribe through the ledger, one
obligor fails; at wind-up the waterfall pays the collections out - equity wiped out,
the mezzanine cut, the senior whole - to the fen."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from scf_api_support import ScfServer, as_, error_reason, eventually, new_id, stub
from scf_fakes import MovableClock
from scf_world import World, cny

from ntb.common.v1 import common_pb2
from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SPONSOR = str(uuid.uuid4())
CORES = [str(uuid.uuid4()) for _ in range(3)]
SENIOR_INVESTOR, MEZZ_INVESTOR, EQUITY_INVESTOR = (str(uuid.uuid4()) for _ in range(3))


def spec(name: str, seniority: int, share: str, coupon: str) -> pb.TrancheSpec:
    return pb.TrancheSpec(name=name, seniority=seniority,
                          share=common_pb2.Decimal(value=share),
                          coupon_rate=common_pb2.Decimal(value=coupon))


async def test_pool_losses_hit_equity_then_mezzanine(tmp_path: Path) -> None:
    scf = ScfServer(f"sqlite+aiosqlite:///{tmp_path / 'scf.db'}", MovableClock(START))
    scf.ledger.deposit(CORES[0], "CNY", 500_000_00)
    scf.ledger.deposit(CORES[1], "CNY", 380_000_00)  # CORES[2] cannot pay its 120,000.00
    for investor in (SENIOR_INVESTOR, MEZZ_INVESTOR, EQUITY_INVESTOR):
        scf.ledger.deposit(investor, "CNY", 1_000_000_00)
    await scf.start()
    try:
        async with grpc.aio.insecure_channel(scf.target) as channel:
            world = World(stub(channel), START.date())
            alliance = await world.alliance("Electronics")
            await world.join(alliance, SPONSOR, pb.MEMBER_ROLE_SUPPLIER)
            for core in CORES:
                await world.join(alliance, core, pb.MEMBER_ROLE_CORE_ENTERPRISE)
            payables = []
            for core, units in zip(CORES, (500_000_00, 380_000_00, 120_000_00), strict=True):
                invoice = await world.invoice(buyer=core, seller=SPONSOR, alliance_id=alliance,
                                              units=units)
                payables.append((await world.confirm(invoice)).payable_id)

            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await world.api.CreateSecuritization(pb.CreateSecuritizationRequest(
                    request_id=new_id(), sponsor_id=SPONSOR, name="bad", payable_ids=payables,
                    tranches=[spec("A", 1, "0.7", "0.04"), spec("B", 2, "0.2", "0.08")]),
                    metadata=as_(SPONSOR))
            assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # shares != 1

            made = (await world.api.CreateSecuritization(pb.CreateSecuritizationRequest(
                request_id=new_id(), sponsor_id=SPONSOR, name="SCF ABS 2026-1",
                payable_ids=payables, tranches=[
                    spec("Senior", 1, "0.80", "0.04"), spec("Mezzanine", 2, "0.15", "0.08"),
                    spec("Equity", 3, "0.05", "0")]), metadata=as_(SPONSOR))).securitization
            assert made.pool_face.units == 1_000_000_00
            senior, mezz, equity = made.tranches
            assert [t.principal.units for t in made.tranches] == [80_000_000, 15_000_000,
                                                                 5_000_000]
            assert [t.rating for t in made.tranches] == [
                common_pb2.CREDIT_RATING_AAA, common_pb2.CREDIT_RATING_BBB,
                common_pb2.CREDIT_RATING_UNSPECIFIED]
            pooled = await world.api.GetPayable(pb.GetPayableRequest(payable_id=payables[0]),
                                                metadata=as_(SPONSOR))
            assert pooled.payable.status == pb.PAYABLE_STATUS_ENCUMBERED

            for tranche, investor in ((senior, SENIOR_INVESTOR), (mezz, MEZZ_INVESTOR),
                                      (equity, EQUITY_INVESTOR)):
                done = await world.api.SubscribeTranche(pb.SubscribeTrancheRequest(
                    request_id=new_id(), tranche_id=tranche.tranche_id, investor_id=investor,
                    amount=cny(tranche.principal.units)), metadata=as_(investor))
            assert done.securitization.status == pb.SECURITIZATION_STATUS_ISSUED
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await world.api.SubscribeTranche(pb.SubscribeTrancheRequest(
                    request_id=new_id(), tranche_id=senior.tranche_id,
                    investor_id=MEZZ_INVESTOR, amount=cny(1)), metadata=as_(MEZZ_INVESTOR))
            assert error_reason(raised.value) == "SECURITIZATION_NOT_SUBSCRIBING"
            assert scf.ledger.balance(SPONSOR, "CNY") == 1_000_000_00

            scf.clock.now = START + timedelta(days=90)  # two obligors pay the sponsor
            await eventually(lambda: _balance_is(scf, SPONSOR, 1_880_000_00))
            scf.clock.now = START + timedelta(days=90 + scf.grace_days + 1)  # wind-up

            async def retired() -> pb.Securitization | None:
                found = (await world.api.GetSecuritization(pb.GetSecuritizationRequest(
                    securitization_id=made.securitization_id), metadata=as_(SPONSOR))
                         ).securitization
                return found if found.status == pb.SECURITIZATION_STATUS_RETIRED else None

            final = await eventually(retired)
    finally:
        await scf.stop()
    assert final.collections.units == 88_000_000
    paid = {p.tranche_id: p for p in final.payments}
    assert (paid[senior.tranche_id].interest_paid.units,
            paid[senior.tranche_id].principal_paid.units,
            paid[senior.tranche_id].principal_loss.units) == (800_000, 80_000_000, 0)
    assert (paid[mezz.tranche_id].interest_paid.units,
            paid[mezz.tranche_id].principal_paid.units,
            paid[mezz.tranche_id].principal_loss.units) == (300_000, 6_900_000, 8_100_000)
    assert (paid[equity.tranche_id].principal_paid.units,
            paid[equity.tranche_id].principal_loss.units) == (0, 5_000_000)
    assert scf.ledger.balance(SENIOR_INVESTOR, "CNY") == 1_000_000_00 + 800_000
    assert scf.ledger.balance(MEZZ_INVESTOR, "CNY") == 1_000_000_00 - 8_100_000 + 300_000
    assert scf.ledger.balance(EQUITY_INVESTOR, "CNY") == 1_000_000_00 - 5_000_000
    assert scf.ledger.balance(SPONSOR, "CNY") == 1_000_000_00  # paid for the pool, kept it


async def _balance_is(scf: ScfServer, owner: str, units: int) -> bool:
    return scf.ledger.balance(owner, "CNY") == units
