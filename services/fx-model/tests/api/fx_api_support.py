"""Support of the fx-model API tests: fx-model served for real over gRPC on loopback,
its own runtime (migrations, outbox relay, consumers, gRPC server) on a SQLite file and
an in-process bus, with tokens signed by a test key (verified as identity's would be)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import grpc
import jwt
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ntb.fx_model.v1 import fx_model_pb2_grpc
from ntb_fx_model.bootstrap import MIGRATIONS, build
from ntb_fx_model.settings import Settings
from ntbkit.auth import ROLE_OPERATOR
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.runtime import Infrastructure, ServiceParts, ServiceRuntime

_KEY = Ed25519PrivateKey.generate()
_KEY_ID = "fx-test-key"


async def _keys() -> Mapping[str, Ed25519PublicKey]:
    return {_KEY_ID: _KEY.public_key()}


async def build_with_test_keys(infrastructure: Infrastructure) -> ServiceParts:
    parts = await build(infrastructure)
    parts.key_fetcher = _keys
    return parts


def token(*roles: str, subject: str = "someone") -> str:
    now = int(time.time())
    claims = {"sub": subject, "iss": "ntb-identity", "aud": "ntb", "iat": now,
              "exp": now + 600, "roles": list(roles)}
    return jwt.encode(claims, _KEY, algorithm="EdDSA", headers={"kid": _KEY_ID})


def bearer(*roles: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token(*roles)}"),)


OPERATOR = bearer(ROLE_OPERATOR)


@dataclass
class FxServer:
    database_url: str
    bus: InMemoryEventBus
    schema: str = "fx_model"
    runtime: ServiceRuntime | None = None

    async def start(self) -> None:
        settings = Settings(grpc_port=0, database_url=self.database_url,
                            database_schema=self.schema, event_bus="memory",
                            log_level="WARNING")
        self.runtime = ServiceRuntime(settings, build=build_with_test_keys,
                                      migrations=MIGRATIONS, bus=self.bus)
        await self.runtime.start()

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.stop()
            self.runtime = None

    @property
    def target(self) -> str:
        assert self.runtime is not None
        return f"127.0.0.1:{self.runtime.port}"


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[FxServer]:
    path = tmp_path / f"fx-{uuid.uuid4().hex[:6]}.db"
    fx = FxServer(f"sqlite+aiosqlite:///{path}", InMemoryEventBus())
    await fx.start()
    yield fx
    await fx.stop()


@pytest_asyncio.fixture
async def fx(server: FxServer) -> AsyncIterator[fx_model_pb2_grpc.FxModelServiceStub]:
    async with grpc.aio.insecure_channel(server.target) as channel:
        yield fx_model_pb2_grpc.FxModelServiceStub(channel)




