"""Information flow: purchase orders and invoices (with their currency)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.domain.trade import (
    Invoice,
    InvoiceStatus,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    due_date,
)
from ntb_scf_exchange.service.common import new_id, once
from ntb_scf_exchange.service.unit_of_work import Clock, NewUnit, ScfUnitOfWork
from ntbkit.auth import Caller
from ntbkit.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)


@dataclass(frozen=True)
class SubmitOrder:
    request_id: str
    buyer_id: str
    seller_id: str
    alliance_id: str
    number: str
    lines: tuple[OrderLine, ...]
    delivery_date: date
    payment_terms_days: int


@dataclass(frozen=True)
class IssueInvoice:
    request_id: str
    purchase_order_id: str
    number: str
    issue_date: date
    due_date: date | None
    amount: Money
    tax: Money | None
    document_name: str
    document_sha256: bytes
    shipment_ids: tuple[str, ...] = ()


async def order_of(unit: ScfUnitOfWork, order_id: str, *, for_update: bool = False
                   ) -> PurchaseOrder:
    found = await unit.orders.get(order_id, for_update=for_update)
    if found is None:
        raise NotFound("purchase order", order_id)
    return found


async def invoice_of(unit: ScfUnitOfWork, invoice_id: str, *, for_update: bool = False
                     ) -> Invoice:
    found = await unit.invoices.get(invoice_id, for_update=for_update)
    if found is None:
        raise NotFound("invoice", invoice_id)
    return found


async def submit_order(new_unit: NewUnit, command: SubmitOrder, caller: Caller,
                       clock: Clock) -> PurchaseOrder:
    caller.require_may_act_for(command.buyer_id)
    if command.delivery_date < clock().date():
        raise InvalidArgument([FieldViolation("delivery_date", "must not be in the past")])

    async def perform(unit: ScfUnitOfWork) -> str:
        if command.alliance_id:
            for party in (command.buyer_id, command.seller_id):
                if await unit.members.get(command.alliance_id, party) is None:
                    raise FailedPrecondition("NOT_ALLIANCE_MEMBER",
                                             f"{party} is not a member of the alliance")
        if await unit.orders.find({"buyer_id": command.buyer_id, "number": command.number}):
            raise FailedPrecondition("ORDER_NUMBER_TAKEN", "the buyer already used this number")
        order = PurchaseOrder(
            purchase_order_id=new_id(), buyer_id=command.buyer_id, seller_id=command.seller_id,
            alliance_id=command.alliance_id, number=command.number, lines=command.lines,
            delivery_date=command.delivery_date, payment_terms_days=command.payment_terms_days,
            status=OrderStatus.SUBMITTED, created_at=clock())
        await unit.orders.add(order)
        return order.purchase_order_id

    order_id = await once(new_unit, "SubmitPurchaseOrder", command.request_id, command, perform)
    return await get_order(new_unit, order_id, caller)


async def respond(new_unit: NewUnit, *, request_id: str, order_id: str, accept: bool,
                  reason: str, caller: Caller) -> PurchaseOrder:
    async def perform(unit: ScfUnitOfWork) -> str:
        order = await order_of(unit, order_id, for_update=True)
        caller.require_may_act_for(order.seller_id)
        await unit.orders.save(order.responded(accept=accept, reason=reason))
        return order_id

    await once(new_unit, "RespondToPurchaseOrder", request_id,
               {"order_id": order_id, "accept": accept, "reason": reason}, perform)
    return await get_order(new_unit, order_id, caller)


async def get_order(new_unit: NewUnit, order_id: str, caller: Caller) -> PurchaseOrder:
    async with new_unit() as unit:
        order = await order_of(unit, order_id)
    if not caller.privileged and caller.subject not in (order.buyer_id, order.seller_id):
        raise PermissionDenied("only the buyer and the seller see the order")
    return order


async def issue_invoice(new_unit: NewUnit, command: IssueInvoice, caller: Caller,
                        clock: Clock) -> Invoice:
    async def perform(unit: ScfUnitOfWork) -> str:
        order = await order_of(unit, command.purchase_order_id, for_update=True)
        caller.require_may_act_for(order.seller_id)
        if await unit.invoices.find({"seller_id": order.seller_id, "number": command.number}):
            raise FailedPrecondition("INVOICE_NUMBER_TAKEN",
                                     "the seller already used this number")
        for shipment_id in command.shipment_ids:
            shipment = await unit.shipments.get(shipment_id)
            if shipment is None or shipment.purchase_order_id != order.purchase_order_id:
                raise FailedPrecondition("SHIPMENT_NOT_OF_ORDER",
                                         f"shipment {shipment_id} is not of this order")
        await unit.orders.save(order.invoiced(command.amount))
        due = command.due_date or due_date(command.issue_date, order.payment_terms_days)
        invoice = Invoice(
            invoice_id=new_id(), seller_id=order.seller_id, buyer_id=order.buyer_id,
            purchase_order_id=order.purchase_order_id, alliance_id=order.alliance_id,
            number=command.number, issue_date=command.issue_date, due_date=due,
            amount=command.amount, tax=command.tax or Money.zero(command.amount.asset),
            document_name=command.document_name, document_sha256=command.document_sha256,
            status=InvoiceStatus.ISSUED, created_at=clock(), shipment_ids=command.shipment_ids)
        await unit.invoices.add(invoice)
        return invoice.invoice_id

    invoice_id = await once(new_unit, "IssueInvoice", command.request_id, command, perform)
    return await get_invoice(new_unit, invoice_id, caller)


async def get_invoice(new_unit: NewUnit, invoice_id: str, caller: Caller) -> Invoice:
    async with new_unit() as unit:
        invoice = await invoice_of(unit, invoice_id)
    if not caller.privileged and caller.subject not in (invoice.buyer_id, invoice.seller_id):
        raise PermissionDenied("only the buyer and the seller see the invoice")
    return invoice


async def list_invoices(new_unit: NewUnit, *, seller_id: str, buyer_id: str,
                        status: InvoiceStatus | None, caller: Caller, offset: int, limit: int
                        ) -> list[Invoice]:
    if not caller.privileged and caller.subject not in (seller_id, buyer_id):
        raise PermissionDenied("list your own invoices (seller_id or buyer_id)")
    where: dict[str, object] = {}
    if seller_id:
        where["seller_id"] = seller_id
    if buyer_id:
        where["buyer_id"] = buyer_id
    if status is not None:
        where["status"] = status.value
    async with new_unit() as unit:
        return await unit.invoices.find(where, order=("-created_at", "invoice_id"),
                                        offset=offset, limit=limit)
