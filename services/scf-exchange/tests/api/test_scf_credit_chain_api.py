"""Issue 9's scenario over real gRPC (scf-exchange served on loopback; ledger and
ratings as fakes behind its ports): a core enterprise, two tier-1 and one tier-2
supplier; an invoice confirmed with an irrevocable payment undertaking, split and
passed to tier 2; both pieces financed by different funders at exact prices; maturity
settles everyone by itself; a second chain goes overdue and defaults after grace."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from scf_api_support import OPERATOR, ScfServer, as_, error_reason, eventually, new_id, stub
from scf_fakes import MovableClock
from scf_world import World, cny

from ntb.events.v1 import anchor_events_pb2
from ntb.events.v1 import scf_exchange_events_pb2 as ev
from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CORE, CORE2 = str(uuid.uuid4()), str(uuid.uuid4())
T1A, T1B, T2 = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
F1, F2 = str(uuid.uuid4()), str(uuid.uuid4())


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[ScfServer]:
    scf = ScfServer(f"sqlite+aiosqlite:///{tmp_path / 'scf.db'}", MovableClock(START))
    scf.ratings.ratings.update({CORE: "AA", CORE2: "BBB"})
    for funder in (F1, F2):
        scf.ledger.deposit(funder, "CNY", 2_000_000_00)
    scf.ledger.deposit(CORE, "CNY", 1_000_000_00)
    await scf.start()
    yield scf
    await scf.stop()


async def build_alliance(world: World) -> str:
    alliance = await world.alliance("Auto parts")
    await world.join(alliance, CORE, pb.MEMBER_ROLE_CORE_ENTERPRISE)
    await world.join(alliance, CORE2, pb.MEMBER_ROLE_CORE_ENTERPRISE)
    for supplier in (T1A, T1B):
        await world.join(alliance, supplier, pb.MEMBER_ROLE_SUPPLIER)
    for funder in (F1, F2):
        await world.join(alliance, funder, pb.MEMBER_ROLE_FUNDER)
    # the tier-2 supplier applies; the core enterprise admits it
    applied = await world.api.ApplyForMembership(pb.ApplyForMembershipRequest(
        request_id=new_id(), alliance_id=alliance, applicant_id=T2,
        roles=[pb.MEMBER_ROLE_SUPPLIER], motivation="castings for T1A"), metadata=as_(T2))
    reviewed = await world.api.ReviewMembershipApplication(
        pb.ReviewMembershipApplicationRequest(
            request_id=new_id(), application_id=applied.application.application_id,
            approve=True), metadata=as_(CORE))
    assert reviewed.application.status == pb.APPLICATION_STATUS_APPROVED
    assert reviewed.member.member_id == T2
    return alliance


async def test_credit_shared_to_tier_two_financed_and_settled_at_maturity(
        server: ScfServer) -> None:
    async with grpc.aio.insecure_channel(server.target) as channel:
        world = World(stub(channel), START.date())
        alliance = await build_alliance(world)
        invoice = await world.invoice(buyer=CORE, seller=T1A, alliance_id=alliance,
                                      units=1_000_000_00)
        payable = await world.confirm(invoice)
        assert (payable.holder_id, payable.tier, payable.face.units) == (T1A, 1, 1_000_000_00)

        split = await world.api.TransferPayable(pb.TransferPayableRequest(
            request_id=new_id(), payable_id=payable.payable_id,
            splits=[pb.PayableSplit(recipient_id=T2, amount=cny(400_000_00))]),
            metadata=as_(T1A))
        tier2, kept = split.children
        assert (tier2.holder_id, tier2.tier, tier2.face.units) == (T2, 2, 400_000_00)
        assert (kept.holder_id, kept.tier, kept.face.units) == (T1A, 1, 600_000_00)
        assert split.payable.status == pb.PAYABLE_STATUS_SPLIT

        # T1A's piece: quote 0.0345 + AA 0.0060 + 90 days 0.0010 + short history 0.0020
        kept_financing = await world.finance(applicant=T1A, payable_id=kept.payable_id,
                                             units=600_000_00)
        assert kept_financing.indicative_quote.annual_rate.value == "0.0435"
        assert kept_financing.indicative_quote.days == 90
        assert kept_financing.indicative_quote.discount.units == 6_525_00
        await world.bid(kept_financing.financing_id, F2, "0.0430")
        f1_bid = await world.bid(kept_financing.financing_id, F1, "0.0420")
        with pytest.raises(grpc.aio.AioRpcError) as raised:  # the lowest-cost offer wins
            bids = await world.api.ListBids(pb.ListBidsRequest(
                financing_id=kept_financing.financing_id), metadata=as_(T1A))
            await world.accept(kept_financing, bids.bids[1].bid_id)
        assert error_reason(raised.value) == "BID_NOT_LOWEST_COST"
        funded = await world.accept(kept_financing, f1_bid.bid_id)
        # 600,000.00 x 0.0420 x 90 / 360 = 6,300.00
        assert (funded.funder_id, funded.discount.units, funded.advance.units) == (
            F1, 6_300_00, 593_700_00)

        # T2's piece on the core enterprise's credit: F1 accepts the quote, F2 bids lower
        tier2_financing = await world.finance(applicant=T2, payable_id=tier2.payable_id,
                                              units=400_000_00)
        await world.bid(tier2_financing.financing_id, F1, None)
        await world.bid(tier2_financing.financing_id, F2, "0.0410")
        funded2 = await world.accept(tier2_financing)  # empty bid id: the lowest cost
        # 400,000.00 x 0.0410 x 90 / 360 = 4,100.00
        assert (funded2.funder_id, funded2.discount.units, funded2.advance.units) == (
            F2, 4_100_00, 395_900_00)
        assert server.ledger.balance(T1A, "CNY") == 593_700_00
        assert server.ledger.balance(T2, "CNY") == 395_900_00

        server.clock.now = START + timedelta(days=90)  # maturity: the scheduler settles
        settled = await eventually(lambda: _all_settled(world, [
            funded.financing_id, funded2.financing_id]))
        assert [f.settlement_transfer_ids for f in settled] != [[], []]
        assert server.ledger.balance(CORE, "CNY") == 0
        assert server.ledger.balance(F1, "CNY") == 2_000_000_00 + 6_300_00
        assert server.ledger.balance(F2, "CNY") == 2_000_000_00 + 4_100_00
        assert server.ledger.total == {"CNY": 5_000_000_00}  # money is conserved
        paid = await world.api.GetInvoice(pb.GetInvoiceRequest(invoice_id=invoice.invoice_id),
                                          metadata=OPERATOR)
        assert paid.invoice.status == pb.INVOICE_STATUS_PAID

        graph = await world.api.GetTradeGraph(pb.GetTradeGraphRequest(alliance_id=alliance),
                                              metadata=as_(T2))
        assert len(graph.members) == 7
        assert [(e.kind, e.from_id, e.to_id, e.count, e.volume[0].units)
                for e in graph.edges] == [
            (pb.TRADE_EDGE_KIND_SUPPLY, CORE, T1A, 1, 1_000_000_00),
            (pb.TRADE_EDGE_KIND_CREDIT_SHARING, T1A, T2, 1, 400_000_00)]
        figures = await world.api.GetAnalytics(pb.GetAnalyticsRequest(), metadata=OPERATOR)
        (group,) = figures.by_alliance
        assert (group.group, group.funded_count, group.financed_volume[0].units,
                list(group.outstanding), list(group.defaulted)) == (
            alliance, 2, 1_000_000_00, [], [])
        assert [g.group for g in figures.by_chain_type] == ["CHAIN_TYPE_INDUSTRIAL"]

    types = await eventually(lambda: _types_once_published(server, "FinancingSettled", 2))
    assert types.count("ntb.events.v1.FinancingSettled") == 2
    assert types.count("ntb.events.v1.PayableSettled") == 2
    _check_anchors(server, payable, split)


async def _types_once_published(server: ScfServer, name: str, count: int
                                 ) -> list[str] | None:
    """The event types on the financing topic once `count` of `name` are out (the
    outbox relay publishes after the commit)."""
    types = [e.event_type for e in server.events("ntb.scf_exchange.financing.v1")]
    return types if types.count(f"ntb.events.v1.{name}") >= count else None


async def _all_settled(world: World, ids: list[str]) -> list[pb.Financing] | None:
    found = [await world.financing(i) for i in ids]
    return found if all(f.status == pb.FINANCING_STATUS_SETTLED for f in found) else None


def _check_anchors(server: ScfServer, root: pb.Payable,
                   split: pb.TransferPayableResponse) -> None:
    """Every confirmation and split asked laborcoin to anchor a digest that a verifier
    recomputes from the records scf-exchange serves."""
    anchors = {}
    for envelope in server.events("ntb.scf_exchange.anchor.v1"):
        message = anchor_events_pb2.AnchorRequested()
        message.ParseFromString(envelope.payload)
        anchors[message.anchor_id] = message
    assert set(anchors) == {root.anchor_id, split.children[0].anchor_id}
    children = [{"holder_id": c.holder_id, "payable_id": c.payable_id, "units": c.face.units}
                for c in split.children]
    body = {"asset": "CNY", "children": children, "maturity_date":
            f"{root.maturity_date.year:04d}-{root.maturity_date.month:02d}-"
            f"{root.maturity_date.day:02d}", "obligor_id": root.obligor_id,
            "operation": "split", "parent_payable_id": root.payable_id,
            "root_payable_id": root.payable_id}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    anchored = anchors[split.children[0].anchor_id]
    assert anchored.digest_sha256 == digest.digest() == split.children[0].anchor_digest_sha256
    assert anchored.source == "scf-exchange"
    assert anchored.subject == f"payable/{root.payable_id}/split/{root.payable_id}"


async def test_an_unpaid_chain_goes_overdue_then_defaults_after_grace(
        server: ScfServer) -> None:
    async with grpc.aio.insecure_channel(server.target) as channel:
        world = World(stub(channel), START.date())
        alliance = await build_alliance(world)
        invoice = await world.invoice(buyer=CORE2, seller=T1B, alliance_id=alliance,
                                      units=200_000_00, terms_days=30)
        payable = await world.confirm(invoice)
        financing = await world.finance(applicant=T1B, payable_id=payable.payable_id,
                                        units=200_000_00)
        await world.bid(financing.financing_id, F1, None)
        funded = await world.accept(financing)
        # quote: 0.0345 + BBB 0.0180 + 30 days 0 + short history 0.0020 = 0.0545
        assert funded.annual_rate.value == "0.0545"
        assert funded.discount.units == 908_33  # 200,000 x 0.0545 x 30 / 360 = 908.333..

        server.clock.now = START + timedelta(days=30)  # CORE2 has no money
        overdue = await eventually(lambda: _status(world, funded.financing_id,
                                                   pb.FINANCING_STATUS_OVERDUE))
        assert overdue.days_overdue == 0
        server.clock.now = START + timedelta(days=32)
        late = await eventually(lambda: _status(world, funded.financing_id,
                                                pb.FINANCING_STATUS_OVERDUE, days=2))
        assert late.late_fee.units == 200_00  # 200,000 x 0.18 x 2 / 360
        server.clock.now = START + timedelta(days=33)  # grace of 3 days is over
        defaulted = await eventually(lambda: _status(world, funded.financing_id,
                                                     pb.FINANCING_STATUS_DEFAULTED))
        assert defaulted.funder_id == F1
    await eventually(lambda: _types_once_published(server, "FinancingDefaulted", 1))
    events = server.events("ntb.scf_exchange.financing.v1")
    defaults = [e for e in events if e.event_type == "ntb.events.v1.FinancingDefaulted"]
    assert len(defaults) == 1
    message = ev.FinancingDefaulted()
    message.ParseFromString(defaults[0].payload)
    assert (message.obligor_id, message.funder_id, message.outstanding.units) == (
        CORE2, F1, 200_000_00)
    overdue_events = [e for e in events if e.event_type == "ntb.events.v1.PayableOverdue"]
    assert len(overdue_events) == 1  # once, not once per retry
    async with grpc.aio.insecure_channel(server.target) as channel:
        figures = await stub(channel).GetAnalytics(pb.GetAnalyticsRequest(), metadata=OPERATOR)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub(channel).GetAnalytics(pb.GetAnalyticsRequest(), metadata=as_(T1B))
        assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    (chain,) = figures.by_chain_type
    assert (chain.group, chain.defaulted_count, chain.defaulted[0].units) == (
        "CHAIN_TYPE_INDUSTRIAL", 1, 200_000_00)


async def _status(world: World, financing_id: str, status: int, days: int | None = None
                  ) -> pb.Financing | None:
    found = await world.financing(financing_id)
    if found.status != status or (days is not None and found.days_overdue != days):
        return None
    return found
