"""A platform service calls another with its own credentials (embedded suite, real gRPC).

identity creates every member's service client from its settings; the token it issues
lets the service act for principals (open a wallet, move a principal's coins) but not
as an operator, and auditors read without ever moving money.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio

from ntb.common.v1 import common_pb2
from ntb.laborcoin.v1 import laborcoin_pb2 as lcpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_cli.embedded import runtimes
from ntb_cli.suite import SUITE, development_service_secret, wiring
from ntbkit.auth import ROLE_AUDITOR, ROLE_OPERATOR, ROLE_SERVICE, Caller
from ntbkit.errors import PermissionDenied
from ntbkit.service_client import ServiceTokens, service_channel
from ntbkit.testing import port_under_test

PORT_OFFSET = port_under_test(1261) - 50051


@pytest_asyncio.fixture
async def suite(tmp_path: Path) -> AsyncIterator[None]:
    members = runtimes(tmp_path, "127.0.0.1", port_offset=PORT_OFFSET, metrics_port=0)
    for runtime in members:
        await runtime.start()
    yield None
    for runtime in reversed(members):
        await runtime.stop()


def target(name: str) -> str:
    return f"127.0.0.1:{next(m.port for m in SUITE if m.name == name) + PORT_OFFSET}"


def tokens_of(name: str) -> ServiceTokens:
    return ServiceTokens(target("identity"), f"svc-{name}", development_service_secret(name))


async def test_a_service_acts_for_a_principal_but_is_no_operator(suite: None) -> None:
    person_id = str(uuid.uuid4())
    async with service_channel(target("laborcoin"), tokens_of("matching")) as channel:
        laborcoin = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)
        opened = await laborcoin.CreateAccounts(lcpb.CreateAccountsRequest(
            request_id=str(uuid.uuid4()),
            accounts=[lcpb.Account(
                account_id=str(uuid.uuid4()), owner_id=person_id, asset="LBC",
                kind=lcpb.ACCOUNT_KIND_WALLET,
                flags=lcpb.AccountFlags(debits_must_not_exceed_credits=True))],
        ), timeout=10)
        account_id = opened.results[0].account_id
        account = await laborcoin.GetAccount(lcpb.GetAccountRequest(account_id=account_id),
                                             timeout=10)
        assert account.account.owner_id == person_id

        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await laborcoin.SetPolicy(lcpb.SetPolicyRequest(
                request_id=str(uuid.uuid4()), k=common_pb2.Decimal(value="2"),
                expected_version=1, reason="a service may not change policy",
            ), timeout=10)
        assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_wrong_service_secret_gets_no_token(suite: None) -> None:
    tokens = ServiceTokens(target("identity"), "svc-matching", "not-the-secret")
    async with service_channel(target("laborcoin"), tokens) as channel:
        laborcoin = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)
        with pytest.raises(Exception, match="no service token for svc-matching"):
            await laborcoin.GetAccount(lcpb.GetAccountRequest(account_id=str(uuid.uuid4())),
                                       timeout=10)


async def test_the_token_is_fetched_once_and_reused(suite: None) -> None:
    tokens = tokens_of("scf-exchange")
    first = await tokens.token()
    assert await tokens.token() == first


def test_every_member_but_identity_gets_credentials_identity_creates() -> None:
    identity = next(m for m in SUITE if m.name == "identity")
    created = wiring(identity, lambda name: name)["service_clients"]
    for member in SUITE:
        if member.name == "identity":
            continue
        own = wiring(member, lambda name: name)
        assert created[own["service_client_id"]] == own["service_client_secret"]


def test_auditors_read_but_never_act_for_others() -> None:
    auditor = Caller("a", frozenset({ROLE_AUDITOR}), frozenset())
    auditor.require_access_to("someone")
    with pytest.raises(PermissionDenied):
        auditor.require_may_act_for("someone")
    for role in (ROLE_OPERATOR, ROLE_SERVICE):
        Caller("x", frozenset({role}), frozenset()).require_may_act_for("someone")
    Caller("me", frozenset(), frozenset()).require_may_act_for("me")
    with pytest.raises(PermissionDenied):
        Caller("me", frozenset(), frozenset()).require_may_act_for("someone")
