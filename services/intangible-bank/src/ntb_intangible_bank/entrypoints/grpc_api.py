"""IntangibleBankService: decode -> use case -> encode, nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from ntb.common.v1 import common_pb2
from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb
from ntb.intangible_bank.v1 import intangible_bank_pb2_grpc
from ntb_intangible_bank.adapters import messages as m
from ntb_intangible_bank.entrypoints import codec, fields
from ntb_intangible_bank.service import gene_map_queries, loans, registry, rights, valuations
from ntb_intangible_bank.service.loans import LoanPolicy
from ntb_intangible_bank.service.ports import Ledger
from ntb_intangible_bank.service.unit_of_work import AssetFilter, Clock, LoanFilter, NewUnit
from ntbkit.auth import current_caller
from ntbkit.grpc import ServicerContext
from ntbkit.paging import decode_page, encode_token
from ntbkit.timestamps import to_timestamp
from ntbkit.validation import Violations

T = TypeVar("T")


def page_of(items: Sequence[T], position: int, size: int, filters: object
          ) -> tuple[Sequence[T], common_pb2.PageResponse]:
    """`items` were fetched with limit size + 1: one more means another page."""
    more = len(items) > size
    token = encode_token(position + size, filters) if more else ""
    return items[:size], common_pb2.PageResponse(next_page_token=token)


def _ids(v: Violations, **ids: str) -> None:
    for field, value in ids.items():
        v.require_uuid(value, field)
    v.raise_if_any()


@dataclass
class IntangibleBankApi(intangible_bank_pb2_grpc.IntangibleBankServiceServicer):
    new_unit: NewUnit
    clock: Clock
    ledger: Ledger
    policy: LoanPolicy

    async def RegisterAsset(self, request: pb.RegisterAssetRequest, context: ServicerContext
                            ) -> pb.RegisterAssetResponse:
        command = codec.register(request, self.clock())
        asset = await registry.register_asset(self.new_unit, command, current_caller(),
                                              self.clock)
        return pb.RegisterAssetResponse(asset=m.asset(asset))

    async def GetAsset(self, request: pb.GetAssetRequest, context: ServicerContext
                       ) -> pb.GetAssetResponse:
        _ids(Violations(), asset_id=request.asset_id)
        current_caller()
        return pb.GetAssetResponse(asset=m.asset(
            await registry.get_asset(self.new_unit, request.asset_id)))

    async def ListAssets(self, request: pb.ListAssetsRequest, context: ServicerContext
                         ) -> pb.ListAssetsResponse:
        v = Violations()
        kind, status = codec.asset_filter_parts(request, v)
        where = AssetFilter(request.holder_id, kind, request.jurisdiction, status,
                            request.classification_prefix)
        position, size = decode_page(request.page.page_size, request.page.page_token, where, v)
        v.raise_if_any()
        current_caller()
        found = await registry.list_assets(self.new_unit, where, position, size + 1)
        shown, page = page_of(found, position, size, where)
        return pb.ListAssetsResponse(assets=[m.asset(a) for a in shown], page=page)

    async def UpdateLegalStatus(self, request: pb.UpdateLegalStatusRequest,
                                context: ServicerContext) -> pb.UpdateLegalStatusResponse:
        asset = await registry.update_legal_status(
            self.new_unit, codec.update_status(request), current_caller(), self.clock)
        return pb.UpdateLegalStatusResponse(asset=m.asset(asset))

    async def TransferAsset(self, request: pb.TransferAssetRequest, context: ServicerContext
                            ) -> pb.TransferAssetResponse:
        asset = await registry.transfer_asset(self.new_unit, codec.transfer(request),
                                              current_caller(), self.clock)
        return pb.TransferAssetResponse(asset=m.asset(asset))

    async def SubmitRightsConfirmation(
        self, request: pb.SubmitRightsConfirmationRequest, context: ServicerContext
    ) -> pb.SubmitRightsConfirmationResponse:
        found = await rights.submit(self.new_unit, codec.submit(request), current_caller(),
                                    self.clock)
        return pb.SubmitRightsConfirmationResponse(
            confirmation=m.confirmation(found, self.clock()))

    async def ExamineRightsConfirmation(
        self, request: pb.ExamineRightsConfirmationRequest, context: ServicerContext
    ) -> pb.ExamineRightsConfirmationResponse:
        found = await rights.examine(self.new_unit, codec.examine(request), current_caller(),
                                     self.clock)
        return pb.ExamineRightsConfirmationResponse(
            confirmation=m.confirmation(found, self.clock()))

    async def DecideRightsConfirmation(
        self, request: pb.DecideRightsConfirmationRequest, context: ServicerContext
    ) -> pb.DecideRightsConfirmationResponse:
        found = await rights.decide(self.new_unit, codec.decide(request), current_caller(),
                                    self.clock)
        return pb.DecideRightsConfirmationResponse(
            confirmation=m.confirmation(found, self.clock()))

    async def GetRightsConfirmation(
        self, request: pb.GetRightsConfirmationRequest, context: ServicerContext
    ) -> pb.GetRightsConfirmationResponse:
        _ids(Violations(), confirmation_id=request.confirmation_id)
        found = await rights.get(self.new_unit, request.confirmation_id, current_caller())
        return pb.GetRightsConfirmationResponse(
            confirmation=m.confirmation(found, self.clock()))

    async def ListRightsConfirmations(
        self, request: pb.ListRightsConfirmationsRequest, context: ServicerContext
    ) -> pb.ListRightsConfirmationsResponse:
        v = Violations()
        v.require_uuid(request.asset_id, "asset_id")
        status = codec.confirmation_status(request.status, v)
        kind = codec.right_kind(request.right_kind, "right_kind", v, required=False)
        filters = (request.asset_id, status, kind)
        position, size = decode_page(request.page.page_size, request.page.page_token,
                                     filters, v)
        v.raise_if_any()
        current_caller()
        now = self.clock()
        found = await rights.list_for_asset(self.new_unit, request.asset_id, status, kind, now)
        shown, page = page_of(found[position:position + size + 1], position, size, filters)
        return pb.ListRightsConfirmationsResponse(
            confirmations=[m.confirmation(c, now) for c in shown], page=page)

    async def ValueAsset(self, request: pb.ValueAssetRequest, context: ServicerContext
                         ) -> pb.ValueAssetResponse:
        found = await valuations.value_asset(self.new_unit, codec.value(request),
                                             current_caller(), self.clock)
        return pb.ValueAssetResponse(valuation=m.valuation(found))

    async def GetValuation(self, request: pb.GetValuationRequest, context: ServicerContext
                           ) -> pb.GetValuationResponse:
        _ids(Violations(), valuation_id=request.valuation_id)
        current_caller()
        found = await valuations.get_valuation(self.new_unit, request.valuation_id)
        return pb.GetValuationResponse(valuation=m.valuation(found))

    async def ListValuations(self, request: pb.ListValuationsRequest,
                             context: ServicerContext) -> pb.ListValuationsResponse:
        v = Violations()
        v.require_uuid(request.asset_id, "asset_id")
        position, size = decode_page(request.page.page_size, request.page.page_token,
                                     request.asset_id, v)
        v.raise_if_any()
        current_caller()
        found = await valuations.list_valuations(self.new_unit, request.asset_id)
        shown, page = page_of(found[position:position + size + 1], position, size,
                            request.asset_id)
        return pb.ListValuationsResponse(valuations=[m.valuation(x) for x in shown], page=page)

    async def RateAsset(self, request: pb.RateAssetRequest, context: ServicerContext
                        ) -> pb.RateAssetResponse:
        found = await valuations.rate_asset(self.new_unit, codec.rate(request),
                                            current_caller(), self.clock)
        return pb.RateAssetResponse(rating=m.asset_rating(found))

    async def InvestigateHolderCredit(
        self, request: pb.InvestigateHolderCreditRequest, context: ServicerContext
    ) -> pb.InvestigateHolderCreditResponse:
        _ids(Violations(), principal_id=request.principal_id)
        report = await valuations.investigate_holder_credit(
            self.new_unit, request.principal_id, current_caller(), self.clock)
        p = report.principal
        return pb.InvestigateHolderCreditResponse(report=pb.HolderCreditReport(
            principal_id=p.principal_id, kind=m.principal_kind(p.kind),
            kyc_status=m.kyc_status(p.kyc_status), credit_score=p.credit_score,
            credit_reasons=[common_pb2.ReasonCode(code=c, description=d)
                            for c, d in p.credit_reasons],
            enterprise_rating=m.rating_enum(p.enterprise_rating),
            open_loans_count=report.open_loans_count,
            outstanding_principal=m.money(report.outstanding_principal_fen),
            defaults_count=report.defaults_count, assets_held_count=report.assets_held_count,
            generated_at=to_timestamp(report.generated_at)))

    async def RequestLoan(self, request: pb.RequestLoanRequest, context: ServicerContext
                          ) -> pb.RequestLoanResponse:
        found = await loans.request_loan(self.new_unit, codec.request_loan(request),
                                         current_caller(), self.clock, self.policy)
        return pb.RequestLoanResponse(loan=m.loan(found, self.clock()))

    async def ApproveLoan(self, request: pb.ApproveLoanRequest, context: ServicerContext
                          ) -> pb.ApproveLoanResponse:
        found = await loans.approve(self.new_unit, codec.loan_command(request, with_rate=True),
                                    current_caller(), self.clock)
        return pb.ApproveLoanResponse(loan=m.loan(found, self.clock()))

    async def RejectLoan(self, request: pb.RejectLoanRequest, context: ServicerContext
                         ) -> pb.RejectLoanResponse:
        found = await loans.reject(self.new_unit,
                                   codec.loan_command(request, reason_required=True),
                                   current_caller(), self.clock)
        return pb.RejectLoanResponse(loan=m.loan(found, self.clock()))

    async def DisburseLoan(self, request: pb.DisburseLoanRequest, context: ServicerContext
                           ) -> pb.DisburseLoanResponse:
        found = await loans.disburse(self.new_unit, codec.loan_command(request),
                                     current_caller(), self.clock, self.ledger)
        return pb.DisburseLoanResponse(loan=m.loan(found, self.clock()))

    async def RepayLoan(self, request: pb.RepayLoanRequest, context: ServicerContext
                        ) -> pb.RepayLoanResponse:
        found = await loans.repay(self.new_unit, codec.repay(request), current_caller(),
                                  self.clock, self.ledger)
        return pb.RepayLoanResponse(loan=m.loan(found, self.clock()))

    async def DeclareLoanDefault(self, request: pb.DeclareLoanDefaultRequest,
                                 context: ServicerContext) -> pb.DeclareLoanDefaultResponse:
        found = await loans.declare_default(
            self.new_unit, codec.loan_command(request, reason_required=True),
            current_caller(), self.clock)
        return pb.DeclareLoanDefaultResponse(loan=m.loan(found, self.clock()))

    async def EnforcePledge(self, request: pb.EnforcePledgeRequest, context: ServicerContext
                            ) -> pb.EnforcePledgeResponse:
        found, listing_id = await loans.enforce(
            self.new_unit, codec.loan_command(request, with_price=True), current_caller(),
            self.clock)
        return pb.EnforcePledgeResponse(loan=m.loan(found, self.clock()), listing_id=listing_id)

    async def ReleasePledge(self, request: pb.ReleasePledgeRequest, context: ServicerContext
                            ) -> pb.ReleasePledgeResponse:
        found = await loans.release(self.new_unit,
                                    codec.loan_command(request, reason_required=True),
                                    current_caller(), self.clock)
        return pb.ReleasePledgeResponse(loan=m.loan(found, self.clock()))

    async def GetLoan(self, request: pb.GetLoanRequest, context: ServicerContext
                      ) -> pb.GetLoanResponse:
        _ids(Violations(), loan_id=request.loan_id)
        found = await loans.get_loan(self.new_unit, request.loan_id, current_caller())
        return pb.GetLoanResponse(loan=m.loan(found, self.clock()))

    async def ListLoans(self, request: pb.ListLoansRequest, context: ServicerContext
                        ) -> pb.ListLoansResponse:
        v = Violations()
        for field in ("borrower_id", "lender_id", "asset_id"):
            if getattr(request, field):
                v.require_uuid(getattr(request, field), field)
        status = fields.enum_name(pb.LoanStatus, request.status, "LOAN_STATUS_", "status", v,
                                   required=False) or ""
        where = LoanFilter(request.borrower_id, request.lender_id, request.asset_id, status)
        position, size = decode_page(request.page.page_size, request.page.page_token, where, v)
        v.raise_if_any()
        found = await loans.list_loans(self.new_unit, where, position, size + 1,
                                       current_caller())
        now = self.clock()
        shown, page = page_of(found, position, size, where)
        return pb.ListLoansResponse(loans=[m.loan(x, now) for x in shown], page=page)

    async def GetGeneMap(self, request: pb.GetGeneMapRequest, context: ServicerContext
                         ) -> pb.GetGeneMapResponse:
        v = Violations()
        v.require_uuid(request.asset_id, "asset_id")
        position, size = decode_page(request.page.page_size, request.page.page_token,
                                     request.asset_id, v)
        v.raise_if_any()
        current_caller()
        found = await gene_map_queries.entries(self.new_unit, request.asset_id, position,
                                               size + 1)
        shown, page = page_of(found, position, size, request.asset_id)
        return pb.GetGeneMapResponse(entries=[m.gene_entry(e) for e in shown], page=page)
