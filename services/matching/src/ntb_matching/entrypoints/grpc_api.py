"""matching's gRPC API: decode -> use case -> encode, nothing else.

RPCs not listed here answer UNIMPLEMENTED (the generated base class) until built.
"""

from __future__ import annotations

from dataclasses import dataclass

from ntb.common.v1 import common_pb2, verifiable_log_pb2
from ntb.matching.v1 import matching_pb2 as pb
from ntb.matching.v1 import matching_pb2_grpc
from ntb_matching.domain import contract
from ntb_matching.domain.model import ScoringWeights
from ntb_matching.entrypoints import codec
from ntb_matching.entrypoints.order_api import OrderApi
from ntb_matching.service import demands, entrustments
from ntb_matching.service.orders import OrderServices
from ntb_matching.service.unit_of_work import NewUnit
from ntbkit import paging
from ntbkit.auth import current_caller
from ntbkit.grpc import ServicerContext
from ntbkit.validation import Violations


@dataclass
class MatchingApi(OrderApi, matching_pb2_grpc.MatchingServiceServicer):
    new_unit: NewUnit
    platform: contract.ContractSigner
    platform_key_id: str
    verifier: contract.SignatureVerifier
    weights: ScoringWeights
    orders: OrderServices

    async def EntrustLabor(
        self, request: pb.EntrustLaborRequest, context: ServicerContext
    ) -> pb.EntrustLaborResponse:
        command = codec.entrust(request)
        found = await entrustments.entrust_labor(self.new_unit, command, current_caller())
        return pb.EntrustLaborResponse(
            entrustment=codec.entrustment(found, self.platform_key_id))

    async def SignEntrustment(
        self, request: pb.SignEntrustmentRequest, context: ServicerContext
    ) -> pb.SignEntrustmentResponse:
        command = codec.sign(request)
        found = await entrustments.sign_entrustment(
            self.new_unit, command, current_caller(), platform=self.platform,
            verifier=self.verifier)
        return pb.SignEntrustmentResponse(
            entrustment=codec.entrustment(found, self.platform_key_id))

    async def PostDemand(
        self, request: pb.PostDemandRequest, context: ServicerContext
    ) -> pb.PostDemandResponse:
        command = codec.post_demand(request)
        posted = await demands.post_demand(self.new_unit, command, current_caller())
        return pb.PostDemandResponse(demand=codec.demand(posted))

    async def GetDemand(
        self, request: pb.GetDemandRequest, context: ServicerContext
    ) -> pb.GetDemandResponse:
        v = Violations()
        v.require_uuid(request.demand_id, "demand_id")
        v.raise_if_any()
        posted = await demands.get_demand(self.new_unit, request.demand_id, current_caller())
        return pb.GetDemandResponse(demand=codec.demand(posted))

    async def ProposeCandidates(
        self, request: pb.ProposeCandidatesRequest, context: ServicerContext
    ) -> pb.ProposeCandidatesResponse:
        v = Violations()
        v.require_uuid(request.demand_id, "demand_id")
        v.check(0 <= request.top_k <= 50, "top_k", "0..50 (0 means 10)")
        v.raise_if_any()
        found = await demands.candidates(self.new_unit, request.demand_id,
                                         request.top_k or 10, current_caller(), self.weights)
        return pb.ProposeCandidatesResponse(
            candidates=[codec.candidate(c.candidate, c.hourly_price_fen, self.weights)
                        for c in found])

    async def ListDemands(
        self, request: pb.ListDemandsRequest, context: ServicerContext
    ) -> pb.ListDemandsResponse:
        v = Violations()
        if request.buyer_id:
            v.require_uuid(request.buyer_id, "buyer_id")
        v.check(len(request.skills) <= 20, "skills", "at most 20")
        status = "" if request.status == pb.DEMAND_STATUS_UNSPECIFIED else (
            pb.DemandStatus.Name(request.status).removeprefix("DEMAND_STATUS_"))
        filters = (request.buyer_id, status, sorted(request.skills))
        offset, size = paging.decode_page(request.page.page_size, request.page.page_token,
                                          filters, v)
        v.raise_if_any()
        found = await demands.list_demands(
            self.new_unit, current_caller(), buyer_id=request.buyer_id, status=status,
            skills=list(request.skills), offset=offset, size=size)
        token = paging.encode_token(offset + size, filters) if len(found) == size else ""
        return pb.ListDemandsResponse(demands=[codec.demand(d) for d in found],
                                      page=common_pb2.PageResponse(next_page_token=token))

    async def CancelDemand(
        self, request: pb.CancelDemandRequest, context: ServicerContext
    ) -> pb.CancelDemandResponse:
        v = Violations()
        v.require_uuid(request.request_id, "request_id")
        v.require_uuid(request.demand_id, "demand_id")
        v.check_text(request.reason, "reason", length_max=500)
        v.raise_if_any()
        found = await demands.cancel_demand(self.new_unit, demands.CancelDemand(
            request.request_id, request.demand_id, request.reason), current_caller())
        return pb.CancelDemandResponse(demand=codec.demand(found))

    async def MatchDemands(
        self, request: pb.MatchDemandsRequest, context: ServicerContext
    ) -> pb.MatchDemandsResponse:
        command = codec.match_demands(request)
        found = await demands.match_demands(self.new_unit, command, current_caller(),
                                            self.weights)
        return pb.MatchDemandsResponse(
            assignments=[pb.Assignment(
                demand_id=c.candidate.demand_id, order_id=order_id,
                candidate=codec.candidate(c.candidate, c.hourly_price_fen, self.weights))
                for c, order_id in found.assignments],
            unassigned_demand_ids=list(found.unassigned_demand_ids),
            objective=common_pb2.Decimal(value=str(found.objective)))

    async def ListEntrustments(
        self, request: pb.ListEntrustmentsRequest, context: ServicerContext
    ) -> pb.ListEntrustmentsResponse:
        v = Violations()
        if request.person_id:
            v.require_uuid(request.person_id, "person_id")
        status = "" if request.status == pb.ENTRUSTMENT_STATUS_UNSPECIFIED else (
            pb.EntrustmentStatus.Name(request.status).removeprefix("ENTRUSTMENT_STATUS_"))
        filters = (request.person_id, status)
        offset, size = paging.decode_page(request.page.page_size, request.page.page_token,
                                          filters, v)
        v.raise_if_any()
        found = await entrustments.list_entrustments(
            self.new_unit, current_caller(), person_id=request.person_id, status=status,
            offset=offset, size=size)
        token = paging.encode_token(offset + size, filters) if len(found) == size else ""
        return pb.ListEntrustmentsResponse(
            entrustments=[codec.entrustment(e, self.platform_key_id) for e in found],
            page=common_pb2.PageResponse(next_page_token=token))

    async def WithdrawEntrustment(
        self, request: pb.WithdrawEntrustmentRequest, context: ServicerContext
    ) -> pb.WithdrawEntrustmentResponse:
        command = codec.withdraw(request)
        found = await entrustments.withdraw_entrustment(self.new_unit, command,
                                                        current_caller())
        return pb.WithdrawEntrustmentResponse(
            entrustment=codec.entrustment(found, self.platform_key_id))

    async def VerifyContract(
        self, request: pb.VerifyContractRequest, context: ServicerContext
    ) -> pb.VerifyContractResponse:
        v = Violations()
        v.require_uuid(request.contract_id, "contract_id")
        v.raise_if_any()
        current_caller()  # any authenticated caller
        found = await entrustments.verify_contract(
            self.new_unit, request.contract_id, platform_public_key=self.platform.public_key,
            verifier=self.verifier)
        checked = found.verification
        return pb.VerifyContractResponse(
            contract=codec.entrustment(found.entrustment, self.platform_key_id).contract,
            terms_hash_valid=checked.terms_hash_valid,
            signer_signature_valid=checked.signer_signature_valid,
            platform_signature_valid=checked.platform_signature_valid,
            signer_public_key=found.signer_public_key,
            platform_public_key=self.platform.public_key)

    async def GetPlatformSigningKeys(
        self, request: pb.GetPlatformSigningKeysRequest, context: ServicerContext
    ) -> pb.GetPlatformSigningKeysResponse:
        return pb.GetPlatformSigningKeysResponse(keys=[verifiable_log_pb2.PublicKey(
            key_id=self.platform_key_id, algorithm="Ed25519",
            public_key=self.platform.public_key)])

    async def GetEntrustment(
        self, request: pb.GetEntrustmentRequest, context: ServicerContext
    ) -> pb.GetEntrustmentResponse:
        v = Violations()
        v.require_uuid(request.entrustment_id, "entrustment_id")
        v.raise_if_any()
        found = await entrustments.get_entrustment(self.new_unit, request.entrustment_id,
                                                   current_caller())
        return pb.GetEntrustmentResponse(
            entrustment=codec.entrustment(found, self.platform_key_id))
