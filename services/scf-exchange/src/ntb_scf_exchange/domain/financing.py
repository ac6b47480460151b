"""Financings: a request on collateral, funders' bids, the lowest-cost accepted offer,
then funding, settlement at maturity, overdue and default."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.domain.pricing import Quote
from ntbkit.errors import FailedPrecondition


class Product(enum.Enum):
    REVERSE_FACTORING = "REVERSE_FACTORING"
    FACTORING_WITH_RECOURSE = "FACTORING_WITH_RECOURSE"
    FACTORING_WITHOUT_RECOURSE = "FACTORING_WITHOUT_RECOURSE"
    RECEIVABLES_PLEDGE = "RECEIVABLES_PLEDGE"
    PURCHASE_ORDER = "PURCHASE_ORDER"
    WAREHOUSE_RECEIPT = "WAREHOUSE_RECEIPT"
    LETTER_OF_CREDIT_DISCOUNTING = "LETTER_OF_CREDIT_DISCOUNTING"
    BUYERS_CREDIT = "BUYERS_CREDIT"
    SELLERS_CREDIT = "SELLERS_CREDIT"
    REVERSE_FACTORING_SOFT = "REVERSE_FACTORING_SOFT"


class CollateralKind(enum.Enum):
    PAYABLE = "payable_id"
    INVOICE = "invoice_id"
    PURCHASE_ORDER = "purchase_order_id"
    WAREHOUSE_RECEIPT = "warehouse_receipt_id"
    LETTER_OF_CREDIT = "letter_of_credit_id"


# Which collateral each product rests on.
PRODUCT_COLLATERAL = {
    Product.REVERSE_FACTORING: CollateralKind.PAYABLE,
    Product.RECEIVABLES_PLEDGE: CollateralKind.PAYABLE,
    Product.FACTORING_WITH_RECOURSE: CollateralKind.INVOICE,
    Product.FACTORING_WITHOUT_RECOURSE: CollateralKind.INVOICE,
    Product.REVERSE_FACTORING_SOFT: CollateralKind.INVOICE,
    Product.SELLERS_CREDIT: CollateralKind.INVOICE,
    Product.PURCHASE_ORDER: CollateralKind.PURCHASE_ORDER,
    Product.BUYERS_CREDIT: CollateralKind.PURCHASE_ORDER,
    Product.WAREHOUSE_RECEIPT: CollateralKind.WAREHOUSE_RECEIPT,
    Product.LETTER_OF_CREDIT_DISCOUNTING: CollateralKind.LETTER_OF_CREDIT,
}
WITH_RECOURSE = frozenset({Product.FACTORING_WITH_RECOURSE, Product.REVERSE_FACTORING_SOFT,
                           Product.RECEIVABLES_PLEDGE})


class FinancingStatus(enum.Enum):
    OPEN = "OPEN"
    FUNDED = "FUNDED"
    SETTLED = "SETTLED"
    OVERDUE = "OVERDUE"
    DEFAULTED = "DEFAULTED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class BidStatus(enum.Enum):
    OPEN = "OPEN"
    ACCEPTED = "ACCEPTED"
    LOST = "LOST"
    WITHDRAWN = "WITHDRAWN"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class Bid:
    bid_id: str
    financing_id: str
    funder_id: str
    annual_rate: Decimal
    discount: Money
    advance: Money  # in the disbursement asset
    expires_at: datetime
    status: BidStatus
    created_at: datetime


@dataclass(frozen=True)
class FxUsed:
    rate: Decimal  # disbursement units per collateral unit
    ref: str  # which fx-model rate: model, countries, year, data set


@dataclass(frozen=True)
class Financing:
    financing_id: str
    product: Product
    applicant_id: str
    collateral_kind: CollateralKind
    collateral_id: str
    obligor_id: str
    face: Money
    requested_amount: Money
    maturity_date: date
    disbursement_asset: str
    alliance_id: str
    chain_type: str
    bidding_closes_at: datetime
    status: FinancingStatus
    quote: Quote
    created_at: datetime
    accepted_bid_id: str = ""
    funder_id: str = ""
    annual_rate: Decimal | None = None
    discount: Money | None = None
    advance: Money | None = None
    fx: FxUsed | None = None
    funding_transfer_ids: tuple[str, ...] = ()
    settlement_transfer_ids: tuple[str, ...] = ()
    funded_at: datetime | None = None
    closed_at: datetime | None = None
    late_fee: Money | None = None
    days_overdue: int = 0
    default_reason: str = ""
    disbursement_payee_id: str = ""  # the seller for buyer's credit; else the applicant
    recourse_transfer_id: str = ""

    @property
    def with_recourse(self) -> bool:
        return self.product in WITH_RECOURSE

    @property
    def advance_rate(self) -> Decimal:
        return self.quote.advance_rate

    def require(self, *statuses: FinancingStatus) -> None:
        if self.status not in statuses:
            raise FailedPrecondition(f"FINANCING_NOT_{statuses[0].value}",
                                     f"the financing is {self.status.value}")

    def funded(self, bid: Bid, *, fx: FxUsed | None, transfer_id: str, at: datetime
               ) -> Financing:
        self.require(FinancingStatus.OPEN)
        return replace(self, status=FinancingStatus.FUNDED, accepted_bid_id=bid.bid_id,
                       funder_id=bid.funder_id, annual_rate=bid.annual_rate,
                       discount=bid.discount, advance=bid.advance, fx=fx,
                       funding_transfer_ids=(transfer_id,), funded_at=at)

    def settled(self, *, transfer_ids: tuple[str, ...], late_fee: Money, days_overdue: int,
                at: datetime) -> Financing:
        self.require(FinancingStatus.FUNDED, FinancingStatus.OVERDUE)
        return replace(self, status=FinancingStatus.SETTLED, settlement_transfer_ids=transfer_ids,
                       late_fee=late_fee, days_overdue=days_overdue, closed_at=at)

    def overdue(self, *, days: int, late_fee: Money) -> Financing:
        self.require(FinancingStatus.FUNDED, FinancingStatus.OVERDUE)
        return replace(self, status=FinancingStatus.OVERDUE, days_overdue=days, late_fee=late_fee)

    def defaulted(self, *, reason: str, at: datetime) -> Financing:
        self.require(FinancingStatus.OVERDUE)
        return replace(self, status=FinancingStatus.DEFAULTED, default_reason=reason,
                       closed_at=at)


def lowest_cost(bids: list[Bid], now: datetime) -> Bid | None:
    """The winning offer: the lowest rate among open, unexpired bids; ties go to the
    earliest bid (it was on the table first)."""
    standing = [b for b in bids if b.status is BidStatus.OPEN and b.expires_at > now]
    if not standing:
        return None
    return min(standing, key=lambda b: (b.annual_rate, b.created_at, b.bid_id))
