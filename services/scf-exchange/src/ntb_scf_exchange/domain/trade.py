"""Information flow: purchase orders and invoices (a seller's receivables)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from ntb_scf_exchange.domain.money import CONTEXT, Money, to_units
from ntbkit.errors import FailedPrecondition


class OrderStatus(enum.Enum):
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    FULFILLED = "FULFILLED"


class InvoiceStatus(enum.Enum):
    ISSUED = "ISSUED"
    CONFIRMED = "CONFIRMED"
    PAID = "PAID"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class OrderLine:
    sku: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Money


@dataclass(frozen=True)
class PurchaseOrder:
    purchase_order_id: str
    buyer_id: str
    seller_id: str
    alliance_id: str
    number: str
    lines: tuple[OrderLine, ...]
    delivery_date: date
    payment_terms_days: int
    status: OrderStatus
    created_at: datetime
    invoiced_units: int = 0
    reject_reason: str = ""

    @property
    def total(self) -> Money:
        return order_total(self.lines)

    def responded(self, *, accept: bool, reason: str) -> PurchaseOrder:
        if self.status is not OrderStatus.SUBMITTED:
            raise FailedPrecondition("ORDER_NOT_SUBMITTED", f"the order is {self.status.value}")
        status = OrderStatus.ACCEPTED if accept else OrderStatus.REJECTED
        return replace(self, status=status, reject_reason=reason)

    def invoiced(self, amount: Money) -> PurchaseOrder:
        """Invoices of an order never exceed its total; the last one fulfils it."""
        if self.status is not OrderStatus.ACCEPTED:
            raise FailedPrecondition("ORDER_NOT_ACCEPTED", f"the order is {self.status.value}")
        total = self.total
        if amount.asset != total.asset:
            raise FailedPrecondition("ASSET_MISMATCH", f"the order is in {total.asset}")
        invoiced = self.invoiced_units + amount.units
        if invoiced > total.units:
            raise FailedPrecondition("EXCEEDS_ORDER_TOTAL",
                                     f"invoices would total {invoiced} > {total.units}")
        status = OrderStatus.FULFILLED if invoiced == total.units else self.status
        return replace(self, invoiced_units=invoiced, status=status)


def order_total(lines: tuple[OrderLine, ...]) -> Money:
    """Sum of quantity x unit price, rounded half-even to the minor unit once."""
    asset = lines[0].unit_price.asset
    exact = sum((CONTEXT.multiply(line.quantity, Decimal(line.unit_price.units))
                 for line in lines), Decimal(0))
    return Money(asset, to_units(exact))


@dataclass(frozen=True)
class Invoice:
    invoice_id: str
    seller_id: str
    buyer_id: str
    purchase_order_id: str
    alliance_id: str
    number: str
    issue_date: date
    due_date: date
    amount: Money
    tax: Money
    document_name: str
    document_sha256: bytes
    status: InvoiceStatus
    created_at: datetime
    shipment_ids: tuple[str, ...] = ()

    def confirmed(self) -> Invoice:
        if self.status is not InvoiceStatus.ISSUED:
            raise FailedPrecondition("INVOICE_NOT_ISSUED", f"the invoice is {self.status.value}")
        return replace(self, status=InvoiceStatus.CONFIRMED)


def due_date(issue_date: date, terms_days: int) -> date:
    return issue_date + timedelta(days=terms_days)
