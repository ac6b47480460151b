"""At the bidding close the lowest-cost offer wins by itself (passing over a funder that
cannot pay), a financing without offers expires; an obligor may settle early, and a
retried settle request has no second effect."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
from scf_api_support import ScfServer, as_, eventually, new_id, stub
from scf_fakes import MovableClock
from scf_world import World, cny

from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb
from ntbkit.timestamps import to_timestamp

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CORE, SUPPLIER, RICH, POOR = (str(uuid.uuid4()) for _ in range(4))


async def test_lowest_cost_wins_at_close_and_early_settlement(tmp_path: Path) -> None:
    scf = ScfServer(f"sqlite+aiosqlite:///{tmp_path / 'scf.db'}", MovableClock(START))
    scf.ledger.deposit(RICH, "CNY", 1_000_000_00)
    scf.ledger.deposit(CORE, "CNY", 1_000_000_00)
    await scf.start()
    try:
        async with grpc.aio.insecure_channel(scf.target) as channel:
            w = World(stub(channel), START.date())
            alliance = await w.alliance("Toys")
            await w.join(alliance, CORE, pb.MEMBER_ROLE_CORE_ENTERPRISE)
            await w.join(alliance, SUPPLIER, pb.MEMBER_ROLE_SUPPLIER)
            await w.join(alliance, RICH, pb.MEMBER_ROLE_FUNDER)
            await w.join(alliance, POOR, pb.MEMBER_ROLE_FUNDER)
            ids = []
            for _ in range(2):
                invoice = await w.invoice(buyer=CORE, seller=SUPPLIER, alliance_id=alliance,
                                          units=100_000_00)
                payable = await w.confirm(invoice)
                made = await w.api.RequestFinancing(pb.RequestFinancingRequest(
                    request_id=new_id(), product=pb.FINANCING_PRODUCT_REVERSE_FACTORING,
                    applicant_id=SUPPLIER, collateral=pb.Collateral(
                        payable_id=payable.payable_id), requested_amount=cny(100_000_00),
                    bidding_closes_at=to_timestamp(START + timedelta(hours=1))),
                    metadata=as_(SUPPLIER))
                ids.append(made.financing.financing_id)
            await w.bid(ids[0], RICH, "0.050")
            await w.bid(ids[0], POOR, "0.045")  # cheaper, but its wallet is empty

            scf.clock.now = START + timedelta(hours=1)

            async def closed(financing_id: str, status: int) -> pb.Financing | None:
                found = await w.financing(financing_id)
                return found if found.status == status else None

            won = await eventually(lambda: closed(ids[0], pb.FINANCING_STATUS_FUNDED))
            assert (won.funder_id, won.annual_rate.value) == (RICH, "0.050")
            await eventually(lambda: closed(ids[1], pb.FINANCING_STATUS_EXPIRED))

            settle = pb.SettleFinancingRequest(request_id=new_id(), financing_id=ids[0])
            done = (await w.api.SettleFinancing(settle, metadata=as_(CORE))).financing
            again = (await w.api.SettleFinancing(settle, metadata=as_(CORE))).financing
            assert done.status == again.status == pb.FINANCING_STATUS_SETTLED
    finally:
        await scf.stop()
    assert scf.ledger.balance(CORE, "CNY") == 900_000_00  # paid once
    assert scf.ledger.balance(RICH, "CNY") == 1_000_000_00 - won.advance.units + 100_000_00
