"""Principals and client credentials through identity's gRPC API (real server on
loopback, SQLite): KYC moves only as an operator and only along allowed transitions,
each move published with its reason, evidence hashes and operator;
search filters and pages, and shows non-privileged callers only verified enterprises;
API client secrets are shown once, retried creates return the same secret, rotation
keeps the old secret for its grace period only, revocation stops new tokens."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from identity_server import IdentityServer, auth, identity_server, person

from ntb.events.v1 import identity_events_pb2 as iev
from ntb.identity.v1 import identity_pb2 as pb
from ntbkit.messaging.envelope import decode


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[IdentityServer]:
    async with identity_server(tmp_path, 901) as running:
        yield running


async def code_of(call: object) -> grpc.StatusCode:
    try:
        await call  # type: ignore[misc]
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def enterprise(name: str) -> pb.RegisterPrincipalRequest:
    return pb.RegisterPrincipalRequest(
        request_id=str(uuid.uuid4()), kind=pb.PRINCIPAL_KIND_ENTERPRISE, display_name=name,
        country_code="CN", region="CN-GD", industry_code="C26",
        enterprise=pb.EnterpriseProfile(registration_number=f"91440300{name[:4]}"))


async def client_for(server: IdentityServer, token: str, principal_id: str) -> tuple[str, str]:
    created = await server.stub.CreateApiClient(pb.CreateApiClientRequest(
        request_id=str(uuid.uuid4()), principal_id=principal_id, display_name="app",
        scopes=["identity.read"]), metadata=auth(token), timeout=10)
    return created.api_client.client_id, created.client_secret


def kyc(principal_id: str, status: pb.KycStatus.ValueType, reason: str = "checked"
        ) -> pb.SetKycStatusRequest:
    return pb.SetKycStatusRequest(request_id=str(uuid.uuid4()), principal_id=principal_id,
                                  kyc_status=status, reason=reason)


async def kyc_event(server: IdentityServer, principal_id: str) -> iev.KycStatusChanged:
    for _ in range(100):
        for envelope in server.bus.broker.logs["ntb.identity.principal.v1"]:
            if envelope.event_type == iev.KycStatusChanged.DESCRIPTOR.full_name:
                event = decode(envelope, iev.KycStatusChanged)
                assert isinstance(event, iev.KycStatusChanged)
                if event.principal_id == principal_id:
                    return event
        await asyncio.sleep(0.05)
    raise AssertionError("no KycStatusChanged")


async def test_kyc_moves_by_operator_along_allowed_transitions(server: IdentityServer) -> None:
    operator = await server.token()
    pid = (await server.stub.RegisterPrincipal(person(), metadata=auth(operator),
                                               timeout=10)).principal.principal_id
    own = await server.token(*await client_for(server, operator, pid))
    assert await code_of(server.stub.SetKycStatus(
        kyc(pid, pb.KYC_STATUS_VERIFIED), metadata=auth(own), timeout=5)
    ) == grpc.StatusCode.PERMISSION_DENIED
    request = kyc(pid, pb.KYC_STATUS_VERIFIED)
    request.evidence.add(name="id-card.pdf", sha256=hashlib.sha256(b"scan").digest(),
                         media_type="application/pdf")
    verified = await server.stub.SetKycStatus(request, metadata=auth(operator), timeout=5)
    assert verified.principal.kyc_status == pb.KYC_STATUS_VERIFIED
    changed = await kyc_event(server, pid)
    assert changed.previous_kyc_status == pb.KYC_STATUS_PENDING
    assert changed.evidence[0].sha256 == hashlib.sha256(b"scan").digest()
    assert changed.changed_by and changed.reason == "checked"
    assert await code_of(server.stub.SetKycStatus(
        kyc(pid, pb.KYC_STATUS_VERIFIED), metadata=auth(operator), timeout=5)
    ) == grpc.StatusCode.FAILED_PRECONDITION
    assert await code_of(server.stub.SetKycStatus(
        kyc(pid, pb.KYC_STATUS_REJECTED, reason=""), metadata=auth(operator), timeout=5)
    ) == grpc.StatusCode.INVALID_ARGUMENT


async def test_search_filters_pages_and_hides_persons_from_others(
    server: IdentityServer,
) -> None:
    operator = await server.token()
    ids = []
    for index in range(5):
        registered = await server.stub.RegisterPrincipal(
            enterprise(f"Acme {index}"), metadata=auth(operator), timeout=10)
        ids.append(registered.principal.principal_id)
    await server.stub.RegisterPrincipal(person("Acme Person"), metadata=auth(operator),
                                        timeout=10)
    await server.stub.SetKycStatus(kyc(ids[0], pb.KYC_STATUS_VERIFIED),
                                   metadata=auth(operator), timeout=5)
    first = await server.stub.SearchPrincipals(pb.SearchPrincipalsRequest(
        query="acme", page={"page_size": 4}), metadata=auth(operator), timeout=5)
    rest = await server.stub.SearchPrincipals(pb.SearchPrincipalsRequest(
        query="acme", page={"page_size": 4, "page_token": first.page.next_page_token}),
        metadata=auth(operator), timeout=5)
    assert len(first.principals) == 4 and len(rest.principals) == 2
    assert not rest.page.next_page_token
    assert await code_of(server.stub.SearchPrincipals(pb.SearchPrincipalsRequest(
        query="other", page={"page_token": first.page.next_page_token}),
        metadata=auth(operator), timeout=5)) == grpc.StatusCode.INVALID_ARGUMENT
    someone = await server.token(*await client_for(server, operator, ids[1]))
    seen = await server.stub.SearchPrincipals(pb.SearchPrincipalsRequest(query="acme"),
                                              metadata=auth(someone), timeout=5)
    assert [p.principal_id for p in seen.principals] == [ids[0]]


async def test_client_secret_retry_rotation_grace_and_revocation(
    server: IdentityServer,
) -> None:
    operator = await server.token()
    pid = (await server.stub.RegisterPrincipal(enterprise("Bank"), metadata=auth(operator),
                                               timeout=10)).principal.principal_id
    create = pb.CreateApiClientRequest(request_id=str(uuid.uuid4()), principal_id=pid,
                                       display_name="core banking", scopes=["identity.read"])
    first = await server.stub.CreateApiClient(create, metadata=auth(operator), timeout=10)
    again = await server.stub.CreateApiClient(create, metadata=auth(operator), timeout=10)
    assert first.client_secret == again.client_secret and len(first.client_secret) == 43
    client_id = first.api_client.client_id
    assert client_id.startswith("ntbc_") and len(client_id) == 31
    second, _ = await client_for(server, operator, pid)
    listed = await server.stub.ListApiClients(pb.ListApiClientsRequest(
        principal_id=pid, page={"page_size": 1}), metadata=auth(operator), timeout=5)
    rest = await server.stub.ListApiClients(pb.ListApiClientsRequest(
        principal_id=pid, page={"page_size": 1, "page_token": listed.page.next_page_token}),
        metadata=auth(operator), timeout=5)
    assert [c.client_id for c in [*listed.api_clients, *rest.api_clients]] == [client_id, second]
    assert not rest.page.next_page_token
    rotated = await server.stub.RotateApiClientSecret(pb.RotateApiClientSecretRequest(
        request_id=str(uuid.uuid4()), client_id=client_id, grace_period_s=3600),
        metadata=auth(operator), timeout=10)
    assert rotated.api_client.HasField("previous_secret_expires_at")
    await server.token(client_id, first.client_secret)  # still accepted during the grace
    await server.token(client_id, rotated.client_secret)
    cut = await server.stub.RotateApiClientSecret(pb.RotateApiClientSecretRequest(
        request_id=str(uuid.uuid4()), client_id=client_id, grace_period_s=0),
        metadata=auth(operator), timeout=10)
    for old in (first.client_secret, rotated.client_secret):
        assert await code_of(server.token(client_id, old)) == grpc.StatusCode.UNAUTHENTICATED
    await server.stub.RevokeApiClient(pb.RevokeApiClientRequest(
        request_id=str(uuid.uuid4()), client_id=client_id), metadata=auth(operator), timeout=5)
    assert await code_of(server.token(client_id, cut.client_secret)
                         ) == grpc.StatusCode.UNAUTHENTICATED


async def test_only_operators_grant_roles_or_create_clients_for_others(
    server: IdentityServer,
) -> None:
    operator = await server.token()
    a = (await server.stub.RegisterPrincipal(person("A"), metadata=auth(operator),
                                             timeout=10)).principal.principal_id
    b = (await server.stub.RegisterPrincipal(person("B"), metadata=auth(operator),
                                             timeout=10)).principal.principal_id
    token_a = await server.token(*await client_for(server, operator, a))
    for principal_id, roles in ((a, ["operator"]), (b, [])):
        request = pb.CreateApiClientRequest(request_id=str(uuid.uuid4()),
                                            principal_id=principal_id, display_name="x",
                                            roles=roles, scopes=["identity.read"])
        code = await code_of(server.stub.CreateApiClient(request, metadata=auth(token_a),
                                                         timeout=5))
        assert code == grpc.StatusCode.PERMISSION_DENIED
    await client_for(server, token_a, a)  # its own, without roles: allowed


@pytest.mark.parametrize("rpc", ["GetValueWave", "GetCreditWave"])
async def test_a_wave_of_an_unknown_principal_is_not_found(
    server: IdentityServer, rpc: str
) -> None:
    operator = await server.token()
    request_type = getattr(pb, f"{rpc}Request")
    code = await code_of(getattr(server.stub, rpc)(
        request_type(principal_id=str(uuid.uuid4())), metadata=auth(operator), timeout=5))
    assert code == grpc.StatusCode.NOT_FOUND
