"""Support of the scf-exchange API tests: scf-exchange served for real over gRPC on
loopback - its own runtime (migrations, outbox relay, settlement scheduler, gRPC
server) on a SQLite file and an in-process bus - with the other services behind its
ports as fakes, a movable clock, and tokens signed by a test key."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from scf_fakes import FakeDirectory, FakeLedger, FakeRatings, FixedFx, MovableClock

from ntb.scf_exchange.v1 import scf_exchange_pb2_grpc
from ntb_scf_exchange.bootstrap import MIGRATIONS, builder
from ntb_scf_exchange.service.financing import Ports
from ntb_scf_exchange.service.ports import FxRates
from ntb_scf_exchange.settings import Settings
from ntbkit.auth import ROLE_OPERATOR
from ntbkit.messaging.envelope import EventEnvelope
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.runtime import Infrastructure, ServiceParts, ServiceRuntime
from ntbkit.testing import error_info

KEY = Ed25519PrivateKey.generate()
KEY_ID = "scf-test-key"


async def signing_keys() -> Mapping[str, Ed25519PublicKey]:
    return {KEY_ID: KEY.public_key()}


def token(subject: str, *roles: str) -> str:
    now = int(time.time())
    claims = {"sub": subject, "iss": "ntb-identity", "aud": "ntb", "iat": now,
              "exp": now + 3600, "roles": list(roles)}
    return jwt.encode(claims, KEY, algorithm="EdDSA", headers={"kid": KEY_ID})


def as_(subject: str, *roles: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token(subject, *roles)}"),)


OPERATOR = as_("ops", ROLE_OPERATOR)


class WithMetadata(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Every call on the channel carries this metadata (a token, as the service client
    will add scf-exchange's own)."""

    def __init__(self, metadata: tuple[tuple[str, str], ...]) -> None:
        self._metadata = list(metadata)

    async def intercept_unary_unary(self, continuation: Callable[..., Any],
                                    details: Any, request: Any) -> Any:
        return await continuation(details._replace(metadata=self._metadata), request)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class ScfServer:
    database_url: str
    clock: MovableClock
    bus: InMemoryEventBus = field(default_factory=InMemoryEventBus)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    ratings: FakeRatings = field(default_factory=FakeRatings)
    fx: FxRates = field(default_factory=FixedFx)
    directory: FakeDirectory = field(default_factory=FakeDirectory)
    grace_days: int = 3
    schema: str = "scf_exchange"
    identity_target: str = ""  # set: tokens are identity's (its published keys verify them)
    runtime: ServiceRuntime | None = None

    async def start(self) -> None:
        settings = Settings(grpc_port=0, database_url=self.database_url,
                            database_schema=self.schema, event_bus="memory",
                            log_level="WARNING", grace_days=self.grace_days,
                            scheduler_period_s=0.05, relay_poll_interval_s=0.05,
                            identity_target=self.identity_target or "127.0.0.1:1")
        inner = builder(ports=lambda _: Ports(self.ledger, self.ratings, self.fx,
                                              self.directory),
                        clock=self.clock)

        async def build(infrastructure: Infrastructure) -> ServiceParts:
            parts = await inner(infrastructure)
            if not self.identity_target:
                parts.key_fetcher = signing_keys
            return parts

        self.runtime = ServiceRuntime(settings, build=build, migrations=MIGRATIONS,
                                      bus=self.bus)
        await self.runtime.start()

    async def stop(self) -> None:
        if self.runtime is not None:
            await self.runtime.stop()
            self.runtime = None

    @property
    def target(self) -> str:
        assert self.runtime is not None
        return f"127.0.0.1:{self.runtime.port}"

    def events(self, topic: str) -> list[EventEnvelope]:
        return list(self.bus.broker.logs[topic])


def stub(channel: grpc.aio.Channel) -> scf_exchange_pb2_grpc.ScfExchangeServiceStub:
    return scf_exchange_pb2_grpc.ScfExchangeServiceStub(channel)


async def eventually(check: Callable[[], Awaitable[Any]], *, timeout_s: float = 10.0) -> Any:
    """Poll until check() returns something truthy (the scheduler runs on its own)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def error_reason(error: grpc.aio.AioRpcError) -> str:
    return str(error_info(error).reason)


