"""The suite in distributed mode for e2e tests: six real processes on the test
PostgreSQL (one fresh schema per service per run) and the real Kafka broker."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field

import grpc
import sqlalchemy as sa

from ntb.identity.v1 import identity_pb2, identity_pb2_grpc
from ntb_cli.health import wait_serving
from ntb_cli.suite import (
    DEVELOPMENT_OPERATOR_ID,
    DEVELOPMENT_OPERATOR_SECRET,
    SUITE,
    as_environment,
    wiring,
)
from ntbkit.storage.engine import create_engine
from ntbkit.testing import database_url_under_test, kafka_bootstrap_under_test, port_under_test

PORT_BASE = port_under_test(51)  # 51051..: away from the 5005x ports of `make run`
METRICS_PORT_BASE = port_under_test(100)
START_TIMEOUT_S = 60.0


@dataclass
class DistributedSuite:
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    processes: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)
    started_ms: int = field(default_factory=lambda: int(time.time() * 1000) - 1000)

    def target(self, name: str) -> str:
        return f"127.0.0.1:{self.port(name)}"

    def port(self, name: str) -> int:
        return PORT_BASE + [m.name for m in SUITE].index(name)

    def schema(self, name: str) -> str:
        database = next(m.database for m in SUITE if m.name == name)
        return f"e2e_{self.run_id}_{database.replace('-', '_')}"

    def environment(self, name: str) -> dict[str, str]:
        index = [m.name for m in SUITE].index(name)
        member = SUITE[index]
        p = member.env_prefix
        env = dict(os.environ)
        env.update({
            f"{p}DATABASE_URL": database_url_under_test(),
            f"{p}DATABASE_SCHEMA": self.schema(name),
            f"{p}EVENT_BUS": "kafka",
            f"{p}KAFKA_BOOTSTRAP": kafka_bootstrap_under_test(),
            f"{p}GRPC_PORT": str(self.port(name)),
            f"{p}METRICS_PORT": str(METRICS_PORT_BASE + index),
            f"{p}LOG_LEVEL": "WARNING",
            f"{p}CONSUMER_GROUP_PREFIX": f"e2e-{self.run_id}.",
            # Skip the shared topics' history of earlier runs (seconds of catch-up).
            f"{p}CONSUMER_NEW_GROUP_START_MS": str(self.started_ms),
        })
        env.update(as_environment(member, wiring(member, self.target)))
        return env

    async def start(self, name: str, extra_env: dict[str, str] | None = None) -> None:
        """`extra_env` adds settings for this start only (e.g. a test's failpoint)."""
        module = next(m.module for m in SUITE if m.name == name)
        self.processes[name] = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, env={**self.environment(name), **(extra_env or {})}
        )
        await wait_serving(self.target(name), timeout_s=START_TIMEOUT_S)

    async def start_all(self) -> None:
        await asyncio.gather(*(self.start(m.name) for m in SUITE))

    async def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        await process.wait()

    async def exited(self, name: str, timeout_s: float = 60.0) -> int:
        """Wait for a process that is to end on its own (a failpoint); its exit code."""
        process = self.processes.pop(name)
        return await asyncio.wait_for(process.wait(), timeout_s)

    async def stop_all(self) -> dict[str, int]:
        """SIGTERM every process; their exit codes (0 = drained cleanly)."""
        for process in self.processes.values():
            if process.returncode is None:  # one that died early must not leave the rest
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        codes = {}
        for name, process in self.processes.items():
            try:
                codes[name] = await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                codes[name] = await process.wait()
        self.processes.clear()
        return codes

    async def drop_schemas(self) -> None:
        engine = create_engine(database_url_under_test(), schema="public")
        async with engine.begin() as connection:
            for schema in {self.schema(member.name) for member in SUITE}:
                await connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await engine.dispose()

    async def operator_token(self) -> str:
        async with grpc.aio.insecure_channel(self.target("identity")) as channel:
            response = await identity_pb2_grpc.IdentityServiceStub(channel).IssueToken(
                identity_pb2.IssueTokenRequest(
                    grant_type="client_credentials", client_id=DEVELOPMENT_OPERATOR_ID,
                    client_secret=DEVELOPMENT_OPERATOR_SECRET,
                ),
                timeout=10,
            )
        return str(response.access_token)


    async def wallet_counts(self, owners: list[str]) -> dict[str, int]:
        """Wallet rows per owner, read straight from laborcoin's schema."""
        engine = create_engine(database_url_under_test(), schema=self.schema("laborcoin"))
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text("SELECT owner_id, count(*) FROM accounts "
                        "WHERE kind = 'WALLET' AND owner_id = ANY(:owners) GROUP BY owner_id"),
                {"owners": owners},
            )
            counts = {str(row[0]): int(row[1]) for row in rows}
        await engine.dispose()
        return counts
