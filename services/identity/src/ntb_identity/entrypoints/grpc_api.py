"""identity's gRPC API: decode -> use case -> encode, nothing else.

RPCs not listed here answer UNIMPLEMENTED (the generated base class) until built.
"""

from __future__ import annotations

from dataclasses import dataclass

from ntb.identity.v1 import identity_pb2 as pb
from ntb.identity.v1 import identity_pb2_grpc
from ntb_identity.adapters.signing_keys import SigningKeyStore
from ntb_identity.entrypoints import codec
from ntb_identity.entrypoints.grpc_api_waves import LifecycleApi
from ntb_identity.service import handlers
from ntb_identity.settings import IdentitySettings
from ntbkit.auth import current_caller
from ntbkit.grpc import ServicerContext

PUBLIC_METHODS = (
    "/ntb.identity.v1.IdentityService/IssueToken",
    "/ntb.identity.v1.IdentityService/GetSigningKeys",
)


@dataclass
class IdentityApi(LifecycleApi, identity_pb2_grpc.IdentityServiceServicer):
    new_unit: handlers.NewUnit
    keys: SigningKeyStore
    settings: IdentitySettings

    async def RegisterPrincipal(
        self, request: pb.RegisterPrincipalRequest, context: ServicerContext
    ) -> pb.RegisterPrincipalResponse:
        command = codec.register_principal(request)
        principal = await handlers.register_principal(self.new_unit, command, current_caller())
        return pb.RegisterPrincipalResponse(principal=codec.principal(principal))

    async def GetPrincipal(
        self, request: pb.GetPrincipalRequest, context: ServicerContext
    ) -> pb.GetPrincipalResponse:
        principal_id = codec.principal_id(request)
        principal = await handlers.get_principal(self.new_unit, principal_id, current_caller())
        return pb.GetPrincipalResponse(principal=codec.principal(principal))

    async def IssueToken(
        self, request: pb.IssueTokenRequest, context: ServicerContext
    ) -> pb.IssueTokenResponse:
        command = codec.issue_token(request)
        token = await handlers.issue_token(
            self.new_unit, command, self.keys,
            issuer=self.settings.token_issuer, audience=self.settings.token_audience,
        )
        return codec.issued_token(token)

    async def GetSigningKeys(
        self, request: pb.GetSigningKeysRequest, context: ServicerContext
    ) -> pb.GetSigningKeysResponse:
        keys = await self.keys.published()
        return pb.GetSigningKeysResponse(
            keys=[codec.signing_key(k.key_id, k.public_key, k.not_before, k.not_after)
                  for k in keys]
        )
