"""Calls from one platform service to another, made with the caller's own credentials.

A service authenticates as itself: client credentials issued by identity with the role
`service` (created from identity's `NTB_IDENTITY_SERVICE_CLIENTS` setting), so the callee
lets it act for principals (`Caller.require_may_act_for`) but never as an operator.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import grpc

from ntb.identity.v1 import identity_pb2, identity_pb2_grpc
from ntbkit.errors import Unavailable
from ntbkit.settings import ServiceSettings
from ntbkit.telemetry.tracing import client_interceptors

_ISSUE_DEADLINE_S = 5.0
# Renew this long before expiry, so a token never expires in flight.
_RENEW_BEFORE_EXPIRY_S = 60.0


class ServiceTokens:
    """Access tokens for this service, fetched from identity and reused until near expiry."""

    def __init__(
        self, identity_target: str, client_id: str, client_secret: str, *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._identity_target = identity_target
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._token = ""
        self._renew_at = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> ServiceTokens:
        if settings.service_client_id is None or settings.service_client_secret is None:
            raise ValueError(
                f"{settings.service_name} calls other services: set its SERVICE_CLIENT_ID and "
                "SERVICE_CLIENT_SECRET (credentials identity creates from "
                "NTB_IDENTITY_SERVICE_CLIENTS)"
            )
        return cls(settings.identity_target, settings.service_client_id,
                   settings.service_client_secret.get_secret_value())

    async def token(self) -> str:
        if self._token and self._clock() < self._renew_at:
            return self._token
        async with self._lock:  # one fetch however many calls wait for it
            if not self._token or self._clock() >= self._renew_at:
                await self._fetch()
        return self._token

    async def _fetch(self) -> None:
        request = identity_pb2.IssueTokenRequest(
            grant_type="client_credentials", client_id=self._client_id,
            client_secret=self._client_secret,
        )
        try:
            async with grpc.aio.insecure_channel(
                self._identity_target, interceptors=client_interceptors()
            ) as channel:
                response = await identity_pb2_grpc.IdentityServiceStub(channel).IssueToken(
                    request, timeout=_ISSUE_DEADLINE_S
                )
        except grpc.aio.AioRpcError as error:
            raise Unavailable(
                f"no service token for {self._client_id} from identity: {error.code().name}"
            ) from error
        lifetime_s = float(response.expires_in_s)
        self._token = response.access_token
        self._renew_at = self._clock() + max(lifetime_s - _RENEW_BEFORE_EXPIRY_S, lifetime_s / 2)


class _BearerToken(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[type-arg]
    def __init__(self, tokens: ServiceTokens) -> None:
        self._tokens = tokens

    async def intercept_unary_unary(
        self, continuation: Callable[..., Any], client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        metadata = grpc.aio.Metadata(*(client_call_details.metadata or ()))
        metadata.add("authorization", f"Bearer {await self._tokens.token()}")
        details = grpc.aio.ClientCallDetails(
            client_call_details.method, client_call_details.timeout, metadata,
            client_call_details.credentials, client_call_details.wait_for_ready,
        )
        return await continuation(details, request)


def service_channel(target: str, tokens: ServiceTokens) -> grpc.aio.Channel:
    """A channel whose every unary call carries this service's bearer token (and trace)."""
    interceptors: list[grpc.aio.ClientInterceptor] = [_BearerToken(tokens)]  # type: ignore[list-item]
    return grpc.aio.insecure_channel(target, interceptors=[*interceptors, *client_interceptors()])


__all__ = ["ServiceTokens", "service_channel"]
