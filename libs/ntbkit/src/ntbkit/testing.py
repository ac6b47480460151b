"""Helpers for the services' tests: real servers from the environment, unique schemas.

`make test` starts PostgreSQL and Kafka and exports their addresses; a test that
needs one and does not find it fails with a message saying how to start it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc
import sqlalchemy as sa
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from sqlalchemy.ext.asyncio import AsyncEngine

from ntbkit.storage.engine import create_engine

DATABASE_URL_VARIABLE = "NTB_TEST_DATABASE_URL"
KAFKA_BOOTSTRAP_VARIABLE = "NTB_TEST_KAFKA_BOOTSTRAP"


class MissingTestServer(RuntimeError):
    pass


def required_environment(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise MissingTestServer(f"{name} is not set: run `make infra-up` and export it "
                                "(make test does both)")
    return value


def database_url_under_test() -> str:
    return required_environment(DATABASE_URL_VARIABLE)


def kafka_bootstrap_under_test() -> str:
    return required_environment(KAFKA_BOOTSTRAP_VARIABLE)


def port_under_test(offset: int) -> int:
    """Ports for servers that tests start: NTB_TEST_PORT_BASE (default 21000) + offset,
    so two checkouts testing at once on one machine can keep apart.

    The default stays below Linux's ephemeral range (32768-60999), which Linux hands out
    to outgoing connections: with 51000 a test server once found its port taken."""
    return int(os.environ.get("NTB_TEST_PORT_BASE", "21000")) + offset


def unique_schema(prefix: str) -> str:
    return f"t_{prefix}_{uuid.uuid4().hex[:10]}"


@asynccontextmanager
async def postgres_schema(prefix: str) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A fresh schema on the test PostgreSQL, dropped afterwards."""
    url = database_url_under_test()
    schema = unique_schema(prefix)
    engine = create_engine(url, schema=schema)
    try:
        yield schema, engine
    finally:
        async with engine.begin() as connection:
            await connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await engine.dispose()


def error_info(error: grpc.aio.AioRpcError) -> error_details_pb2.ErrorInfo:
    """The google.rpc.ErrorInfo a failed call carries (its machine-readable reason)."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]  # AioRpcError has the Call parts it reads
    assert status is not None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    raise AssertionError("no ErrorInfo")


def violations(error: grpc.aio.AioRpcError) -> dict[str, str]:
    """The field violations of an INVALID_ARGUMENT call: field -> description."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]  # AioRpcError has the Call parts it reads
    assert status is not None
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            return {v.field: v.description for v in bad.field_violations}
    raise AssertionError("no BadRequest")
