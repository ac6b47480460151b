"""identity's gRPC API, second half: principals' lifecycle, clients, keys, waves."""

from __future__ import annotations

from datetime import UTC, datetime

from ntb.identity.v1 import identity_pb2 as pb
from ntb_identity.adapters import wave_messages as m
from ntb_identity.adapters.contract_key_messages import principal_signing_key
from ntb_identity.adapters.signing_keys import SigningKeyStore
from ntb_identity.entrypoints import codec, requests, responses
from ntb_identity.service import api_clients, contract_keys, principals, signing, wave_queries
from ntb_identity.service.unit_of_work import NewUnit
from ntbkit.auth import current_caller
from ntbkit.grpc import ServicerContext


class LifecycleApi:
    new_unit: NewUnit
    keys: SigningKeyStore

    @property
    def sealer(self) -> api_clients.Sealer:
        return api_clients.Sealer(self.keys.seal, self.keys.unseal)

    async def SearchPrincipals(
        self, request: pb.SearchPrincipalsRequest, context: ServicerContext
    ) -> pb.SearchPrincipalsResponse:
        search = requests.search(request)
        found, more = await principals.search_principals(self.new_unit, search, current_caller())
        response = pb.SearchPrincipalsResponse(principals=[codec.principal(p) for p in found])
        if more:
            last = found[-1]
            response.page.next_page_token = requests.page_token(
                request, [last.created_at.isoformat(), last.principal_id])
        return response

    async def UpdatePersonProfile(
        self, request: pb.UpdatePersonProfileRequest, context: ServicerContext
    ) -> pb.UpdatePersonProfileResponse:
        command = requests.update_person(request)
        principal = await principals.update_person_profile(self.new_unit, command,
                                                           current_caller())
        return pb.UpdatePersonProfileResponse(principal=codec.principal(principal))

    async def UpdateEnterpriseProfile(
        self, request: pb.UpdateEnterpriseProfileRequest, context: ServicerContext
    ) -> pb.UpdateEnterpriseProfileResponse:
        command = requests.update_enterprise(request)
        principal = await principals.update_enterprise_profile(self.new_unit, command,
                                                               current_caller())
        return pb.UpdateEnterpriseProfileResponse(principal=codec.principal(principal))

    async def SetKycStatus(
        self, request: pb.SetKycStatusRequest, context: ServicerContext
    ) -> pb.SetKycStatusResponse:
        command = requests.set_kyc(request)
        principal = await principals.set_kyc_status(self.new_unit, command, current_caller())
        return pb.SetKycStatusResponse(principal=codec.principal(principal))

    async def CreateApiClient(
        self, request: pb.CreateApiClientRequest, context: ServicerContext
    ) -> pb.CreateApiClientResponse:
        command = requests.create_client(request)
        created = await api_clients.create_api_client(self.new_unit, self.sealer, command,
                                                      current_caller())
        return pb.CreateApiClientResponse(api_client=responses.api_client(created.client),
                                          client_secret=created.secret)

    async def ListApiClients(
        self, request: pb.ListApiClientsRequest, context: ServicerContext
    ) -> pb.ListApiClientsResponse:
        listing = requests.client_listing(request)
        found, more = await api_clients.list_clients(self.new_unit, listing, current_caller())
        response = pb.ListApiClientsResponse(api_clients=[responses.api_client(c) for c in found])
        if more:
            last = found[-1]
            response.page.next_page_token = requests.page_token(
                request, [last.created_at.isoformat(), last.client_id])
        return response

    async def RotateApiClientSecret(
        self, request: pb.RotateApiClientSecretRequest, context: ServicerContext
    ) -> pb.RotateApiClientSecretResponse:
        command = requests.rotate(request)
        rotated = await api_clients.rotate_secret(self.new_unit, self.sealer, command,
                                                  current_caller())
        return pb.RotateApiClientSecretResponse(api_client=responses.api_client(rotated.client),
                                                client_secret=rotated.secret)

    async def RevokeApiClient(
        self, request: pb.RevokeApiClientRequest, context: ServicerContext
    ) -> pb.RevokeApiClientResponse:
        command = requests.revoke(request)
        revoked = await api_clients.revoke(self.new_unit, self.sealer, command, current_caller())
        return pb.RevokeApiClientResponse(api_client=responses.api_client(revoked.client))

    async def RotateSigningKey(
        self, request: pb.RotateSigningKeyRequest, context: ServicerContext
    ) -> pb.RotateSigningKeyResponse:
        request_id = requests.request_id(request.request_id)
        current, retired = await signing.rotate(self.new_unit, self.keys, request_id,
                                                current_caller())
        return pb.RotateSigningKeyResponse(
            current=codec.signing_key(current.key_id, current.public_key, current.not_before,
                                      current.not_after),
            retired=codec.signing_key(retired.key_id, retired.public_key, retired.not_before,
                                      retired.not_after))

    async def RegisterSigningPublicKey(
        self, request: pb.RegisterSigningPublicKeyRequest, context: ServicerContext
    ) -> pb.RegisterSigningPublicKeyResponse:
        command = requests.register_signing_key(request)
        key = await contract_keys.register_key(self.new_unit, command, current_caller())
        return pb.RegisterSigningPublicKeyResponse(key=principal_signing_key(key))

    async def ListSigningPublicKeys(
        self, request: pb.ListSigningPublicKeysRequest, context: ServicerContext
    ) -> pb.ListSigningPublicKeysResponse:
        principal_id = requests.principal_id(request.principal_id)
        found = await contract_keys.list_keys(self.new_unit, principal_id, current_caller())
        return pb.ListSigningPublicKeysResponse(keys=[principal_signing_key(k) for k in found])

    async def RevokeSigningPublicKey(
        self, request: pb.RevokeSigningPublicKeyRequest, context: ServicerContext
    ) -> pb.RevokeSigningPublicKeyResponse:
        command = requests.revoke_signing_key(request)
        key = await contract_keys.revoke_key(self.new_unit, command, current_caller())
        return pb.RevokeSigningPublicKeyResponse(key=principal_signing_key(key))

    async def GetValueWave(
        self, request: pb.GetValueWaveRequest, context: ServicerContext
    ) -> pb.GetValueWaveResponse:
        query = requests.wave(request)
        points, more, current = await wave_queries.value_wave(self.new_unit, query,
                                                              current_caller())
        response = pb.GetValueWaveResponse(points=[m.value_point(p) for p in points],
                                           current=m.value_point(current))
        if more:
            response.page.next_page_token = requests.page_token(
                request, [str(points[-1].sequence)])
        return response

    async def ExplainValue(
        self, request: pb.ExplainValueRequest, context: ServicerContext
    ) -> pb.ExplainValueResponse:
        at = requests.at(request)
        point, previous = await wave_queries.value_at(self.new_unit, request.principal_id, at,
                                                      current_caller())
        return responses.explain_value(point, previous)

    async def GetCreditWave(
        self, request: pb.GetCreditWaveRequest, context: ServicerContext
    ) -> pb.GetCreditWaveResponse:
        query = requests.wave(request)
        points, more, current = await wave_queries.credit_wave(self.new_unit, query,
                                                               current_caller())
        response = pb.GetCreditWaveResponse(points=[m.credit_point(p) for p in points],
                                            current=m.credit_point(current))
        if more:
            response.page.next_page_token = requests.page_token(
                request, [str(points[-1].sequence)])
        return response

    async def ExplainCredit(
        self, request: pb.ExplainCreditRequest, context: ServicerContext
    ) -> pb.ExplainCreditResponse:
        at = requests.at(request)
        point, previous = await wave_queries.credit_at(self.new_unit, request.principal_id, at,
                                                       current_caller())
        return responses.explain_credit(point, previous)

    async def GetValueModel(
        self, request: pb.GetValueModelRequest, context: ServicerContext
    ) -> pb.GetValueModelResponse:
        model = requests.value_model(request)
        return pb.GetValueModelResponse(model=responses.value_model(model))

    async def GetEnterpriseRating(
        self, request: pb.GetEnterpriseRatingRequest, context: ServicerContext
    ) -> pb.GetEnterpriseRatingResponse:
        principal_id = requests.principal_id(request.principal_id)
        result = await wave_queries.rate_enterprise(self.new_unit, principal_id,
                                                    current_caller())
        return pb.GetEnterpriseRatingResponse(
            rating=responses.rating(principal_id, result, datetime.now(UTC)))

    async def RecommendPayBand(
        self, request: pb.RecommendPayBandRequest, context: ServicerContext
    ) -> pb.RecommendPayBandResponse:
        query = requests.pay_band(request)
        band, version = await wave_queries.recommend_pay_band(self.new_unit, query,
                                                              current_caller())
        return pb.RecommendPayBandResponse(
            band=responses.band(request, band, version, datetime.now(UTC)))
