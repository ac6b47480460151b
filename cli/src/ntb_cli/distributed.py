"""Distributed mode on one machine: six processes on PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Mapping

from rich.console import Console

from ntb_cli.health import wait_serving
from ntb_cli.suite import SUITE, as_environment, wiring

_START_TIMEOUT_S = 60.0
_STOP_TIMEOUT_S = 15.0


def member_environment(
    *, database_url: str, kafka_bootstrap: str, host: str, base: Mapping[str, str]
) -> list[dict[str, str]]:
    """One environment per process; each service reads only its own prefix."""
    environments = []
    ports = {other.name: other.port for other in SUITE}
    for index, member in enumerate(SUITE):
        p = member.env_prefix
        env = dict(base)
        env.setdefault(f"{p}DATABASE_URL", database_url)
        env.setdefault(f"{p}EVENT_BUS", "kafka")
        env.setdefault(f"{p}KAFKA_BOOTSTRAP", kafka_bootstrap)
        env.setdefault(f"{p}GRPC_HOST", host)
        env.setdefault(f"{p}GRPC_PORT", str(member.port))
        env.setdefault(f"{p}METRICS_PORT", str(9464 + index))
        wired = as_environment(member, wiring(member, lambda name: f"{host}:{ports[name]}"))
        for key, value in wired.items():
            env.setdefault(key, value)
        environments.append(env)
    return environments


async def run(*, database_url: str, kafka_bootstrap: str, host: str) -> None:
    console = Console()
    environments = member_environment(
        database_url=database_url, kafka_bootstrap=kafka_bootstrap, host=host,
        base=os.environ,
    )
    processes: list[asyncio.subprocess.Process] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        for member, env in zip(SUITE, environments, strict=True):
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", member.module, env=env
            )
            processes.append(process)
        for member in SUITE:
            await wait_serving(f"{host}:{member.port}", timeout_s=_START_TIMEOUT_S)
            console.print(f"{member.name:16} {host}:{member.port}  SERVING (pid "
                          f"{processes[SUITE.index(member)].pid})")
        console.print("Ctrl-C stops the suite.")
        waiters = [asyncio.create_task(p.wait()) for p in processes]
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait([stopper, *waiters], return_when=asyncio.FIRST_COMPLETED)
    finally:
        await _stop_all(processes)


async def _stop_all(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), _STOP_TIMEOUT_S)
        except TimeoutError:
            process.kill()
            await process.wait()
