"""TraceTrade: the three flows of one purchase order side by side - its shipments
(logistics), its invoices and the payables descending from them (information, credit),
the financings resting on any of them and every ledger transfer (capital)."""

from __future__ import annotations

from dataclasses import dataclass

from ntb_scf_exchange.domain.financing import Financing
from ntb_scf_exchange.domain.logistics import Shipment
from ntb_scf_exchange.domain.payables import Payable
from ntb_scf_exchange.domain.trade import Invoice, PurchaseOrder
from ntb_scf_exchange.service.trade import order_of
from ntb_scf_exchange.service.unit_of_work import NewUnit
from ntbkit.auth import Caller
from ntbkit.errors import PermissionDenied


@dataclass(frozen=True)
class Trace:
    order: PurchaseOrder
    shipments: list[Shipment]
    invoices: list[Invoice]
    payables: list[Payable]
    financings: list[Financing]
    transfer_ids: list[str]


async def trace(new_unit: NewUnit, order_id: str, caller: Caller) -> Trace:
    async with new_unit() as unit:
        order = await order_of(unit, order_id)
        shipments = await unit.shipments.find({"purchase_order_id": order_id},
                                              order=("created_at",))
        invoices = await unit.invoices.find({"purchase_order_id": order_id},
                                            order=("created_at",))
        payables: list[Payable] = []
        for invoice in invoices:
            roots = [p for p in await unit.payables.find(
                {"obligor_id": invoice.buyer_id, "parent_payable_id": ""})
                if p.invoice_id == invoice.invoice_id]
            for root in roots:
                payables += await unit.payables.find({"root_payable_id": root.payable_id},
                                                     order=("created_at", "payable_id"))
        collateral = [order_id, *(i.invoice_id for i in invoices),
                      *(p.payable_id for p in payables)]
        financings = await unit.financings.find({"collateral_id": collateral},
                                                order=("created_at",))
    parties = {order.buyer_id, order.seller_id} | {f.funder_id for f in financings}
    if not caller.privileged and caller.subject not in parties:
        raise PermissionDenied("only the parties and their funders trace the order")
    transfers = [t for f in sorted(financings, key=lambda f: f.funded_at or f.created_at)
                 for t in (*f.funding_transfer_ids, *f.settlement_transfer_ids)]
    return Trace(order, shipments, invoices, payables, financings, transfers)
