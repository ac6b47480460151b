"""An identity server for tests: real gRPC on loopback, SQLite (or the test PostgreSQL),
in-process bus."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc

from ntb.identity.v1 import identity_pb2 as pb
from ntb.identity.v1 import identity_pb2_grpc
from ntb_identity import bootstrap
from ntb_identity.settings import IdentitySettings
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.runtime import ServiceRuntime
from ntbkit.testing import port_under_test

OPERATOR_ID, OPERATOR_SECRET = "test-operator", "test-operator-secret-0123456789"


@dataclass
class IdentityServer:
    stub: identity_pb2_grpc.IdentityServiceStub
    bus: InMemoryEventBus
    runtime: ServiceRuntime

    async def token(self, client_id: str = OPERATOR_ID, secret: str = OPERATOR_SECRET) -> str:
        response = await self.stub.IssueToken(pb.IssueTokenRequest(
            grant_type="client_credentials", client_id=client_id, client_secret=secret),
            timeout=10)
        return str(response.access_token)


def auth(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


def person(name: str = "Li Wei", **profile: object) -> pb.RegisterPrincipalRequest:
    values: dict[str, object] = dict(birth_year=1990, experience_years=8, education="bachelor",
                                     skills=["python"])
    values.update(profile)
    return pb.RegisterPrincipalRequest(
        request_id=str(uuid.uuid4()), kind=pb.PRINCIPAL_KIND_PERSON, display_name=name,
        country_code="CN", region="CN-GD", industry_code="C26",
        person=pb.PersonProfile(**values),  # type: ignore[arg-type]
    )


@asynccontextmanager
async def identity_server(
    tmp_path: Path, port_offset: int, *, database_url: str | None = None, schema: str = "identity"
) -> AsyncIterator[IdentityServer]:
    """SQLite in tmp_path unless a database_url (PostgreSQL, with its schema) is given."""
    port = port_under_test(port_offset)
    settings = IdentitySettings(
        grpc_host="127.0.0.1", grpc_port=port, metrics_port=0,
        database_url=database_url or f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}",
        database_schema=schema, event_bus="memory",
        bootstrap_client_id=OPERATOR_ID, bootstrap_client_secret=OPERATOR_SECRET,
        relay_poll_interval_s=0.05, drain_delay_s=0, shutdown_grace_s=1,
    )
    bus = InMemoryEventBus()
    runtime = ServiceRuntime(settings, build=bootstrap.build, migrations=bootstrap.MIGRATIONS,
                             bus=bus)
    await runtime.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield IdentityServer(identity_pb2_grpc.IdentityServiceStub(channel), bus, runtime)
    finally:
        await runtime.stop()
