"""ntbkit's process roles, on a real service: an 'api' process serves the RPCs and
runs no background work; a 'worker' process runs the background work and answers
health checks only (its RPCs are UNIMPLEMENTED)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest
from fx_api_support import OPERATOR, build_with_test_keys
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ntb.fx_model.v1 import fx_model_pb2, fx_model_pb2_grpc
from ntb_fx_model.bootstrap import MIGRATIONS
from ntb_fx_model.settings import Settings
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.runtime import Infrastructure, ServiceParts, ServiceRuntime


async def _run(role: str, database: Path) -> tuple[bool, grpc.StatusCode, int]:
    """(did the background work run, status of an RPC, health status) for `role`."""
    ticked = asyncio.Event()

    async def build(infrastructure: Infrastructure) -> ServiceParts:
        parts = await build_with_test_keys(infrastructure)

        async def tick(stop: asyncio.Event) -> None:
            ticked.set()
            await stop.wait()

        parts.background.append(("tick", tick))
        return parts

    settings = Settings(grpc_port=0, database_url=f"sqlite+aiosqlite:///{database}",
                        event_bus="memory", log_level="WARNING", process_role=role)
    runtime = ServiceRuntime(settings, build=build, migrations=MIGRATIONS,
                             bus=InMemoryEventBus())
    await runtime.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            code = grpc.StatusCode.OK
            try:
                await fx_model_pb2_grpc.FxModelServiceStub(channel).ListCountries(
                    fx_model_pb2.ListCountriesRequest(), metadata=OPERATOR)
            except grpc.aio.AioRpcError as error:
                code = error.code()
            health = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest())
        await asyncio.sleep(0.2)  # time for background work to start, if it may
        return ticked.is_set(), code, health.status
    finally:
        await runtime.stop()


@pytest.mark.parametrize(("role", "background", "rpc"), [
    ("all", True, grpc.StatusCode.OK),
    ("api", False, grpc.StatusCode.OK),
    ("worker", True, grpc.StatusCode.UNIMPLEMENTED),
])
async def test_a_process_runs_what_its_role_says(
    tmp_path: Path, role: str, background: bool, rpc: grpc.StatusCode
) -> None:
    ran, code, health = await _run(role, tmp_path / f"fx-{role}.db")
    assert (ran, code) == (background, rpc)
    assert health == health_pb2.HealthCheckResponse.SERVING
