"""Every service refuses what it must, through real gRPC calls on the distributed suite
(six processes, PostgreSQL, Kafka): no token, an expired token, a token signed by
another key, a token with tampered claims -> UNAUTHENTICATED; a person reaching another
principal's resource -> PERMISSION_DENIED; never data. Token-signing key rotation:
tokens of the retired key keep working, tokens of the new key work everywhere."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest
from auth_tokens import expired_operator_token, other_key_tokens, tampered
from e2e_suite import DistributedSuite

from ntb.fx_model.v1 import fx_model_pb2, fx_model_pb2_grpc
from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb.intangible_bank.v1 import intangible_bank_pb2, intangible_bank_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lcpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb.matching.v1 import matching_pb2, matching_pb2_grpc
from ntb.scf_exchange.v1 import scf_exchange_pb2, scf_exchange_pb2_grpc

pytestmark = pytest.mark.asyncio(loop_scope="session")
Call = Callable[[grpc.aio.Channel, str], Awaitable[Any]]
SOME_ID = str(uuid.uuid4())


def auth(token: str | None) -> tuple[tuple[str, str], ...]:
    return () if token is None else (("authorization", f"Bearer {token}"),)


def calls(owner_id: str) -> dict[str, Call]:
    """One RPC per service that reads `owner_id`'s data (or any id, where unbuilt)."""
    return {
        "identity": lambda ch, t: identity_pb2_grpc.IdentityServiceStub(ch).GetValueWave(
            idpb.GetValueWaveRequest(principal_id=owner_id), metadata=auth(t), timeout=10),
        "laborcoin": lambda ch, t: laborcoin_pb2_grpc.LaborCoinServiceStub(ch).GetAccount(
            lcpb.GetAccountRequest(owner=lcpb.AccountOwnerKey(
                owner_id=owner_id, asset="LBC", kind=lcpb.ACCOUNT_KIND_WALLET)),
            metadata=auth(t), timeout=10),
        "matching": lambda ch, t: matching_pb2_grpc.MatchingServiceStub(ch).ListOrders(
            matching_pb2.ListOrdersRequest(buyer_id=owner_id), metadata=auth(t), timeout=10),
        "intangible-bank": lambda ch, t: intangible_bank_pb2_grpc.IntangibleBankServiceStub(
            ch).InvestigateHolderCredit(intangible_bank_pb2.InvestigateHolderCreditRequest(
                principal_id=owner_id), metadata=auth(t), timeout=10),
        "scf-exchange": lambda ch, t: scf_exchange_pb2_grpc.ScfExchangeServiceStub(
            ch).GetShipment(scf_exchange_pb2.GetShipmentRequest(shipment_id=SOME_ID),
                            metadata=auth(t), timeout=10),
        # fx-model's reads are public reference data; its upload needs an operator.
        "fx-model": lambda ch, t: fx_model_pb2_grpc.FxModelServiceStub(ch).UploadIndicators(
            fx_model_pb2.UploadIndicatorsRequest(request_id=SOME_ID),
            metadata=auth(t), timeout=10),
    }


async def status_of(suite: DistributedSuite, service: str, call: Call,
                    token: str | None) -> grpc.StatusCode:
    async with grpc.aio.insecure_channel(suite.target(service)) as channel:
        try:
            await call(channel, token)  # type: ignore[arg-type]
        except grpc.aio.AioRpcError as error:
            return error.code()
    return grpc.StatusCode.OK


async def person_with_token(suite: DistributedSuite, operator: str) -> tuple[str, str]:
    async with grpc.aio.insecure_channel(suite.target("identity")) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        registered = await stub.RegisterPrincipal(idpb.RegisterPrincipalRequest(
            request_id=str(uuid.uuid4()), kind=idpb.PRINCIPAL_KIND_PERSON,
            display_name="Auth Person", country_code="CN", region="CN-SH", industry_code="J62",
            person=idpb.PersonProfile(birth_year=1992, experience_years=5)),
            metadata=auth(operator), timeout=10)
        principal_id = registered.principal.principal_id
        client = await stub.CreateApiClient(idpb.CreateApiClientRequest(
            request_id=str(uuid.uuid4()), principal_id=principal_id, display_name="app",
            scopes=["identity.read"]), metadata=auth(operator), timeout=10)
        token = await stub.IssueToken(idpb.IssueTokenRequest(
            grant_type="client_credentials", client_id=client.api_client.client_id,
            client_secret=client.client_secret), timeout=10)
    return principal_id, token.access_token


async def test_bad_tokens_are_unauthenticated_on_every_service(
    suite: DistributedSuite,
) -> None:
    operator = await suite.operator_token()
    _, person_token = await person_with_token(suite, operator)
    bad = {"none": None, "expired": await expired_operator_token(suite),
           "tampered": tampered(person_token), "garbage": "not.a.token"}
    for index, token in enumerate(await other_key_tokens(suite)):
        bad[f"other-key-{index}"] = token
    for service, call in calls(SOME_ID).items():
        for name, token in bad.items():
            code = await status_of(suite, service, call, token)
            assert code == grpc.StatusCode.UNAUTHENTICATED, (service, name, code)


async def test_another_principals_resource_is_permission_denied(
    suite: DistributedSuite,
) -> None:
    operator = await suite.operator_token()
    victim, _ = await person_with_token(suite, operator)
    _, intruder = await person_with_token(suite, operator)
    for service in ("identity", "laborcoin", "matching", "intangible-bank"):
        call = calls(victim)[service]
        for _ in range(100):  # laborcoin and intangible-bank learn of the victim from Kafka
            if await status_of(suite, service, call, operator) == grpc.StatusCode.OK:
                break
            await asyncio.sleep(0.05)
        code = await status_of(suite, service, call, intruder)
        assert code == grpc.StatusCode.PERMISSION_DENIED, service
    async with grpc.aio.insecure_channel(suite.target("identity")) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub.GetPrincipal(idpb.GetPrincipalRequest(principal_id=victim),
                                    metadata=auth(intruder), timeout=10)
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_rotated_key_old_tokens_still_verify_and_new_tokens_work(
    suite: DistributedSuite,
) -> None:
    old = await suite.operator_token()
    owner, _ = await person_with_token(suite, old)
    async with grpc.aio.insecure_channel(suite.target("identity")) as channel:
        rotated = await identity_pb2_grpc.IdentityServiceStub(channel).RotateSigningKey(
            idpb.RotateSigningKeyRequest(request_id=str(uuid.uuid4())),
            metadata=auth(old), timeout=10)
        keys = await identity_pb2_grpc.IdentityServiceStub(channel).GetSigningKeys(
            idpb.GetSigningKeysRequest(), timeout=10)
    assert rotated.retired.HasField("not_after")
    assert {rotated.current.key_id, rotated.retired.key_id} <= {k.key_id for k in keys.keys}
    new = await suite.operator_token()
    assert new != old
    for service in ("identity", "laborcoin"):
        call = calls(owner)[service]
        for token in (old, new):
            code = grpc.StatusCode.UNKNOWN
            for _ in range(80):  # services refresh keys at most every 5 s
                code = await status_of(suite, service, call, token)
                if code in (grpc.StatusCode.OK, grpc.StatusCode.PERMISSION_DENIED):
                    break
                await asyncio.sleep(0.1)
            assert code == grpc.StatusCode.OK, (service, code)
