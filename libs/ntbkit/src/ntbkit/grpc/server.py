"""grpc.aio server bootstrap: interceptors, health, reflection, graceful drain."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from ntbkit.auth import TokenVerifier
from ntbkit.grpc.interceptors import ServerCallInterceptor
from ntbkit.settings import ServiceSettings

_MESSAGE_SIZE_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class GrpcApi:
    """One gRPC service a process serves: its full name and how to add its servicer."""

    full_name: str
    add_to_server: Callable[[grpc.aio.Server], None]
    public_methods: Sequence[str] = field(default_factory=tuple)


class GrpcServer:
    """Owns the server and its health: NOT_SERVING while starting and while draining."""

    def __init__(self, settings: ServiceSettings, verifier: TokenVerifier | None) -> None:
        self._settings = settings
        self._verifier = verifier
        self._health = health.aio.HealthServicer()  # type: ignore[attr-defined]
        self._server: grpc.aio.Server | None = None
        self._api_names: list[str] = []
        self.port = 0

    async def start(self, apis: Sequence[GrpcApi]) -> int:
        public = [m for api in apis for m in api.public_methods]
        server = grpc.aio.server(
            interceptors=[
                ServerCallInterceptor(
                    verifier=self._verifier,
                    public_methods=public,
                    auth_required=self._settings.auth_required,
                    deadline_s=self._settings.rpc_deadline_s,
                ),
            ],
            options=[
                ("grpc.max_receive_message_length", _MESSAGE_SIZE_MAX_BYTES),
                ("grpc.max_send_message_length", _MESSAGE_SIZE_MAX_BYTES),
                ("grpc.so_reuseport", 1 if self._settings.grpc_reuse_port else 0),
            ],
        )
        for api in apis:
            api.add_to_server(server)
        self._api_names = [api.full_name for api in apis]
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        reflection.enable_server_reflection(
            [*self._api_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
        )
        address = f"{self._settings.grpc_host}:{self._settings.grpc_port}"
        self.port = self._bind(server, address)
        await self._set_all(health_pb2.HealthCheckResponse.NOT_SERVING)
        await server.start()
        self._server = server
        return self.port

    def _bind(self, server: grpc.aio.Server, address: str) -> int:
        settings = self._settings
        if not settings.tls_cert_file:
            return int(server.add_insecure_port(address))
        assert settings.tls_key_file, "tls_key_file is required with tls_cert_file"
        client_ca = (
            Path(settings.tls_client_ca_file).read_bytes() if settings.tls_client_ca_file else None
        )
        credentials = grpc.ssl_server_credentials(
            [(Path(settings.tls_key_file).read_bytes(), Path(settings.tls_cert_file).read_bytes())],
            root_certificates=client_ca,
            require_client_auth=client_ca is not None,
        )
        return int(server.add_secure_port(address, credentials))

    async def mark_serving(self) -> None:
        await self._set_all(health_pb2.HealthCheckResponse.SERVING)

    async def drain_and_stop(self, *, delay_s: float, grace_s: float) -> None:
        """Tell load balancers first (NOT_SERVING for `delay_s` while still serving),
        then refuse new calls and give in-flight ones `grace_s` to finish."""
        if self._server is None:
            return
        await self._set_all(health_pb2.HealthCheckResponse.NOT_SERVING)
        if delay_s > 0:
            await asyncio.sleep(delay_s)
        await self._server.stop(grace_s)
        self._server = None

    async def _set_all(self, status: int) -> None:
        for name in ["", *self._api_names]:
            await self._health.set(name, status)
