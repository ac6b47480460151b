"""Logistics flow: devices and warehouse receipts confirmed by their signed readings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ntb_scf_exchange.domain.alliances import Role
from ntb_scf_exchange.domain.logistics import (
    Attestation,
    Device,
    ReceiptStatus,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
    WarehouseReceipt,
    verify_attestation,
)
from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.domain.trade import OrderStatus
from ntb_scf_exchange.service.common import new_id, once
from ntb_scf_exchange.service.trade import order_of
from ntb_scf_exchange.service.unit_of_work import Clock, NewUnit, ScfUnitOfWork
from ntbkit.auth import Caller
from ntbkit.errors import FailedPrecondition, NotFound, PermissionDenied


@dataclass(frozen=True)
class RegisterDevice:
    request_id: str
    owner_id: str
    kind: str
    public_key: bytes


@dataclass(frozen=True)
class IssueReceipt:
    request_id: str
    warehouse_id: str
    depositor_id: str
    goods_description: str
    quantity: Decimal
    unit: str
    value: Money
    location: str
    attestation: Attestation


async def _require_role(unit: ScfUnitOfWork, principal_id: str, *roles: Role) -> None:
    memberships = await unit.members.find({"member_id": principal_id})
    if not any(m.has(r) for m in memberships for r in roles):
        raise FailedPrecondition("ROLE_MISSING", f"{principal_id} is no "
                                 f"{'/'.join(r.value for r in roles)} member of an alliance")


async def register_device(new_unit: NewUnit, command: RegisterDevice, caller: Caller,
                          clock: Clock) -> Device:
    caller.require_may_act_for(command.owner_id)

    async def perform(unit: ScfUnitOfWork) -> str:
        await _require_role(unit, command.owner_id, Role.WAREHOUSE, Role.LOGISTICS)
        if await unit.devices.find({"public_key": command.public_key.hex()}):
            raise FailedPrecondition("DEVICE_KEY_TAKEN", "this key is registered already")
        device = Device(new_id(), command.owner_id, command.kind, command.public_key, clock())
        await unit.devices.add(device)
        return device.device_id

    device_id = await once(new_unit, "RegisterDevice", command.request_id, command, perform)
    async with new_unit() as unit:
        found = await unit.devices.get(device_id)
    assert found is not None
    return found


async def issue_receipt(new_unit: NewUnit, command: IssueReceipt, caller: Caller,
                        clock: Clock) -> WarehouseReceipt:
    caller.require_may_act_for(command.warehouse_id)

    async def perform(unit: ScfUnitOfWork) -> str:
        await _require_role(unit, command.warehouse_id, Role.WAREHOUSE)
        now = clock()
        verify_attestation(await unit.devices.get(command.attestation.device_id),
                           command.attestation, owner_id=command.warehouse_id, now=now)
        receipt = WarehouseReceipt(
            receipt_id=new_id(), warehouse_id=command.warehouse_id,
            depositor_id=command.depositor_id, goods_description=command.goods_description,
            quantity=command.quantity, unit=command.unit, value=command.value,
            location=command.location, attestation=command.attestation,
            status=ReceiptStatus.ISSUED, issued_at=now)
        await unit.receipts.add(receipt)
        return receipt.receipt_id

    receipt_id = await once(new_unit, "IssueWarehouseReceipt", command.request_id, command,
                            perform)
    return await get_receipt(new_unit, receipt_id, caller)


async def receipt_of(unit: ScfUnitOfWork, receipt_id: str, *, for_update: bool = False
                     ) -> WarehouseReceipt:
    found = await unit.receipts.get(receipt_id, for_update=for_update)
    if found is None:
        raise NotFound("warehouse receipt", receipt_id)
    return found


async def release_receipt(new_unit: NewUnit, *, request_id: str, receipt_id: str,
                          caller: Caller, clock: Clock) -> WarehouseReceipt:
    async def perform(unit: ScfUnitOfWork) -> str:
        receipt = await receipt_of(unit, receipt_id, for_update=True)
        caller.require_may_act_for(receipt.warehouse_id)
        await unit.receipts.save(receipt.released(clock()))
        return receipt_id

    await once(new_unit, "ReleaseWarehouseReceipt", request_id, {"receipt_id": receipt_id},
               perform)
    return await get_receipt(new_unit, receipt_id, caller)


async def get_receipt(new_unit: NewUnit, receipt_id: str, caller: Caller) -> WarehouseReceipt:
    async with new_unit() as unit:
        receipt = await receipt_of(unit, receipt_id)
        parties = {receipt.warehouse_id, receipt.depositor_id}
        if receipt.financing_id:
            financing = await unit.financings.get(receipt.financing_id)
            if financing is not None:
                parties.add(financing.funder_id)
    if not caller.privileged and caller.subject not in parties:
        raise PermissionDenied("only the warehouse, the depositor and its funder see it")
    return receipt


@dataclass(frozen=True)
class RecordShipment:
    request_id: str
    purchase_order_id: str
    carrier_id: str
    goods_description: str
    quantity: Decimal
    unit: str
    origin: str
    destination: str


async def record_shipment(new_unit: NewUnit, command: RecordShipment, caller: Caller,
                          clock: Clock) -> Shipment:
    async def perform(unit: ScfUnitOfWork) -> str:
        order = await order_of(unit, command.purchase_order_id)
        caller.require_may_act_for(order.seller_id)
        if order.status not in (OrderStatus.ACCEPTED, OrderStatus.FULFILLED):
            raise FailedPrecondition("ORDER_NOT_ACCEPTED", f"the order is {order.status.value}")
        await _require_role(unit, command.carrier_id, Role.LOGISTICS)
        shipment = Shipment(
            shipment_id=new_id(), purchase_order_id=order.purchase_order_id,
            shipper_id=order.seller_id, carrier_id=command.carrier_id,
            consignee_id=order.buyer_id, goods_description=command.goods_description,
            quantity=command.quantity, unit=command.unit, origin=command.origin,
            destination=command.destination, status=ShipmentStatus.BOOKED,
            created_at=clock())
        await unit.shipments.add(shipment)
        return shipment.shipment_id

    shipment_id = await once(new_unit, "RecordShipment", command.request_id, command, perform)
    return await get_shipment(new_unit, shipment_id, caller)


async def record_shipment_event(new_unit: NewUnit, *, request_id: str, shipment_id: str,
                                event: ShipmentEvent, caller: Caller, clock: Clock
                                ) -> Shipment:
    async def perform(unit: ScfUnitOfWork) -> str:
        shipment = await shipment_of(unit, shipment_id, for_update=True)
        caller.require_may_act_for(shipment.carrier_id)
        if event.attestation is not None:
            verify_attestation(await unit.devices.get(event.attestation.device_id),
                               event.attestation, owner_id=shipment.carrier_id, now=clock())
        await unit.shipments.save(shipment.with_event(event))
        return shipment_id

    await once(new_unit, "RecordShipmentEvent", request_id,
               {"shipment_id": shipment_id, "event": event}, perform)
    return await get_shipment(new_unit, shipment_id, caller)


async def shipment_of(unit: ScfUnitOfWork, shipment_id: str, *, for_update: bool = False
                      ) -> Shipment:
    found = await unit.shipments.get(shipment_id, for_update=for_update)
    if found is None:
        raise NotFound("shipment", shipment_id)
    return found


async def get_shipment(new_unit: NewUnit, shipment_id: str, caller: Caller) -> Shipment:
    async with new_unit() as unit:
        found = await shipment_of(unit, shipment_id)
    if not caller.privileged and caller.subject not in (found.shipper_id, found.carrier_id,
                                                        found.consignee_id):
        raise PermissionDenied("only the shipper, the carrier and the consignee see it")
    return found
