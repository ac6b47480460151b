"""Products over gRPC: factoring of an unconfirmed invoice (settled by the buyer at its
due date), soft reverse factoring priced on the supplier's own rating, and a
receivables pledge bounded by the borrowing base (the obligor repays the funder's
claim, the rest of the face goes to the holder)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from scf_api_support import ScfServer, as_, error_reason, eventually, stub
from scf_fakes import MovableClock
from scf_world import World

from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BUYER, SUPPLIER, FUNDER = (str(uuid.uuid4()) for _ in range(3))


@pytest_asyncio.fixture
async def chain(tmp_path: Path) -> AsyncIterator[tuple[ScfServer, World, str]]:
    scf = ScfServer(f"sqlite+aiosqlite:///{tmp_path / 'scf.db'}", MovableClock(START))
    scf.ratings.ratings.update({BUYER: "A", SUPPLIER: "BB"})
    scf.ledger.deposit(FUNDER, "CNY", 1_000_000_00)
    scf.ledger.deposit(BUYER, "CNY", 1_000_000_00)
    await scf.start()
    async with grpc.aio.insecure_channel(scf.target) as channel:
        world = World(stub(channel), START.date())
        alliance = await world.alliance("Furniture", chain=pb.CHAIN_TYPE_PRODUCT)
        await world.join(alliance, BUYER, pb.MEMBER_ROLE_CORE_ENTERPRISE)
        await world.join(alliance, SUPPLIER, pb.MEMBER_ROLE_SUPPLIER)
        await world.join(alliance, FUNDER, pb.MEMBER_ROLE_FUNDER)
        yield scf, world, alliance
    await scf.stop()


async def test_factoring_with_recourse_settles_at_the_invoice_due_date(
        chain: tuple[ScfServer, World, str]) -> None:
    scf, world, alliance = chain
    invoice = await world.invoice(buyer=BUYER, seller=SUPPLIER, alliance_id=alliance,
                                  units=100_000_00, terms_days=60)
    financing = await world.finance(applicant=SUPPLIER, invoice_id=invoice.invoice_id,
                                    product=pb.FINANCING_PRODUCT_FACTORING_WITH_RECOURSE,
                                    units=100_000_00)
    # priced on the buyer (A): 0.0345 + 0.0100 + 60 days 0.0010 + short history 0.0020
    assert financing.indicative_quote.annual_rate.value == "0.0475"
    await world.bid(financing.financing_id, FUNDER, None)
    funded = await world.accept(financing)
    assert funded.discount.units == 791_67  # 100,000 x 0.0475 x 60 / 360 = 791.666..
    scf.clock.now = START + timedelta(days=60)

    async def settled() -> pb.Financing | None:
        found = await world.financing(funded.financing_id)
        return found if found.status == pb.FINANCING_STATUS_SETTLED else None

    await eventually(settled)
    assert scf.ledger.balance(FUNDER, "CNY") == 1_000_000_00 + 791_67
    paid = await world.api.GetInvoice(pb.GetInvoiceRequest(invoice_id=invoice.invoice_id),
                                      metadata=world.operator)
    assert paid.invoice.status == pb.INVOICE_STATUS_PAID


async def test_soft_reverse_factoring_is_priced_on_the_suppliers_risk(
        chain: tuple[ScfServer, World, str]) -> None:
    _, world, alliance = chain
    invoice = await world.invoice(buyer=BUYER, seller=SUPPLIER, alliance_id=alliance,
                                  units=100_000_00, terms_days=60)
    soft = await world.finance(applicant=SUPPLIER, invoice_id=invoice.invoice_id,
                               product=pb.FINANCING_PRODUCT_REVERSE_FACTORING_SOFT,
                               units=100_000_00)
    # the supplier's BB: 0.0345 + 0.0300 + 0.0010 + 0.0020
    assert soft.indicative_quote.annual_rate.value == "0.0675"
    assert soft.indicative_quote.obligor_rating == 5  # CREDIT_RATING_BB
    with pytest.raises(grpc.aio.AioRpcError) as raised:  # it needs an invoice, not a payable
        await world.finance(applicant=SUPPLIER, payable_id=str(uuid.uuid4()),
                            product=pb.FINANCING_PRODUCT_REVERSE_FACTORING_SOFT, units=1)
    assert error_reason(raised.value) == "COLLATERAL_DOES_NOT_FIT"


async def test_receivables_pledge_is_bounded_by_the_borrowing_base(
        chain: tuple[ScfServer, World, str]) -> None:
    scf, world, alliance = chain
    invoice = await world.invoice(buyer=BUYER, seller=SUPPLIER, alliance_id=alliance,
                                  units=200_000_00)
    payable = await world.confirm(invoice)
    alone = await world.api.GetBorrowingBase(pb.GetBorrowingBaseRequest(
        holder_id=SUPPLIER, asset="CNY"), metadata=as_(SUPPLIER))
    # one obligor alone counts only up to the 30% concentration cap
    assert (alone.eligible.units, alone.lines[0].reason) == (60_000_00, "CONCENTRATION")
    for _ in range(3):  # receivables of three more buyers spread the concentration
        await world.invoice(buyer=str(uuid.uuid4()), seller=SUPPLIER, alliance_id="",
                            units=200_000_00)
    base = await world.api.GetBorrowingBase(pb.GetBorrowingBaseRequest(
        holder_id=SUPPLIER, asset="CNY"), metadata=as_(SUPPLIER))
    assert (base.eligible.units, base.base.units) == (800_000_00, 640_000_00)
    assert [line.reason for line in base.lines] == ["", "", "", ""]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await world.finance(applicant=SUPPLIER, payable_id=payable.payable_id,
                            product=pb.FINANCING_PRODUCT_RECEIVABLES_PLEDGE,
                            units=160_000_01)
    assert error_reason(raised.value) == "EXCEEDS_BORROWING_BASE"
    pledge = await world.finance(applicant=SUPPLIER, payable_id=payable.payable_id,
                                 product=pb.FINANCING_PRODUCT_RECEIVABLES_PLEDGE,
                                 units=160_000_00)
    await world.bid(pledge.financing_id, FUNDER, "0.05")
    funded = await world.accept(pledge)
    # 200,000 x 0.8 x 0.05 x 90 / 360 = 2,000.00
    assert (funded.discount.units, funded.advance.units) == (2_000_00, 158_000_00)
    scf.clock.now = START + timedelta(days=90)

    async def settled() -> pb.Financing | None:
        found = await world.financing(funded.financing_id)
        return found if found.status == pb.FINANCING_STATUS_SETTLED else None

    await eventually(settled)
    assert scf.ledger.balance(FUNDER, "CNY") == 1_000_000_00 + 2_000_00
    assert scf.ledger.balance(SUPPLIER, "CNY") == 158_000_00 + 40_000_00
    assert scf.ledger.balance(BUYER, "CNY") == 800_000_00


async def test_with_recourse_the_supplier_repays_when_the_buyer_defaults(
        chain: tuple[ScfServer, World, str]) -> None:
    scf, world, _ = chain
    broke_buyer = str(uuid.uuid4())
    invoice = await world.invoice(buyer=broke_buyer, seller=SUPPLIER, alliance_id="",
                                  units=100_000_00, terms_days=60)
    financing = await world.finance(applicant=SUPPLIER, invoice_id=invoice.invoice_id,
                                    product=pb.FINANCING_PRODUCT_FACTORING_WITH_RECOURSE,
                                    units=100_000_00)
    await world.bid(financing.financing_id, FUNDER, "0.06")
    funded = await world.accept(financing)
    assert funded.advance.units == 99_000_00  # 100,000 x 0.06 x 60 / 360 = 1,000
    scf.ledger.deposit(SUPPLIER, "CNY", 1_000_00)  # enough to answer for the buyer
    scf.clock.now = START + timedelta(days=60 + scf.grace_days)

    async def recovered() -> pb.Financing | None:
        found = await world.financing(funded.financing_id)
        return found if found.recourse_transfer_id else None

    done = await eventually(recovered)
    assert done.status == pb.FINANCING_STATUS_DEFAULTED  # the buyer's default stays on record
    assert scf.ledger.balance(FUNDER, "CNY") == 1_000_000_00 + 1_000_00
    assert scf.ledger.balance(SUPPLIER, "CNY") == 0
