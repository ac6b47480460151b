"""The first steps a bank takes, through the public gRPC APIs of the distributed suite
(six processes, PostgreSQL, Kafka): register a person, see the wallet appear in
laborcoin through a Kafka event within 5 s; bad input, retries and a crash of the
consumer behave as the contract says."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio
from e2e_suite import DistributedSuite
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from ntb.fx_model.v1 import fx_model_pb2, fx_model_pb2_grpc
from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lcpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb.matching.v1 import matching_pb2, matching_pb2_grpc

WALLET_DEADLINE_S = 5.0
pytestmark = pytest.mark.asyncio(loop_scope="session")  # the suite lives in the session loop


@pytest_asyncio.fixture(loop_scope="session")
async def token(suite: DistributedSuite) -> str:
    return await suite.operator_token()


@pytest_asyncio.fixture(loop_scope="session")
async def identity(
    suite: DistributedSuite,
) -> AsyncIterator[identity_pb2_grpc.IdentityServiceStub]:
    async with grpc.aio.insecure_channel(suite.target("identity")) as channel:
        yield identity_pb2_grpc.IdentityServiceStub(channel)


def person_request(
    name: str = "Li Wei", request_id: str | None = None
) -> idpb.RegisterPrincipalRequest:
    return idpb.RegisterPrincipalRequest(
        request_id=request_id or str(uuid.uuid4()),
        kind=idpb.PRINCIPAL_KIND_PERSON,
        display_name=name,
        country_code="CN",
        region="CN-GD",
        industry_code="C26",
        person=idpb.PersonProfile(birth_year=1990, experience_years=8, education="bachelor",
                                  skills=["python", "cnc-milling"]),
    )


def auth(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


async def wallet_of(suite: DistributedSuite, token: str, owner_id: str) -> lcpb.Account | None:
    async with grpc.aio.insecure_channel(suite.target("laborcoin")) as channel:
        stub = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)
        try:
            response = await stub.GetAccount(
                lcpb.GetAccountRequest(owner=lcpb.AccountOwnerKey(
                    owner_id=owner_id, asset="LBC", kind=lcpb.ACCOUNT_KIND_WALLET)),
                metadata=auth(token), timeout=5,
            )
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
    return response.account


async def test_registered_person_gets_a_wallet_through_kafka_within_5s(
    suite: DistributedSuite, identity: identity_pb2_grpc.IdentityServiceStub, token: str
) -> None:
    started_s = time.monotonic()
    response = await identity.RegisterPrincipal(person_request(), metadata=auth(token), timeout=10)
    principal_id = response.principal.principal_id
    wallet = None
    while wallet is None and time.monotonic() - started_s < WALLET_DEADLINE_S:
        wallet = await wallet_of(suite, token, principal_id)
        if wallet is None:
            await asyncio.sleep(0.05)
    assert wallet is not None, f"no wallet within {WALLET_DEADLINE_S}s"
    assert (wallet.owner_id, wallet.asset, wallet.kind) == (
        principal_id, "LBC", lcpb.ACCOUNT_KIND_WALLET)
    assert wallet.flags.debits_must_not_exceed_credits
    assert wallet.credits_posted == wallet.debits_posted == 0


async def test_bad_registration_lists_one_violation_per_bad_field(
    identity: identity_pb2_grpc.IdentityServiceStub, token: str
) -> None:
    request = person_request(name="   ")
    request.country_code = "XX"
    try:
        await identity.RegisterPrincipal(request, metadata=auth(token), timeout=10)
        raise AssertionError("expected INVALID_ARGUMENT")
    except grpc.aio.AioRpcError as error:
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        status = rpc_status.from_call(error)
    assert status is not None
    bad_request = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad_request)
    assert [v.field for v in bad_request.field_violations] == ["display_name", "country_code"]


async def test_same_request_id_returns_first_result_and_other_body_is_already_exists(
    identity: identity_pb2_grpc.IdentityServiceStub, token: str
) -> None:
    request_id = str(uuid.uuid4())
    first = await identity.RegisterPrincipal(
        person_request("Wang Fang", request_id), metadata=auth(token), timeout=10)
    again = await identity.RegisterPrincipal(
        person_request("Wang Fang", request_id), metadata=auth(token), timeout=10)
    assert again.principal == first.principal
    try:
        await identity.RegisterPrincipal(
            person_request("Zhang Min", request_id), metadata=auth(token), timeout=10)
        raise AssertionError("expected ALREADY_EXISTS")
    except grpc.aio.AioRpcError as error:
        assert error.code() == grpc.StatusCode.ALREADY_EXISTS


async def test_calls_without_a_valid_token_are_unauthenticated(
    identity: identity_pb2_grpc.IdentityServiceStub,
) -> None:
    for metadata in ((), auth("not.a.token")):
        try:
            await identity.RegisterPrincipal(person_request(), metadata=metadata, timeout=10)
            raise AssertionError("expected UNAUTHENTICATED")
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_matching_knows_no_such_order_and_fx_serves_a_real_rate(
    suite: DistributedSuite, token: str
) -> None:
    async with grpc.aio.insecure_channel(suite.target("matching")) as channel:
        try:
            await matching_pb2_grpc.MatchingServiceStub(channel).GetOrder(
                matching_pb2.GetOrderRequest(order_id=str(uuid.uuid4())), metadata=auth(token),
                timeout=10)
            raise AssertionError("expected NOT_FOUND")
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.NOT_FOUND
    async with grpc.aio.insecure_channel(suite.target("fx-model")) as channel:
        response = await fx_model_pb2_grpc.FxModelServiceStub(channel).GetRate(
            fx_model_pb2.GetRateRequest(country_code="JPN", year=2013), timeout=10)
    assert response.rate.local_per_usd.value.startswith("104.648")
    assert response.rate.official_local_per_usd.value.startswith("97.59")
    assert {row.column for row in response.rate.inputs} >= {"gdp_per_capita_usd", "avg_wage_lcu"}


async def test_laborcoin_killed_while_consuming_leaves_one_wallet_per_principal(
    suite: DistributedSuite, identity: identity_pb2_grpc.IdentityServiceStub, token: str
) -> None:
    principals = []
    for index in range(40):
        response = await identity.RegisterPrincipal(
            person_request(f"Worker {index}"), metadata=auth(token), timeout=10)
        principals.append(response.principal.principal_id)
        if index == 10:
            await suite.kill("laborcoin")  # SIGKILL while it consumes the stream
    await suite.start("laborcoin")
    deadline_s = time.monotonic() + 30
    missing = list(principals)
    while missing and time.monotonic() < deadline_s:
        missing = [p for p in missing if await wallet_of(suite, token, p) is None]
        await asyncio.sleep(0.2)
    assert not missing, f"{len(missing)} principals without a wallet"
    opened = await suite.wallet_counts(principals)
    assert opened == {principal_id: 1 for principal_id in principals}
