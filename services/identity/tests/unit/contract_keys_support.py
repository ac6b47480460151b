"""Helpers of the contract-key tests: principals with their own tokens, signed
registrations, revocations, error details and the key events on the bus."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import grpc
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from identity_server import IdentityServer, auth, person

from ntb.identity.v1 import identity_pb2 as pb
from ntbkit.messaging.envelope import decode

TOPIC = "ntb.identity.principal.v1"


@dataclass
class Holder:
    """A registered principal with its own token."""

    principal_id: str
    token: str


async def holder(server: IdentityServer, operator: str,
                 request: pb.RegisterPrincipalRequest | None = None,
                 roles: tuple[str, ...] = ()) -> Holder:
    registered = await server.stub.RegisterPrincipal(request or person(), metadata=auth(operator),
                                                     timeout=10)
    principal_id = registered.principal.principal_id
    created = await server.stub.CreateApiClient(pb.CreateApiClientRequest(
        request_id=str(uuid.uuid4()), principal_id=principal_id, display_name="app",
        roles=list(roles), scopes=["identity.read", "identity.write"]),
        metadata=auth(operator), timeout=10)
    token = await server.token(created.api_client.client_id, created.client_secret)
    return Holder(principal_id, token)


def raw(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def registration(private: Ed25519PrivateKey, principal_id: str, *, label: str = "laptop",
                 request_id: str | None = None) -> pb.RegisterSigningPublicKeyRequest:
    request_id = request_id or str(uuid.uuid4())
    proof = private.sign(f"ntb-contract-key:v1:{principal_id}:{request_id}".encode())
    return pb.RegisterSigningPublicKeyRequest(
        request_id=request_id, principal_id=principal_id, public_key=raw(private),
        proof_of_possession=proof, label=label)


def revocation(principal_id: str, key_id: str, *, reason: str = "lost device"
               ) -> pb.RevokeSigningPublicKeyRequest:
    return pb.RevokeSigningPublicKeyRequest(request_id=str(uuid.uuid4()),
                                            principal_id=principal_id, key_id=key_id,
                                            reason=reason)


async def failure(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call  # type: ignore[misc]
    return raised.value




async def key_events(server: IdentityServer, principal_id: str, event_type: type,
                     count: int) -> list[object]:
    """Waits until `count` events of that type for the principal are on the topic."""
    found: list[object] = []
    for _ in range(100):
        found = [decode(e, event_type) for e in server.bus.broker.logs.get(TOPIC, [])
                 if e.event_type == event_type.DESCRIPTOR.full_name
                 and e.key == principal_id]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    return found
