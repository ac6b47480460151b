"""Contract signing keys on the real test PostgreSQL (fresh schema, migrated by Alembic
at start, so migration 0003 runs): raw public keys round-trip as bytea; two principals
racing to register one public key end with one owner and one ALREADY_EXISTS; racing
revocations under different request ids agree on the first revoked_at and publish one
SigningPublicKeyRevoked. Fails (never skips) without NTB_TEST_DATABASE_URL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest_asyncio
from contract_keys_support import holder, key_events, raw, registration, revocation
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from identity_server import IdentityServer, auth, identity_server

from ntb.events.v1 import identity_events_pb2 as iev
from ntb.identity.v1 import identity_pb2 as pb
from ntbkit.testing import postgres_schema


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[IdentityServer]:
    async with postgres_schema("identity") as (schema, engine):
        url = engine.url.render_as_string(hide_password=False)
        async with identity_server(tmp_path, 907, database_url=url, schema=schema) as running:
            yield running


async def test_racing_registrations_and_revocations_on_postgres(server: IdentityServer) -> None:
    operator = await server.token()
    first, second = await holder(server, operator), await holder(server, operator)
    private = Ed25519PrivateKey.generate()

    async def register(principal_id: str, token: str) -> grpc.StatusCode:
        try:
            await server.stub.RegisterSigningPublicKey(
                registration(private, principal_id), metadata=auth(token), timeout=10)
        except grpc.aio.AioRpcError as error:
            return error.code()
        return grpc.StatusCode.OK

    codes = await asyncio.gather(register(first.principal_id, first.token),
                                 register(second.principal_id, second.token))
    assert sorted(c.name for c in codes) == ["ALREADY_EXISTS", "OK"]
    owner = first if codes[0] == grpc.StatusCode.OK else second
    listed = await server.stub.ListSigningPublicKeys(pb.ListSigningPublicKeysRequest(
        principal_id=owner.principal_id), metadata=auth(operator), timeout=10)
    assert [k.public_key for k in listed.keys] == [raw(private)]
    key_id = listed.keys[0].key_id

    revoked = await asyncio.gather(*(
        server.stub.RevokeSigningPublicKey(revocation(owner.principal_id, key_id),
                                           metadata=auth(owner.token), timeout=10)
        for _ in range(3)))
    assert len({r.key.revoked_at.ToDatetime() for r in revoked}) == 1
    await asyncio.sleep(0.3)
    events = await key_events(server, owner.principal_id, iev.SigningPublicKeyRevoked, 1)
    assert len(events) == 1
