"""Contract signing keys through identity's gRPC API (real server on loopback, SQLite,
in-process bus): a person registers the public half of its Ed25519 key with a proof of
possession (the signature of "ntb-contract-key:v1:<principal_id>:<request_id>"), gets
key_id = hex(SHA-256(public key)[:16]) back and a SigningPublicKeyRegistered event on
ntb.identity.principal.v1 keyed by its id; bad fields and bad proofs are INVALID_ARGUMENT
with one field violation each; a key of another principal is ALREADY_EXISTS; only the
owner (or an operator) registers and revokes, and only the owner, operators, auditors
and services list; revocation sets revoked_at once (SigningPublicKeyRevoked once);
retried requests return the first result and change nothing."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest_asyncio
from contract_keys_support import (
    failure,
    holder,
    key_events,
    raw,
    registration,
    revocation,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from identity_server import IdentityServer, auth, identity_server, person

from ntb.events.v1 import identity_events_pb2 as iev
from ntb.identity.v1 import identity_pb2 as pb
from ntbkit.testing import violations


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[IdentityServer]:
    async with identity_server(tmp_path, 906) as running:
        yield running


async def test_person_registers_a_key_and_matching_can_list_it(server: IdentityServer) -> None:
    operator = await server.token()
    owner = await holder(server, operator)
    matching = await holder(server, operator, person("matching"), roles=("service",))
    private = Ed25519PrivateKey.generate()

    registered = await server.stub.RegisterSigningPublicKey(
        registration(private, owner.principal_id), metadata=auth(owner.token), timeout=10)

    key = registered.key
    assert key.key_id == hashlib.sha256(raw(private)).digest()[:16].hex()
    assert (key.principal_id, key.algorithm, key.public_key, key.label) == (
        owner.principal_id, "Ed25519", raw(private), "laptop")
    assert key.HasField("registered_at") and not key.HasField("revoked_at")
    for reader in (owner.token, matching.token, operator):
        listed = await server.stub.ListSigningPublicKeys(pb.ListSigningPublicKeysRequest(
            principal_id=owner.principal_id), metadata=auth(reader), timeout=10)
        assert list(listed.keys) == [key]
    events = await key_events(server, owner.principal_id, iev.SigningPublicKeyRegistered, 1)
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, iev.SigningPublicKeyRegistered)
    assert event.principal_id == owner.principal_id and event.key == key


async def test_enterprise_may_hold_keys_but_a_bank_may_not(server: IdentityServer) -> None:
    operator = await server.token()
    company = pb.RegisterPrincipalRequest(
        request_id=str(uuid.uuid4()), kind=pb.PRINCIPAL_KIND_ENTERPRISE, display_name="Acme",
        country_code="CN", region="CN-GD", industry_code="C26",
        enterprise=pb.EnterpriseProfile(registration_number="914403001234"))
    enterprise = await holder(server, operator, company)
    await server.stub.RegisterSigningPublicKey(
        registration(Ed25519PrivateKey.generate(), enterprise.principal_id),
        metadata=auth(enterprise.token), timeout=10)
    company.request_id, company.kind = str(uuid.uuid4()), pb.PRINCIPAL_KIND_FINANCIAL_INSTITUTION
    bank = await holder(server, operator, company)
    error = await failure(server.stub.RegisterSigningPublicKey(
        registration(Ed25519PrivateKey.generate(), bank.principal_id),
        metadata=auth(bank.token), timeout=10))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_bad_proofs_and_fields_are_invalid_argument(server: IdentityServer) -> None:
    operator = await server.token()
    owner = await holder(server, operator)
    private = Ed25519PrivateKey.generate()

    by_another_key = registration(Ed25519PrivateKey.generate(), owner.principal_id)
    by_another_key.public_key = raw(private)
    for_another_request = registration(private, owner.principal_id)
    for_another_request.request_id = str(uuid.uuid4())
    for_another_principal = registration(private, str(uuid.uuid4()))
    for_another_principal.principal_id = owner.principal_id
    for request in (by_another_key, for_another_request, for_another_principal):
        error = await failure(server.stub.RegisterSigningPublicKey(
            request, metadata=auth(owner.token), timeout=10))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert list(violations(error)) == ["proof_of_possession"]

    malformed = registration(private, owner.principal_id, label="x" * 101)
    malformed.public_key = malformed.public_key[:31]
    malformed.proof_of_possession = malformed.proof_of_possession[:63]
    error = await failure(server.stub.RegisterSigningPublicKey(
        malformed, metadata=auth(owner.token), timeout=10))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations(error)) == {"public_key", "proof_of_possession", "label"}

    error = await failure(server.stub.RevokeSigningPublicKey(
        revocation(owner.principal_id, "NOT-A-KEY", reason="r" * 501),
        metadata=auth(owner.token), timeout=10))
    assert set(violations(error)) == {"key_id", "reason"}
    listed = await server.stub.ListSigningPublicKeys(pb.ListSigningPublicKeysRequest(
        principal_id=owner.principal_id), metadata=auth(owner.token), timeout=10)
    assert list(listed.keys) == []


async def test_a_key_belongs_to_one_principal_only(server: IdentityServer) -> None:
    operator = await server.token()
    first, second = await holder(server, operator), await holder(server, operator)
    private = Ed25519PrivateKey.generate()
    await server.stub.RegisterSigningPublicKey(
        registration(private, first.principal_id), metadata=auth(first.token), timeout=10)

    error = await failure(server.stub.RegisterSigningPublicKey(
        registration(private, second.principal_id), metadata=auth(second.token), timeout=10))

    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    listed = await server.stub.ListSigningPublicKeys(pb.ListSigningPublicKeysRequest(
        principal_id=second.principal_id), metadata=auth(second.token), timeout=10)
    assert list(listed.keys) == []


async def test_only_the_owner_or_an_operator_changes_keys(server: IdentityServer) -> None:
    operator = await server.token()
    owner, intruder = await holder(server, operator), await holder(server, operator)
    private = Ed25519PrivateKey.generate()

    error = await failure(server.stub.RegisterSigningPublicKey(
        registration(private, owner.principal_id), metadata=auth(intruder.token), timeout=10))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    key = (await server.stub.RegisterSigningPublicKey(
        registration(private, owner.principal_id), metadata=auth(operator), timeout=10)).key
    for call in (
        server.stub.RevokeSigningPublicKey(revocation(owner.principal_id, key.key_id),
                                           metadata=auth(intruder.token), timeout=10),
        server.stub.ListSigningPublicKeys(pb.ListSigningPublicKeysRequest(
            principal_id=owner.principal_id), metadata=auth(intruder.token), timeout=10),
    ):
        assert (await failure(call)).code() == grpc.StatusCode.PERMISSION_DENIED
    error = await failure(server.stub.RevokeSigningPublicKey(
        revocation(intruder.principal_id, key.key_id), metadata=auth(intruder.token),
        timeout=10))
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_revoked_key_is_listed_with_its_first_revocation(server: IdentityServer) -> None:
    operator = await server.token()
    owner = await holder(server, operator)
    private = Ed25519PrivateKey.generate()
    key = (await server.stub.RegisterSigningPublicKey(
        registration(private, owner.principal_id), metadata=auth(owner.token), timeout=10)).key

    revoked = (await server.stub.RevokeSigningPublicKey(
        revocation(owner.principal_id, key.key_id), metadata=auth(owner.token), timeout=10)).key
    again = (await server.stub.RevokeSigningPublicKey(
        revocation(owner.principal_id, key.key_id, reason="other"), metadata=auth(operator),
        timeout=10)).key

    assert revoked.HasField("revoked_at") and again == revoked
    assert revoked.revoked_at.ToDatetime() >= key.registered_at.ToDatetime()
    listed = await server.stub.ListSigningPublicKeys(pb.ListSigningPublicKeysRequest(
        principal_id=owner.principal_id), metadata=auth(owner.token), timeout=10)
    assert list(listed.keys) == [revoked]
    error = await failure(server.stub.RegisterSigningPublicKey(
        registration(private, owner.principal_id), metadata=auth(owner.token), timeout=10))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    await key_events(server, owner.principal_id, iev.SigningPublicKeyRevoked, 1)
    await asyncio.sleep(0.2)  # a second event would have been relayed by now
    events = await key_events(server, owner.principal_id, iev.SigningPublicKeyRevoked, 1)
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, iev.SigningPublicKeyRevoked)
    assert (event.key, event.reason) == (revoked, "lost device")


async def test_retries_return_the_first_result(server: IdentityServer) -> None:
    operator = await server.token()
    owner = await holder(server, operator)
    private = Ed25519PrivateKey.generate()
    request = registration(private, owner.principal_id)

    first = await server.stub.RegisterSigningPublicKey(request, metadata=auth(owner.token),
                                                       timeout=10)
    retried = await server.stub.RegisterSigningPublicKey(request, metadata=auth(owner.token),
                                                         timeout=10)
    assert retried == first
    request.label = "another label"
    error = await failure(server.stub.RegisterSigningPublicKey(
        request, metadata=auth(owner.token), timeout=10))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    same_key = await server.stub.RegisterSigningPublicKey(
        registration(private, owner.principal_id), metadata=auth(owner.token), timeout=10)
    assert same_key == first  # the active key, as first registered

    revoke = revocation(owner.principal_id, first.key.key_id)
    revoked = await server.stub.RevokeSigningPublicKey(revoke, metadata=auth(owner.token),
                                                       timeout=10)
    assert await server.stub.RevokeSigningPublicKey(
        revoke, metadata=auth(owner.token), timeout=10) == revoked
    await asyncio.sleep(0.2)
    assert len(await key_events(server, owner.principal_id,
                                iev.SigningPublicKeyRegistered, 1)) == 1
    assert len(await key_events(server, owner.principal_id, iev.SigningPublicKeyRevoked, 1)) == 1
