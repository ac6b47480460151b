"""A small supply chain driven through scf-exchange's public API: alliances and
members, orders, invoices, confirmations, splits, financings with bids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from scf_api_support import OPERATOR, as_, new_id

from ntb.common.v1 import common_pb2
from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb
from ntb.scf_exchange.v1 import scf_exchange_pb2_grpc


def cny(units: int, asset: str = "CNY") -> common_pb2.Money:
    return common_pb2.Money(asset=asset, units=units)


def pdate(day: date) -> common_pb2.Date:
    return common_pb2.Date(year=day.year, month=day.month, day=day.day)


@dataclass
class World:
    api: scf_exchange_pb2_grpc.ScfExchangeServiceStub
    today: date
    metadata: tuple[tuple[str, str], ...] | None = None  # set: every call as this caller

    def as_(self, subject: str) -> tuple[tuple[str, str], ...]:
        return self.metadata or as_(subject)

    @property
    def operator(self) -> tuple[tuple[str, str], ...]:
        return self.metadata or OPERATOR

    async def alliance(self, name: str, *, countries: tuple[str, ...] = ("CN",),
                       chain: int = pb.CHAIN_TYPE_INDUSTRIAL, parent: str = "") -> str:
        scope = pb.ALLIANCE_SCOPE_DOMESTIC if len(countries) == 1 else (
            pb.ALLIANCE_SCOPE_CROSS_BORDER)
        made = await self.api.CreateAlliance(pb.CreateAllianceRequest(
            request_id=new_id(), name=name, scope=scope, chain_type=chain,
            parent_alliance_id=parent, countries=list(countries)), metadata=self.operator)
        return str(made.alliance.alliance_id)

    async def join(self, alliance_id: str, member_id: str, *roles: int) -> None:
        await self.api.AddAllianceMember(pb.AddAllianceMemberRequest(
            request_id=new_id(), alliance_id=alliance_id, member_id=member_id,
            roles=list(roles)), metadata=self.operator)

    async def invoice(self, *, buyer: str, seller: str, alliance_id: str, units: int,
                      asset: str = "CNY", terms_days: int = 90) -> pb.Invoice:
        order = await self.api.SubmitPurchaseOrder(pb.SubmitPurchaseOrderRequest(
            request_id=new_id(), buyer_id=buyer, seller_id=seller, alliance_id=alliance_id,
            number=f"PO-{new_id()[:8]}", lines=[pb.OrderLine(
                sku="AX-1", description="axles", quantity=common_pb2.Decimal(value="100"),
                unit="PCE", unit_price=cny(units // 100, asset))],
            delivery_date=pdate(self.today + timedelta(days=10)),
            payment_terms_days=terms_days), metadata=self.as_(buyer))
        po_id = order.purchase_order.purchase_order_id
        await self.api.RespondToPurchaseOrder(pb.RespondToPurchaseOrderRequest(
            request_id=new_id(), purchase_order_id=po_id, accept=True), metadata=self.as_(seller))
        issued = await self.api.IssueInvoice(pb.IssueInvoiceRequest(
            request_id=new_id(), purchase_order_id=po_id, number=f"INV-{new_id()[:8]}",
            issue_date=pdate(self.today), amount=cny(units, asset),
            document=common_pb2.DocumentHash(name="invoice.pdf",
                                             sha256=hashlib.sha256(po_id.encode()).digest())),
            metadata=self.as_(seller))
        return issued.invoice

    async def confirm(self, invoice: pb.Invoice) -> pb.Payable:
        confirmed = await self.api.ConfirmPayable(pb.ConfirmPayableRequest(
            request_id=new_id(), invoice_id=invoice.invoice_id),
            metadata=self.as_(invoice.buyer_id))
        return confirmed.payable

    async def finance(self, *, applicant: str, payable_id: str = "", invoice_id: str = "",
                      product: int = pb.FINANCING_PRODUCT_REVERSE_FACTORING, units: int,
                      asset: str = "CNY", disbursement_asset: str = "") -> pb.Financing:
        collateral = (pb.Collateral(payable_id=payable_id) if payable_id
                      else pb.Collateral(invoice_id=invoice_id))
        made = await self.api.RequestFinancing(pb.RequestFinancingRequest(
            request_id=new_id(), product=product, applicant_id=applicant, collateral=collateral,
            requested_amount=cny(units, asset), disbursement_asset=disbursement_asset),
            metadata=self.as_(applicant))
        return made.financing

    async def bid(self, financing_id: str, funder: str, rate: str | None) -> pb.Bid:
        request = pb.PlaceBidRequest(request_id=new_id(), financing_id=financing_id,
                                     funder_id=funder)
        if rate is None:
            request.accept_quote = True
        else:
            request.annual_rate.value = rate
        return (await self.api.PlaceBid(request, metadata=self.as_(funder))).bid

    async def accept(self, financing: pb.Financing, bid_id: str = "") -> pb.Financing:
        accepted = await self.api.AcceptBid(pb.AcceptBidRequest(
            request_id=new_id(), financing_id=financing.financing_id, bid_id=bid_id),
            metadata=self.as_(financing.applicant_id))
        return accepted.financing

    async def financing(self, financing_id: str) -> pb.Financing:
        return (await self.api.GetFinancing(pb.GetFinancingRequest(financing_id=financing_id),
                                            metadata=self.operator)).financing
