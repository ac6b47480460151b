"""identity over gRPC: enterprise ratings and the principals directory."""

from __future__ import annotations

import grpc

from ntb.common.v1 import common_pb2
from ntb.identity.v1 import identity_pb2, identity_pb2_grpc
from ntb_scf_exchange.service.ports import PrincipalInfo
from ntbkit.errors import Unavailable

TIMEOUT_S = 5.0


class GrpcRatings:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = identity_pb2_grpc.IdentityServiceStub(channel)

    async def rating(self, enterprise_id: str) -> str:
        try:
            response = await self._stub.GetEnterpriseRating(
                identity_pb2.GetEnterpriseRatingRequest(principal_id=enterprise_id),
                timeout=TIMEOUT_S)
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION,
                                grpc.StatusCode.INVALID_ARGUMENT):
                return ""  # not an enterprise identity rates: priced as unrated
            raise Unavailable(f"identity: {error.details()}") from error
        value = response.rating.rating
        if value == common_pb2.CREDIT_RATING_UNSPECIFIED:
            return ""
        return common_pb2.CreditRating.Name(value).removeprefix("CREDIT_RATING_")


class GrpcDirectory:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = identity_pb2_grpc.IdentityServiceStub(channel)

    async def principal(self, principal_id: str) -> PrincipalInfo | None:
        try:
            response = await self._stub.GetPrincipal(
                identity_pb2.GetPrincipalRequest(principal_id=principal_id), timeout=TIMEOUT_S)
        except grpc.aio.AioRpcError as error:
            if error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                return None
            raise Unavailable(f"identity: {error.details()}") from error
        found = response.principal
        return PrincipalInfo(
            kind=identity_pb2.PrincipalKind.Name(found.kind).removeprefix("PRINCIPAL_KIND_"),
            kyc_verified=found.kyc_status == identity_pb2.KYC_STATUS_VERIFIED)
