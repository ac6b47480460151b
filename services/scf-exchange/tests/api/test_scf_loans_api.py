"""Loans over gRPC: warehouse-receipt financing (the receipt confirmed only with a
signed reading from a registered warehouse device, pledged while financed, released
after repayment), purchase-order financing, and buyer's credit paid to the seller."""

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
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from scf_api_support import ScfServer, as_, error_reason, eventually, new_id, stub
from scf_fakes import MovableClock
from scf_world import World, cny, pdate

from ntb.common.v1 import common_pb2
from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb
from ntbkit.timestamps import to_timestamp

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WAREHOUSE, DEPOSITOR, FUNDER, BUYER, CARRIER = (str(uuid.uuid4()) for _ in range(5))
DEVICE_KEY = Ed25519PrivateKey.generate()


@pytest_asyncio.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[ScfServer, World]]:
    scf = ScfServer(f"sqlite+aiosqlite:///{tmp_path / 'scf.db'}", MovableClock(START))
    scf.ledger.deposit(FUNDER, "CNY", 1_000_000_00)
    scf.ledger.deposit(DEPOSITOR, "CNY", 10_000_00)
    scf.ledger.deposit(BUYER, "CNY", 10_000_00)
    await scf.start()
    async with grpc.aio.insecure_channel(scf.target) as channel:
        w = World(stub(channel), START.date())
        alliance = await w.alliance("Grain")
        await w.join(alliance, WAREHOUSE, pb.MEMBER_ROLE_WAREHOUSE)
        await w.join(alliance, CARRIER, pb.MEMBER_ROLE_LOGISTICS)
        await w.join(alliance, DEPOSITOR, pb.MEMBER_ROLE_SUPPLIER)
        await w.join(alliance, BUYER, pb.MEMBER_ROLE_DISTRIBUTOR)
        await w.join(alliance, FUNDER, pb.MEMBER_ROLE_FUNDER)
        yield scf, w
    await scf.stop()


def reading(device_id: str, key: Ed25519PrivateKey = DEVICE_KEY) -> pb.DeviceAttestation:
    payload = json.dumps({"seal": "S-77", "weight_kg": "20000.5"}, sort_keys=True,
                         separators=(",", ":")).encode()
    return pb.DeviceAttestation(device_id=device_id, payload=payload,
                                signature=key.sign(hashlib.sha256(payload).digest()),
                                measured_at=to_timestamp(START - timedelta(minutes=5)))


def receipt_request(attestation: pb.DeviceAttestation) -> pb.IssueWarehouseReceiptRequest:
    return pb.IssueWarehouseReceiptRequest(
        request_id=new_id(), warehouse_id=WAREHOUSE, depositor_id=DEPOSITOR,
        goods_description="wheat", quantity=common_pb2.Decimal(value="20000.5"), unit="KGM",
        value=cny(100_000_00), location="Silo 4, Zhengzhou", attestation=attestation)


async def test_warehouse_receipt_needs_a_signed_reading_and_backs_a_loan(
        world: tuple[ScfServer, World]) -> None:
    scf, w = world
    public = DEVICE_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    device = (await w.api.RegisterDevice(pb.RegisterDeviceRequest(
        request_id=new_id(), owner_id=WAREHOUSE, kind="weighbridge", public_key=public),
        metadata=as_(WAREHOUSE))).device
    carriers = (await w.api.RegisterDevice(pb.RegisterDeviceRequest(
        request_id=new_id(), owner_id=CARRIER, kind="gps-tracker",
        public_key=Ed25519PrivateKey.generate().public_key().public_bytes(
            Encoding.Raw, PublicFormat.Raw)), metadata=as_(CARRIER))).device

    forged = reading(device.device_id, Ed25519PrivateKey.generate())
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await w.api.IssueWarehouseReceipt(receipt_request(forged), metadata=as_(WAREHOUSE))
    assert error_reason(raised.value) == "ATTESTATION_INVALID"
    with pytest.raises(grpc.aio.AioRpcError) as raised:  # another party's device
        await w.api.IssueWarehouseReceipt(receipt_request(reading(carriers.device_id)),
                                          metadata=as_(WAREHOUSE))
    assert error_reason(raised.value) == "DEVICE_NOT_REGISTERED"
    receipt = (await w.api.IssueWarehouseReceipt(receipt_request(reading(device.device_id)),
                                                 metadata=as_(WAREHOUSE))).receipt
    assert receipt.status == pb.WAREHOUSE_RECEIPT_STATUS_ISSUED

    maturity = pdate(START.date() + timedelta(days=60))
    with pytest.raises(grpc.aio.AioRpcError) as raised:  # above 70% of the goods' value
        await w.api.RequestFinancing(pb.RequestFinancingRequest(
            request_id=new_id(), product=pb.FINANCING_PRODUCT_WAREHOUSE_RECEIPT,
            applicant_id=DEPOSITOR, collateral=pb.Collateral(
                warehouse_receipt_id=receipt.receipt_id),
            requested_amount=cny(70_000_01), maturity_date=maturity), metadata=as_(DEPOSITOR))
    assert error_reason(raised.value) == "REQUESTED_AMOUNT_INVALID"
    financing = (await w.api.RequestFinancing(pb.RequestFinancingRequest(
        request_id=new_id(), product=pb.FINANCING_PRODUCT_WAREHOUSE_RECEIPT,
        applicant_id=DEPOSITOR, collateral=pb.Collateral(warehouse_receipt_id=receipt.receipt_id),
        requested_amount=cny(70_000_00), maturity_date=maturity), metadata=as_(DEPOSITOR))
                 ).financing
    assert financing.obligor_id == DEPOSITOR  # a loan: the borrower repays
    await w.bid(financing.financing_id, FUNDER, "0.06")
    funded = await w.accept(financing)
    assert (funded.discount.units, funded.advance.units) == (700_00, 69_300_00)  # x.06x60/360
    pledged = (await w.api.GetWarehouseReceipt(pb.GetWarehouseReceiptRequest(
        receipt_id=receipt.receipt_id), metadata=as_(FUNDER))).receipt
    assert (pledged.status, pledged.financing_id) == (pb.WAREHOUSE_RECEIPT_STATUS_PLEDGED,
                                                      funded.financing_id)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await w.api.ReleaseWarehouseReceipt(pb.ReleaseWarehouseReceiptRequest(
            request_id=new_id(), receipt_id=receipt.receipt_id), metadata=as_(WAREHOUSE))
    assert error_reason(raised.value) == "RECEIPT_NOT_ISSUED"

    scf.clock.now = START + timedelta(days=60)

    async def repaid() -> bool:
        return (await w.financing(funded.financing_id)).status == pb.FINANCING_STATUS_SETTLED

    await eventually(repaid)
    assert scf.ledger.balance(DEPOSITOR, "CNY") == 10_000_00 + 69_300_00 - 70_000_00
    released = (await w.api.ReleaseWarehouseReceipt(pb.ReleaseWarehouseReceiptRequest(
        request_id=new_id(), receipt_id=receipt.receipt_id), metadata=as_(WAREHOUSE))).receipt
    assert released.status == pb.WAREHOUSE_RECEIPT_STATUS_RELEASED


async def test_buyers_credit_pays_the_seller_and_the_buyer_repays(
        world: tuple[ScfServer, World]) -> None:
    scf, w = world
    order = await w.api.SubmitPurchaseOrder(pb.SubmitPurchaseOrderRequest(
        request_id=new_id(), buyer_id=BUYER, seller_id=DEPOSITOR, number="PO-77",
        lines=[pb.OrderLine(sku="W", description="wheat", quantity=common_pb2.Decimal(
            value="2"), unit="TNE", unit_price=cny(25_000_00))],
        delivery_date=pdate(START.date() + timedelta(days=5))), metadata=as_(BUYER))
    po_id = order.purchase_order.purchase_order_id
    await w.api.RespondToPurchaseOrder(pb.RespondToPurchaseOrderRequest(
        request_id=new_id(), purchase_order_id=po_id, accept=True), metadata=as_(DEPOSITOR))
    maturity = pdate(START.date() + timedelta(days=30))
    credit = (await w.api.RequestFinancing(pb.RequestFinancingRequest(
        request_id=new_id(), product=pb.FINANCING_PRODUCT_BUYERS_CREDIT, applicant_id=BUYER,
        collateral=pb.Collateral(purchase_order_id=po_id), requested_amount=cny(50_000_00),
        maturity_date=maturity), metadata=as_(BUYER))).financing
    await w.bid(credit.financing_id, FUNDER, "0.072")
    funded = await w.accept(credit)
    assert (funded.discount.units, funded.advance.units) == (300_00, 49_700_00)
    assert scf.ledger.balance(DEPOSITOR, "CNY") == 10_000_00 + 49_700_00  # the seller is paid
    scf.ledger.deposit(BUYER, "CNY", 40_000_00)
    scf.clock.now = START + timedelta(days=30)

    async def repaid() -> bool:
        return (await w.financing(funded.financing_id)).status == pb.FINANCING_STATUS_SETTLED

    await eventually(repaid)
    assert scf.ledger.balance(BUYER, "CNY") == 0
    assert scf.ledger.balance(FUNDER, "CNY") == 1_000_000_00 + 300_00
    with pytest.raises(grpc.aio.AioRpcError) as raised:  # PO financing: 70% of the order
        await w.api.RequestFinancing(pb.RequestFinancingRequest(
            request_id=new_id(), product=pb.FINANCING_PRODUCT_PURCHASE_ORDER,
            applicant_id=DEPOSITOR, collateral=pb.Collateral(purchase_order_id=po_id),
            requested_amount=cny(35_000_01), maturity_date=maturity), metadata=as_(DEPOSITOR))
    assert error_reason(raised.value) == "REQUESTED_AMOUNT_INVALID"
    po_loan = (await w.api.RequestFinancing(pb.RequestFinancingRequest(
        request_id=new_id(), product=pb.FINANCING_PRODUCT_PURCHASE_ORDER,
        applicant_id=DEPOSITOR, collateral=pb.Collateral(purchase_order_id=po_id),
        requested_amount=cny(35_000_00), maturity_date=pdate(START.date() + timedelta(
            days=60))), metadata=as_(DEPOSITOR))).financing
    assert po_loan.obligor_id == DEPOSITOR


async def test_shipment_steps_need_readings_and_the_trade_traces(
        world: tuple[ScfServer, World]) -> None:
    _, w = world
    public = DEVICE_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    tracker = (await w.api.RegisterDevice(pb.RegisterDeviceRequest(
        request_id=new_id(), owner_id=CARRIER, kind="gps-tracker", public_key=public),
        metadata=as_(CARRIER))).device
    order = await w.api.SubmitPurchaseOrder(pb.SubmitPurchaseOrderRequest(
        request_id=new_id(), buyer_id=BUYER, seller_id=DEPOSITOR, number="PO-9",
        lines=[pb.OrderLine(sku="W", description="wheat", quantity=common_pb2.Decimal(
            value="1"), unit="TNE", unit_price=cny(20_000_00))],
        delivery_date=pdate(START.date() + timedelta(days=5)), payment_terms_days=30),
        metadata=as_(BUYER))
    po_id = order.purchase_order.purchase_order_id
    await w.api.RespondToPurchaseOrder(pb.RespondToPurchaseOrderRequest(
        request_id=new_id(), purchase_order_id=po_id, accept=True), metadata=as_(DEPOSITOR))
    shipment = (await w.api.RecordShipment(pb.RecordShipmentRequest(
        request_id=new_id(), purchase_order_id=po_id, carrier_id=CARRIER,
        goods_description="wheat", quantity=common_pb2.Decimal(value="1"), unit="TNE",
        origin="CNZGZ", destination="CNSHA"), metadata=as_(DEPOSITOR))).shipment

    def step(status: int, attested: bool) -> pb.RecordShipmentEventRequest:
        event = pb.ShipmentEvent(status=status, location="CNZGZ",
                                 occurred_at=to_timestamp(START))
        if attested:
            event.attestation.CopyFrom(reading(tracker.device_id))
        return pb.RecordShipmentEventRequest(request_id=new_id(),
                                             shipment_id=shipment.shipment_id, event=event)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await w.api.RecordShipmentEvent(step(pb.SHIPMENT_STATUS_PICKED_UP, False),
                                        metadata=as_(CARRIER))
    assert error_reason(raised.value) == "ATTESTATION_REQUIRED"
    await w.api.RecordShipmentEvent(step(pb.SHIPMENT_STATUS_PICKED_UP, True),
                                    metadata=as_(CARRIER))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await w.api.RecordShipmentEvent(step(pb.SHIPMENT_STATUS_BOOKED, False),
                                        metadata=as_(CARRIER))
    assert error_reason(raised.value) == "STATUS_NOT_FORWARD"
    delivered = (await w.api.RecordShipmentEvent(step(pb.SHIPMENT_STATUS_DELIVERED, True),
                                                 metadata=as_(CARRIER))).shipment
    assert [e.status for e in delivered.events] == [pb.SHIPMENT_STATUS_PICKED_UP,
                                                    pb.SHIPMENT_STATUS_DELIVERED]
    invoice = await w.api.IssueInvoice(pb.IssueInvoiceRequest(
        request_id=new_id(), purchase_order_id=po_id, number="INV-9",
        issue_date=pdate(START.date()), amount=cny(20_000_00),
        document=common_pb2.DocumentHash(name="inv.pdf", sha256=bytes(32)),
        shipment_ids=[shipment.shipment_id]), metadata=as_(DEPOSITOR))
    assert list(invoice.invoice.shipment_ids) == [shipment.shipment_id]
    financing = await w.finance(applicant=DEPOSITOR, invoice_id=invoice.invoice.invoice_id,
                                product=pb.FINANCING_PRODUCT_FACTORING_WITHOUT_RECOURSE,
                                units=20_000_00)
    await w.bid(financing.financing_id, FUNDER, None)
    funded = await w.accept(financing)
    traced = await w.api.TraceTrade(pb.TraceTradeRequest(purchase_order_id=po_id),
                                    metadata=as_(FUNDER))
    assert [s.shipment_id for s in traced.shipments] == [shipment.shipment_id]
    assert [i.invoice_id for i in traced.invoices] == [invoice.invoice.invoice_id]
    assert [f.financing_id for f in traced.financings] == [funded.financing_id]
    assert list(traced.transfer_ids) == list(funded.funding_transfer_ids)
