"""A service process drains on SIGTERM: health turns NOT_SERVING while it still
answers (so load balancers stop routing first), then it exits with status 0.
A real `python -m ntb_fx_model` process on SQLite and the in-process bus."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from ntb_cli.health import wait_serving
from ntbkit.testing import port_under_test

PORT = port_under_test(1199)


async def _status() -> int:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{PORT}") as channel:
        response = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=1)
    return int(response.status)


async def test_sigterm_reports_not_serving_then_exits_cleanly(tmp_path: Path) -> None:
    env = dict(os.environ,
               NTB_FX_MODEL_GRPC_PORT=str(PORT),
               NTB_FX_MODEL_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'fx.db'}",
               NTB_FX_MODEL_DRAIN_DELAY_S="1.5",
               NTB_FX_MODEL_LOG_LEVEL="WARNING")
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "ntb_fx_model", env=env)
    try:
        await wait_serving(f"127.0.0.1:{PORT}", timeout_s=30)
        assert await _status() == health_pb2.HealthCheckResponse.SERVING
        process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        assert await _status() == health_pb2.HealthCheckResponse.NOT_SERVING
        assert await asyncio.wait_for(process.wait(), 20) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
