"""Wait until a gRPC server reports SERVING (grpc.health.v1)."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

_PROBE_DEADLINE_S = 1.0
_PROBE_INTERVAL_S = 0.1


async def is_serving(target: str, service: str = "") -> bool:
    async with grpc.aio.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            response = await stub.Check(
                health_pb2.HealthCheckRequest(service=service), timeout=_PROBE_DEADLINE_S
            )
        except grpc.aio.AioRpcError:
            return False
    return bool(response.status == health_pb2.HealthCheckResponse.SERVING)


async def wait_serving(target: str, *, timeout_s: float, service: str = "") -> None:
    deadline_s = asyncio.get_running_loop().time() + timeout_s
    while not await is_serving(target, service):
        if asyncio.get_running_loop().time() > deadline_s:
            raise TimeoutError(f"{target} not SERVING after {timeout_s}s")
        await asyncio.sleep(_PROBE_INTERVAL_S)
