"""The settlement scheduler survives restarts: the due work is in the database, so a
server stopped before maturity and started again after it still settles, once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
from scf_api_support import ScfServer, eventually, stub
from scf_fakes import MovableClock
from scf_world import World

from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CORE, SUPPLIER, FUNDER = (str(uuid.uuid4()) for _ in range(3))


async def test_settlement_due_while_down_happens_after_the_restart(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'scf.db'}"
    scf = ScfServer(url, MovableClock(START))
    scf.ledger.deposit(CORE, "CNY", 60_000_00)
    scf.ledger.deposit(FUNDER, "CNY", 50_000_00)
    await scf.start()
    async with grpc.aio.insecure_channel(scf.target) as channel:
        world = World(stub(channel), START.date())
        alliance = await world.alliance("Textiles")
        await world.join(alliance, CORE, pb.MEMBER_ROLE_CORE_ENTERPRISE)
        await world.join(alliance, SUPPLIER, pb.MEMBER_ROLE_SUPPLIER)
        await world.join(alliance, FUNDER, pb.MEMBER_ROLE_FUNDER)
        invoice = await world.invoice(buyer=CORE, seller=SUPPLIER, alliance_id=alliance,
                                      units=50_000_00, terms_days=60)
        payable = await world.confirm(invoice)
        financing = await world.finance(applicant=SUPPLIER, payable_id=payable.payable_id,
                                        units=50_000_00)
        await world.bid(financing.financing_id, FUNDER, "0.05")
        funded = await world.accept(financing)
    await scf.stop()

    scf.clock.now = START + timedelta(days=61)  # maturity passed while it was down
    await scf.start()
    try:
        async with grpc.aio.insecure_channel(scf.target) as channel:
            world = World(stub(channel), START.date())

            async def settled() -> pb.Financing | None:
                found = await world.financing(funded.financing_id)
                return found if found.status == pb.FINANCING_STATUS_SETTLED else None

            done = await eventually(settled)
    finally:
        await scf.stop()
    # a day late: 50,000.00 x 0.18 x 1 / 360 = 25.00 late fee, paid with the face
    assert (done.days_overdue, done.late_fee.units) == (1, 25_00)
    assert scf.ledger.balance(CORE, "CNY") == 60_000_00 - 50_025_00
    assert scf.ledger.balance(FUNDER, "CNY") == 50_000_00 - funded.advance.units + 50_025_00
    assert len(scf.ledger.committed) == 3  # advance, face, late fee: each once
