"""matching's gRPC API: decode -> use case -> encode, nothing else.

RPCs not listed here answer UNIMPLEMENTED (the generated base class) until built.
"""

from __future__ import annotations

from dataclasses import dataclass

from ntb.matching.v1 import matching_pb2 as pb
from ntb.matching.v1 import matching_pb2_grpc
from ntb_matching.domain import contract
from ntb_matching.domain.model import ScoringWeights
from ntb_matching.entrypoints import codec
from ntb_matching.entrypoints.order_api import OrderApi
from ntb_matching.service import demands, entrustments
from ntb_matching.service.orders import OrderServices
from ntb_matching.service.unit_of_work import NewUnit
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
            candidates=[codec.candidate(c, self.weights) for c in found])

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
