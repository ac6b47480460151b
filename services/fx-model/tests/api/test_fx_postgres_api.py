"""On PostgreSQL (the distributed mode's database): the migrations create fx-model's
tables in its own schema, an accepted upload is the active data set after a restart, and
a rejected one leaves it unchanged. Needs the test PostgreSQL (make infra-up)."""

from __future__ import annotations

import uuid

import grpc
import pytest
import sqlalchemy as sa
from fx_api_support import OPERATOR, FxServer
from test_fx_uploads_api import packaged_with, upload

from ntb.fx_model.v1 import fx_model_pb2 as pb
from ntb.fx_model.v1.fx_model_pb2_grpc import FxModelServiceStub
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.storage.engine import create_engine
from ntbkit.testing import database_url_under_test, unique_schema

pytestmark = pytest.mark.integration


async def japan(target: str) -> pb.Rate:
    async with grpc.aio.insecure_channel(target) as channel:
        stub = FxModelServiceStub(channel)
        return (await stub.GetRate(pb.GetRateRequest(country_code="JPN", year=2013))).rate


async def test_uploads_persist_in_postgres() -> None:
    url = database_url_under_test()
    server = FxServer(url, InMemoryEventBus(), schema=unique_schema("fx"))
    await server.start()
    try:
        async with grpc.aio.insecure_channel(server.target) as channel:
            stub = FxModelServiceStub(channel)
            accepted = (await stub.UploadIndicators(upload(packaged_with(
                {("JPN", "2013"): {"avg_wage_lcu": "4500000"}})), metadata=OPERATOR)).dataset
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.UploadIndicators(upload(packaged_with(
                    {("JPN", "2013"): {"avg_wage_lcu": "0"}}), request_id=str(uuid.uuid4())),
                    metadata=OPERATOR)
            assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        await server.stop()
        await server.start()
        rate = await japan(server.target)
        assert rate.dataset_id == accepted.dataset_id
        assert ("JPN", "avg_wage_lcu", "4500000") in {
            (s.country_code, s.column, s.value) for s in rate.inputs}
    finally:
        await server.stop()
        engine = create_engine(url, schema="public")
        async with engine.begin() as connection:
            await connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{server.schema}" CASCADE'))
        await engine.dispose()
