"""scf-exchange's gRPC API: decode -> use case -> encode, nothing else.

Every RPC of ScfExchangeService is built here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb
from ntb.scf_exchange.v1 import scf_exchange_pb2_grpc
from ntb_scf_exchange.adapters import messages as m
from ntb_scf_exchange.domain.alliances import ChainType, Role, Scope
from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.entrypoints import codec
from ntb_scf_exchange.service import (
    alliances,
    analytics,
    financing,
    letters_of_credit,
    logistics,
    payables,
    securitizations,
    settlement,
    tracing,
    trade,
)
from ntb_scf_exchange.service.unit_of_work import Clock, NewUnit
from ntbkit.auth import ROLE_AUDITOR, ROLE_OPERATOR, current_caller
from ntbkit.grpc import ServicerContext
from ntbkit.validation import Violations

Ctx = ServicerContext


@dataclass
class ScfExchangeApi(scf_exchange_pb2_grpc.ScfExchangeServiceServicer):
    new_unit: NewUnit
    ports: financing.Ports
    terms: settlement.Terms
    clock: Clock

    # --- alliances -------------------------------------------------------------------
    async def CreateAlliance(self, request: pb.CreateAllianceRequest, context: Ctx
                             ) -> pb.CreateAllianceResponse:
        made = await alliances.create_alliance(self.new_unit, codec.create_alliance(request),
                                               current_caller(), self.clock)
        return pb.CreateAllianceResponse(alliance=m.alliance(made))

    async def GetAlliance(self, request: pb.GetAllianceRequest, context: Ctx
                          ) -> pb.GetAllianceResponse:
        v = Violations()
        v.require_uuid(request.alliance_id, "alliance_id")
        v.raise_if_any()
        current_caller()
        return pb.GetAllianceResponse(alliance=m.alliance(
            await alliances.get_alliance(self.new_unit, request.alliance_id)))

    async def ListAlliances(self, request: pb.ListAlliancesRequest, context: Ctx
                            ) -> pb.ListAlliancesResponse:
        v = Violations()
        scope = codec.enum_of(Scope, pb.AllianceScope, "ALLIANCE_SCOPE_", request.scope,
                              "scope", v, required=False)
        chain = codec.enum_of(ChainType, pb.ChainType, "CHAIN_TYPE_", request.chain_type,
                              "chain_type", v, required=False)
        codec.uuid_field(request.parent_alliance_id, "parent_alliance_id", v, required=False)
        filters = (request.scope, request.chain_type, request.parent_alliance_id,
                   request.member_id)
        offset, size = codec.page(request.page, filters, v)
        v.raise_if_any()
        current_caller()
        found = await alliances.list_alliances(
            self.new_unit, scope=scope, chain_type=chain,
            parent_alliance_id=request.parent_alliance_id, member_id=request.member_id,
            offset=offset, limit=size)
        return pb.ListAlliancesResponse(alliances=[m.alliance(a) for a in found],
                                        page=codec.next_page(offset, size, len(found), filters))

    async def AddAllianceMember(self, request: pb.AddAllianceMemberRequest, context: Ctx
                                ) -> pb.AddAllianceMemberResponse:
        member = await alliances.add_member(self.new_unit, self.ports.directory,
                                            codec.set_member(request), current_caller(),
                                            self.clock)
        return pb.AddAllianceMemberResponse(member=m.member(member))

    async def RemoveAllianceMember(self, request: pb.RemoveAllianceMemberRequest, context: Ctx
                                   ) -> pb.RemoveAllianceMemberResponse:
        v = Violations()
        v.require_uuid(request.request_id, "request_id")
        v.require_uuid(request.alliance_id, "alliance_id")
        v.require_text(request.member_id, "member_id", length_max=64)
        v.check_text(request.reason, "reason", length_max=500)
        v.raise_if_any()
        found = await alliances.remove_member(
            self.new_unit, request_id=request.request_id, alliance_id=request.alliance_id,
            member_id=request.member_id, caller=current_caller())
        return pb.RemoveAllianceMemberResponse(alliance=m.alliance(found))

    async def ListAllianceMembers(self, request: pb.ListAllianceMembersRequest, context: Ctx
                                  ) -> pb.ListAllianceMembersResponse:
        v = Violations()
        v.require_uuid(request.alliance_id, "alliance_id")
        role = codec.enum_of(Role, pb.MemberRole, "MEMBER_ROLE_", request.role, "role", v,
                             required=False)
        filters = (request.alliance_id, request.role)
        offset, size = codec.page(request.page, filters, v)
        v.raise_if_any()
        current_caller()
        found = await alliances.list_members(self.new_unit, request.alliance_id, role=role,
                                             offset=offset, limit=size)
        return pb.ListAllianceMembersResponse(
            members=[m.member(x) for x in found],
            page=codec.next_page(offset, size, len(found), filters))

    async def ApplyForMembership(self, request: pb.ApplyForMembershipRequest, context: Ctx
                                 ) -> pb.ApplyForMembershipResponse:
        found = await alliances.apply(self.new_unit, self.ports.directory,
                                      codec.apply(request), current_caller(), self.clock)
        return pb.ApplyForMembershipResponse(application=m.application(found))

    async def ReviewMembershipApplication(
        self, request: pb.ReviewMembershipApplicationRequest, context: Ctx
    ) -> pb.ReviewMembershipApplicationResponse:
        found, member = await alliances.review(self.new_unit, codec.review(request),
                                               current_caller(), self.clock)
        response = pb.ReviewMembershipApplicationResponse(application=m.application(found))
        if member is not None:
            response.member.CopyFrom(m.member(member))
        return response

    async def ListMembershipApplications(
        self, request: pb.ListMembershipApplicationsRequest, context: Ctx
    ) -> pb.ListMembershipApplicationsResponse:
        v = Violations()
        codec.uuid_field(request.alliance_id, "alliance_id", v, required=False)
        v.check(bool(request.alliance_id or request.applicant_id), "alliance_id",
                "alliance_id or applicant_id is required")
        status = codec.application_status(request.status, v)
        filters = (request.alliance_id, request.applicant_id, request.status)
        offset, size = codec.page(request.page, filters, v)
        v.raise_if_any()
        found = await alliances.list_applications(
            self.new_unit, alliance_id=request.alliance_id, applicant_id=request.applicant_id,
            status=status, caller=current_caller(), offset=offset, limit=size)
        return pb.ListMembershipApplicationsResponse(
            applications=[m.application(a) for a in found],
            page=codec.next_page(offset, size, len(found), filters))

    async def GetTradeGraph(self, request: pb.GetTradeGraphRequest, context: Ctx
                            ) -> pb.GetTradeGraphResponse:
        v = Violations()
        v.require_uuid(request.alliance_id, "alliance_id")
        v.raise_if_any()
        members, edges = await alliances.trade_graph(self.new_unit, request.alliance_id,
                                                     current_caller())
        return pb.GetTradeGraphResponse(members=[m.member(x) for x in members], edges=[
            pb.TradeEdge(kind=pb.TradeEdgeKind.Value(f"TRADE_EDGE_KIND_{e.kind}"),
                         from_id=e.from_id, to_id=e.to_id, count=e.count,
                         volume=[m.money(x) for x in e.volume]) for e in edges])

    # --- logistics flow -----------------------------------------------------------------
    async def RegisterDevice(self, request: pb.RegisterDeviceRequest, context: Ctx
                             ) -> pb.RegisterDeviceResponse:
        found = await logistics.register_device(self.new_unit, codec.register_device(request),
                                                current_caller(), self.clock)
        return pb.RegisterDeviceResponse(device=m.device(found))

    async def IssueWarehouseReceipt(self, request: pb.IssueWarehouseReceiptRequest,
                                    context: Ctx) -> pb.IssueWarehouseReceiptResponse:
        found = await logistics.issue_receipt(self.new_unit, codec.issue_receipt(request),
                                              current_caller(), self.clock)
        return pb.IssueWarehouseReceiptResponse(receipt=m.receipt(found))

    async def ReleaseWarehouseReceipt(self, request: pb.ReleaseWarehouseReceiptRequest,
                                      context: Ctx) -> pb.ReleaseWarehouseReceiptResponse:
        v = Violations()
        v.require_uuid(request.request_id, "request_id")
        v.require_uuid(request.receipt_id, "receipt_id")
        v.raise_if_any()
        found = await logistics.release_receipt(self.new_unit, request_id=request.request_id,
                                                receipt_id=request.receipt_id,
                                                caller=current_caller(), clock=self.clock)
        return pb.ReleaseWarehouseReceiptResponse(receipt=m.receipt(found))

    async def GetWarehouseReceipt(self, request: pb.GetWarehouseReceiptRequest, context: Ctx
                                  ) -> pb.GetWarehouseReceiptResponse:
        v = Violations()
        v.require_uuid(request.receipt_id, "receipt_id")
        v.raise_if_any()
        found = await logistics.get_receipt(self.new_unit, request.receipt_id, current_caller())
        return pb.GetWarehouseReceiptResponse(receipt=m.receipt(found))

    async def RecordShipment(self, request: pb.RecordShipmentRequest, context: Ctx
                             ) -> pb.RecordShipmentResponse:
        found = await logistics.record_shipment(self.new_unit, codec.record_shipment(request),
                                                current_caller(), self.clock)
        return pb.RecordShipmentResponse(shipment=m.shipment(found))

    async def RecordShipmentEvent(self, request: pb.RecordShipmentEventRequest, context: Ctx
                                  ) -> pb.RecordShipmentEventResponse:
        event = codec.shipment_event(request)
        found = await logistics.record_shipment_event(
            self.new_unit, request_id=request.request_id, shipment_id=request.shipment_id,
            event=event, caller=current_caller(), clock=self.clock)
        return pb.RecordShipmentEventResponse(shipment=m.shipment(found))

    async def GetShipment(self, request: pb.GetShipmentRequest, context: Ctx
                          ) -> pb.GetShipmentResponse:
        v = Violations()
        v.require_uuid(request.shipment_id, "shipment_id")
        v.raise_if_any()
        found = await logistics.get_shipment(self.new_unit, request.shipment_id,
                                             current_caller())
        return pb.GetShipmentResponse(shipment=m.shipment(found))

    async def TraceTrade(self, request: pb.TraceTradeRequest, context: Ctx
                         ) -> pb.TraceTradeResponse:
        v = Violations()
        v.require_uuid(request.purchase_order_id, "purchase_order_id")
        v.raise_if_any()
        found = await tracing.trace(self.new_unit, request.purchase_order_id, current_caller())
        return pb.TraceTradeResponse(
            purchase_order=m.purchase_order(found.order),
            shipments=[m.shipment(x) for x in found.shipments],
            invoices=[m.invoice(i) for i in found.invoices],
            payables=[m.payable(p) for p in found.payables],
            financings=[m.financing(f) for f in found.financings],
            transfer_ids=found.transfer_ids)

    # --- information flow ---------------------------------------------------------------
    async def SubmitPurchaseOrder(self, request: pb.SubmitPurchaseOrderRequest, context: Ctx
                                  ) -> pb.SubmitPurchaseOrderResponse:
        order = await trade.submit_order(self.new_unit, codec.submit_order(request),
                                         current_caller(), self.clock)
        return pb.SubmitPurchaseOrderResponse(purchase_order=m.purchase_order(order))

    async def RespondToPurchaseOrder(self, request: pb.RespondToPurchaseOrderRequest,
                                     context: Ctx) -> pb.RespondToPurchaseOrderResponse:
        v = Violations()
        v.require_uuid(request.request_id, "request_id")
        v.require_uuid(request.purchase_order_id, "purchase_order_id")
        if not request.accept:
            v.require_text(request.reason, "reason", length_max=500)
        v.raise_if_any()
        order = await trade.respond(self.new_unit, request_id=request.request_id,
                                    order_id=request.purchase_order_id, accept=request.accept,
                                    reason=request.reason, caller=current_caller())
        return pb.RespondToPurchaseOrderResponse(purchase_order=m.purchase_order(order))

    async def GetPurchaseOrder(self, request: pb.GetPurchaseOrderRequest, context: Ctx
                               ) -> pb.GetPurchaseOrderResponse:
        v = Violations()
        v.require_uuid(request.purchase_order_id, "purchase_order_id")
        v.raise_if_any()
        order = await trade.get_order(self.new_unit, request.purchase_order_id, current_caller())
        return pb.GetPurchaseOrderResponse(purchase_order=m.purchase_order(order))

    async def IssueInvoice(self, request: pb.IssueInvoiceRequest, context: Ctx
                           ) -> pb.IssueInvoiceResponse:
        found = await trade.issue_invoice(self.new_unit, codec.issue_invoice(request),
                                          current_caller(), self.clock)
        return pb.IssueInvoiceResponse(invoice=m.invoice(found))

    async def GetInvoice(self, request: pb.GetInvoiceRequest, context: Ctx
                         ) -> pb.GetInvoiceResponse:
        v = Violations()
        v.require_uuid(request.invoice_id, "invoice_id")
        v.raise_if_any()
        found = await trade.get_invoice(self.new_unit, request.invoice_id, current_caller())
        return pb.GetInvoiceResponse(invoice=m.invoice(found))

    async def ListInvoices(self, request: pb.ListInvoicesRequest, context: Ctx
                           ) -> pb.ListInvoicesResponse:
        v = Violations()
        status = codec.invoice_status(request.status, v)
        filters = (request.seller_id, request.buyer_id, request.status)
        offset, size = codec.page(request.page, filters, v)
        v.raise_if_any()
        found = await trade.list_invoices(
            self.new_unit, seller_id=request.seller_id, buyer_id=request.buyer_id,
            status=status, caller=current_caller(), offset=offset, limit=size)
        return pb.ListInvoicesResponse(invoices=[m.invoice(i) for i in found],
                                       page=codec.next_page(offset, size, len(found), filters))

    # --- credit sharing ------------------------------------------------------------------
    async def ConfirmPayable(self, request: pb.ConfirmPayableRequest, context: Ctx
                             ) -> pb.ConfirmPayableResponse:
        found = await payables.confirm(self.new_unit, codec.confirm(request), current_caller(),
                                       self.clock)
        return pb.ConfirmPayableResponse(payable=m.payable(found))

    async def TransferPayable(self, request: pb.TransferPayableRequest, context: Ctx
                              ) -> pb.TransferPayableResponse:
        parent, children = await payables.transfer(self.new_unit, codec.transfer(request),
                                                   current_caller(), self.clock)
        return pb.TransferPayableResponse(payable=m.payable(parent),
                                          children=[m.payable(c) for c in children])

    async def GetPayable(self, request: pb.GetPayableRequest, context: Ctx
                         ) -> pb.GetPayableResponse:
        v = Violations()
        v.require_uuid(request.payable_id, "payable_id")
        v.raise_if_any()
        found = await payables.get_payable(self.new_unit, request.payable_id, current_caller())
        return pb.GetPayableResponse(payable=m.payable(found))

    async def ListPayables(self, request: pb.ListPayablesRequest, context: Ctx
                           ) -> pb.ListPayablesResponse:
        v = Violations()
        codec.uuid_field(request.root_payable_id, "root_payable_id", v, required=False)
        status = codec.payable_status(request.status, v)
        filters = (request.holder_id, request.obligor_id, request.root_payable_id,
                   request.status)
        offset, size = codec.page(request.page, filters, v)
        v.raise_if_any()
        found = await payables.list_payables(
            self.new_unit, holder_id=request.holder_id, obligor_id=request.obligor_id,
            root_payable_id=request.root_payable_id, status=status, caller=current_caller(),
            offset=offset, limit=size)
        return pb.ListPayablesResponse(payables=[m.payable(p) for p in found],
                                       page=codec.next_page(offset, size, len(found), filters))

    # --- financing -----------------------------------------------------------------------
    async def QuoteFinancing(self, request: pb.QuoteFinancingRequest, context: Ctx
                             ) -> pb.QuoteFinancingResponse:
        v = Violations()
        product = codec.product(request.product, v)
        kind, collateral_id = codec.collateral(request.collateral, v)
        maturity = codec.day(request.maturity_date, "maturity_date", v, required=False)
        amount = codec.money(request.amount, "amount", v) if request.HasField("amount") else None
        v.raise_if_any()
        assert product is not None and kind is not None
        collateral, found = await financing.quote(
            self.new_unit, self.ports, product=product, kind=kind, collateral_id=collateral_id,
            seller_id=request.seller_id, caller=current_caller(), clock=self.clock,
            maturity=maturity, amount=amount)
        message = m.quote(found, product_name=product.value, obligor_id=collateral.obligor_id)
        message.priced_at.CopyFrom(m.to_timestamp(self.clock()))
        return pb.QuoteFinancingResponse(quote=message)

    async def RequestFinancing(self, request: pb.RequestFinancingRequest, context: Ctx
                               ) -> pb.RequestFinancingResponse:
        found = await financing.request_financing(
            self.new_unit, self.ports, codec.request_financing(request), current_caller(),
            self.clock)
        return pb.RequestFinancingResponse(financing=m.financing(found))

    async def GetBorrowingBase(self, request: pb.GetBorrowingBaseRequest, context: Ctx
                               ) -> pb.GetBorrowingBaseResponse:
        v = Violations()
        v.require_text(request.holder_id, "holder_id", length_max=64)
        v.check(bool(codec.ASSET.match(request.asset)), "asset", "3..8 of [A-Z0-9]")
        v.raise_if_any()
        base = await financing.get_borrowing_base(self.new_unit, request.holder_id,
                                                  request.asset, current_caller(), self.clock)
        asset = request.asset
        rules = financing.PLEDGE_RULES
        return pb.GetBorrowingBaseResponse(
            lines=[pb.BorrowingBaseLine(
                receivable_id=x.receivable_id, obligor_id=x.obligor_id,
                face=m.money(Money(asset, x.face_units)),
                eligible=m.money(Money(asset, x.eligible_units)), reason=x.reason)
                for x in base.lines],
            eligible=m.money(Money(asset, base.eligible_units)),
            advance_rate=m.decimal(rules.advance_rate),
            concentration_cap=m.decimal(rules.concentration_cap),
            base=m.money(Money(asset, base.base_units)))

    async def GetFinancing(self, request: pb.GetFinancingRequest, context: Ctx
                           ) -> pb.GetFinancingResponse:
        v = Violations()
        v.require_uuid(request.financing_id, "financing_id")
        v.raise_if_any()
        found = await financing.get_financing(self.new_unit, request.financing_id,
                                              current_caller())
        return pb.GetFinancingResponse(financing=m.financing(found))

    async def ListFinancings(self, request: pb.ListFinancingsRequest, context: Ctx
                             ) -> pb.ListFinancingsResponse:
        v = Violations()
        product = codec.product(request.product, v, required=False)
        status = codec.financing_status(request.status, v)
        codec.uuid_field(request.alliance_id, "alliance_id", v, required=False)
        filters = (request.applicant_id, request.funder_id, request.product, request.status,
                   request.alliance_id)
        offset, size = codec.page(request.page, filters, v)
        v.raise_if_any()
        found = await financing.list_financings(
            self.new_unit, applicant_id=request.applicant_id, funder_id=request.funder_id,
            product=product, status=status, alliance_id=request.alliance_id,
            caller=current_caller(), offset=offset, limit=size)
        return pb.ListFinancingsResponse(financings=[m.financing(f) for f in found],
                                         page=codec.next_page(offset, size, len(found), filters))

    async def CancelFinancing(self, request: pb.CancelFinancingRequest, context: Ctx
                              ) -> pb.CancelFinancingResponse:
        v = Violations()
        v.require_uuid(request.request_id, "request_id")
        v.require_uuid(request.financing_id, "financing_id")
        v.check_text(request.reason, "reason", length_max=500)
        v.raise_if_any()
        found = await financing.cancel(self.new_unit, request_id=request.request_id,
                                       financing_id=request.financing_id, reason=request.reason,
                                       caller=current_caller(), clock=self.clock)
        return pb.CancelFinancingResponse(financing=m.financing(found))

    async def PlaceBid(self, request: pb.PlaceBidRequest, context: Ctx) -> pb.PlaceBidResponse:
        found = await financing.place_bid(self.new_unit, codec.place_bid(request),
                                          current_caller(), self.clock)
        return pb.PlaceBidResponse(bid=m.bid(found))

    async def WithdrawBid(self, request: pb.WithdrawBidRequest, context: Ctx
                          ) -> pb.WithdrawBidResponse:
        v = Violations()
        v.require_uuid(request.request_id, "request_id")
        v.require_uuid(request.bid_id, "bid_id")
        v.raise_if_any()
        found = await financing.withdraw_bid(self.new_unit, request_id=request.request_id,
                                             bid_id=request.bid_id, caller=current_caller())
        return pb.WithdrawBidResponse(bid=m.bid(found))

    async def ListBids(self, request: pb.ListBidsRequest, context: Ctx) -> pb.ListBidsResponse:
        v = Violations()
        codec.uuid_field(request.financing_id, "financing_id", v, required=False)
        v.check(bool(request.financing_id or request.funder_id), "financing_id",
                "financing_id or funder_id is required")
        status = codec.bid_status(request.status, v)
        filters = (request.financing_id, request.funder_id, request.status)
        offset, size = codec.page(request.page, filters, v)
        v.raise_if_any()
        found = await financing.list_bids(
            self.new_unit, financing_id=request.financing_id, funder_id=request.funder_id,
            status=status, caller=current_caller(), offset=offset, limit=size)
        return pb.ListBidsResponse(bids=[m.bid(b) for b in found],
                                   page=codec.next_page(offset, size, len(found), filters))

    async def AcceptBid(self, request: pb.AcceptBidRequest, context: Ctx
                        ) -> pb.AcceptBidResponse:
        v = Violations()
        v.require_uuid(request.request_id, "request_id")
        v.require_uuid(request.financing_id, "financing_id")
        codec.uuid_field(request.bid_id, "bid_id", v, required=False)
        v.raise_if_any()
        found = await financing.accept_bid(
            self.new_unit, self.ports, request_id=request.request_id,
            financing_id=request.financing_id, bid_id=request.bid_id, caller=current_caller(),
            clock=self.clock)
        return pb.AcceptBidResponse(financing=m.financing(found))

    async def SettleFinancing(self, request: pb.SettleFinancingRequest, context: Ctx
                              ) -> pb.SettleFinancingResponse:
        v = Violations()
        v.require_uuid(request.request_id, "request_id")
        v.require_uuid(request.financing_id, "financing_id")
        v.raise_if_any()
        caller = current_caller()
        found = await financing.get_financing(self.new_unit, request.financing_id, caller)
        if ROLE_OPERATOR not in caller.roles:
            caller.require_may_act_for(found.obligor_id)
        await settlement.settle_now(self.new_unit, self.ports.ledger, request.financing_id,
                                    request_id=request.request_id, terms=self.terms,
                                    now=self.clock())
        found = await financing.get_financing(self.new_unit, request.financing_id, caller)
        return pb.SettleFinancingResponse(financing=m.financing(found))

    async def DeclareFinancingDefault(self, request: pb.DeclareFinancingDefaultRequest,
                                      context: Ctx) -> pb.DeclareFinancingDefaultResponse:
        v = Violations()
        v.require_uuid(request.request_id, "request_id")
        v.require_uuid(request.financing_id, "financing_id")
        v.require_text(request.reason, "reason", length_max=500)
        v.raise_if_any()
        caller = current_caller()
        found = await financing.get_financing(self.new_unit, request.financing_id, caller)
        if ROLE_OPERATOR not in caller.roles:
            caller.require_may_act_for(found.funder_id)
        await settlement.declare_default(self.new_unit, request.financing_id, request.reason,
                                         request_id=request.request_id, now=self.clock())
        await settlement.collect_recourse(self.new_unit, self.ports.ledger,
                                          request.financing_id)
        found = await financing.get_financing(self.new_unit, request.financing_id, caller)
        return pb.DeclareFinancingDefaultResponse(financing=m.financing(found))

    # --- letters of credit ---------------------------------------------------------------
    async def IssueLetterOfCredit(self, request: pb.IssueLetterOfCreditRequest, context: Ctx
                                  ) -> pb.IssueLetterOfCreditResponse:
        lc = await letters_of_credit.issue(self.new_unit, codec.issue_lc(request),
                                           current_caller(), self.clock)
        return pb.IssueLetterOfCreditResponse(letter_of_credit=m.letter_of_credit(lc))

    async def PresentDocuments(self, request: pb.PresentDocumentsRequest, context: Ctx
                               ) -> pb.PresentDocumentsResponse:
        documents = codec.documents(request)
        lc = await letters_of_credit.present(
            self.new_unit, request_id=request.request_id, lc_id=request.letter_of_credit_id,
            documents=documents, caller=current_caller(), clock=self.clock)
        return pb.PresentDocumentsResponse(letter_of_credit=m.letter_of_credit(lc))

    async def ExamineDocuments(self, request: pb.ExamineDocumentsRequest, context: Ctx
                               ) -> pb.ExamineDocumentsResponse:
        v = Violations()
        v.require_uuid(request.request_id, "request_id")
        v.require_uuid(request.letter_of_credit_id, "letter_of_credit_id")
        if not request.accept:
            v.require_text(request.notes, "notes", length_max=2000)
        v.check_text(request.notes, "notes", length_max=2000)
        v.raise_if_any()
        lc = await letters_of_credit.examine(
            self.new_unit, request_id=request.request_id, lc_id=request.letter_of_credit_id,
            accept=request.accept, notes=request.notes, caller=current_caller(),
            clock=self.clock)
        return pb.ExamineDocumentsResponse(letter_of_credit=m.letter_of_credit(lc))

    async def GetLetterOfCredit(self, request: pb.GetLetterOfCreditRequest, context: Ctx
                                ) -> pb.GetLetterOfCreditResponse:
        v = Violations()
        v.require_uuid(request.letter_of_credit_id, "letter_of_credit_id")
        v.raise_if_any()
        lc = await letters_of_credit.get(self.new_unit, request.letter_of_credit_id,
                                         current_caller())
        return pb.GetLetterOfCreditResponse(letter_of_credit=m.letter_of_credit(lc))

    async def ListLettersOfCredit(self, request: pb.ListLettersOfCreditRequest, context: Ctx
                                  ) -> pb.ListLettersOfCreditResponse:
        v = Violations()
        status = codec.lc_status(request.status, v)
        filters = (request.party_id, request.status)
        offset, size = codec.page(request.page, filters, v)
        v.raise_if_any()
        found = await letters_of_credit.list_credits(
            self.new_unit, party_id=request.party_id, status=status, caller=current_caller(),
            offset=offset, limit=size)
        return pb.ListLettersOfCreditResponse(
            letters_of_credit=[m.letter_of_credit(c) for c in found],
            page=codec.next_page(offset, size, len(found), filters))

    # --- securitization -----------------------------------------------------------------
    async def CreateSecuritization(self, request: pb.CreateSecuritizationRequest, context: Ctx
                                   ) -> pb.CreateSecuritizationResponse:
        made = await securitizations.create(
            self.new_unit, codec.create_securitization(request), current_caller(), self.clock,
            grace_days=self.terms.grace_days)
        return pb.CreateSecuritizationResponse(securitization=m.securitization(made))

    async def SubscribeTranche(self, request: pb.SubscribeTrancheRequest, context: Ctx
                               ) -> pb.SubscribeTrancheResponse:
        pool, transfer_id = await securitizations.subscribe(
            self.new_unit, self.ports.ledger, codec.subscribe_tranche(request), current_caller())
        return pb.SubscribeTrancheResponse(securitization=m.securitization(pool),
                                           transfer_id=transfer_id)

    async def GetSecuritization(self, request: pb.GetSecuritizationRequest, context: Ctx
                                ) -> pb.GetSecuritizationResponse:
        v = Violations()
        v.require_uuid(request.securitization_id, "securitization_id")
        v.raise_if_any()
        found = await securitizations.get(self.new_unit, request.securitization_id,
                                          current_caller())
        return pb.GetSecuritizationResponse(securitization=m.securitization(found))

    async def ListSecuritizations(self, request: pb.ListSecuritizationsRequest, context: Ctx
                                  ) -> pb.ListSecuritizationsResponse:
        v = Violations()
        status = codec.securitization_status(request.status, v)
        filters = (request.sponsor_id, request.status)
        offset, size = codec.page(request.page, filters, v)
        v.raise_if_any()
        current_caller()
        found = await securitizations.list_pools(self.new_unit, sponsor_id=request.sponsor_id,
                                                 status=status, offset=offset, limit=size)
        return pb.ListSecuritizationsResponse(
            securitizations=[m.securitization(x) for x in found],
            page=codec.next_page(offset, size, len(found), filters))

    # --- analytics -----------------------------------------------------------------------
    async def GetAnalytics(self, request: pb.GetAnalyticsRequest, context: Ctx
                           ) -> pb.GetAnalyticsResponse:
        current_caller().require_role(ROLE_OPERATOR, ROLE_AUDITOR)
        by_alliance, by_chain = await analytics.figures(self.new_unit)
        return pb.GetAnalyticsResponse(by_alliance=[_group(g) for g in by_alliance],
                                       by_chain_type=[_group(g) for g in by_chain])


def _group(g: analytics.Group) -> pb.AnalyticsGroup:
    return pb.AnalyticsGroup(
        group=g.group, financed_volume=[m.money(x) for x in g.financed_volume],
        outstanding=[m.money(x) for x in g.outstanding],
        defaulted=[m.money(x) for x in g.defaulted], funded_count=g.funded_count,
        defaulted_count=g.defaulted_count)
