"""Fetch identity's token-signing public keys over gRPC (GetSigningKeys)."""

from __future__ import annotations

from collections.abc import Mapping

import grpc
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ntb.identity.v1 import identity_pb2, identity_pb2_grpc
from ntbkit.auth import KeyFetcher
from ntbkit.errors import Unavailable
from ntbkit.telemetry.tracing import client_interceptors

_FETCH_DEADLINE_S = 5.0


def remote_key_fetcher(identity_target: str) -> KeyFetcher:
    async def fetch() -> Mapping[str, Ed25519PublicKey]:
        try:
            async with grpc.aio.insecure_channel(
                identity_target, interceptors=client_interceptors()
            ) as channel:
                stub = identity_pb2_grpc.IdentityServiceStub(channel)
                response = await stub.GetSigningKeys(
                    identity_pb2.GetSigningKeysRequest(), timeout=_FETCH_DEADLINE_S
                )
        except grpc.aio.AioRpcError as error:
            reason = error.code().name
            raise Unavailable(f"identity's signing keys unreachable: {reason}") from error
        return {
            key.key_id: Ed25519PublicKey.from_public_bytes(key.public_key)
            for key in response.keys
        }

    return fetch
