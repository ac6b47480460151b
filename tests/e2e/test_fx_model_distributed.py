"""fx-model in the distributed suite (its own process, PostgreSQL, Kafka): a price that
laborcoin announces on `ntb.laborcoin.price.v1` reaches fx-model's consumer through the
real broker and becomes the anchor's price; an operator with an identity-issued token
uploads a data set that is served from then on; CompareWithOfficial answers 2013.

The upload carries the packaged values unchanged, so other tests of the session see
the same rates (only the data set id changes). The price event's sequence is the
current time in milliseconds, newer than any price a previous run left on the topic.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import grpc
import pytest
import pytest_asyncio
from e2e_suite import DistributedSuite
from google.protobuf.timestamp_pb2 import Timestamp

from ntb.common.v1 import common_pb2
from ntb.events.v1 import laborcoin_events_pb2
from ntb.fx_model.v1 import fx_model_pb2 as pb
from ntb.fx_model.v1 import fx_model_pb2_grpc
from ntb_fx_model.domain.indicators import PACKAGED_INDICATORS, read_packaged_text
from ntbkit.messaging.envelope import new_envelope
from ntbkit.messaging.kafka import KafkaEventBus
from ntbkit.testing import kafka_bootstrap_under_test

PRICE_DEADLINE_S = 15.0
pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(loop_scope="session")
async def fx(suite: DistributedSuite) -> AsyncIterator[fx_model_pb2_grpc.FxModelServiceStub]:
    async with grpc.aio.insecure_channel(suite.target("fx-model")) as channel:
        yield fx_model_pb2_grpc.FxModelServiceStub(channel)


async def publish_price(price: str, sequence: int) -> None:
    effective_at = Timestamp()
    effective_at.FromDatetime(datetime.now(UTC))
    message = laborcoin_events_pb2.PriceUpdated(
        price=common_pb2.Decimal(value=price), sequence=sequence, effective_at=effective_at)
    envelope = new_envelope(topic="ntb.laborcoin.price.v1", key="LBC", message=message,
                            source="ntb-laborcoin")
    publisher = KafkaEventBus(kafka_bootstrap_under_test()).publisher()
    try:
        await publisher.publish([envelope])
    finally:
        await publisher.close()


async def test_anchor_price_arrives_through_kafka(
    fx: fx_model_pb2_grpc.FxModelServiceStub,
) -> None:
    sequence = int(time.time() * 1000)
    price = f"1.{sequence % 100000:05d}1"
    await publish_price(price, sequence)
    request = pb.GetAnchorRatesRequest(year=2013, country_codes=["JPN"])
    deadline = time.monotonic() + PRICE_DEADLINE_S
    while True:
        try:
            response = await fx.GetAnchorRates(request, timeout=10)
            if response.lbc_price_cny.value == price:
                break
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert time.monotonic() < deadline, "the price never reached fx-model"
        await asyncio.sleep(0.1)
    assert response.anchor_rates[0].country_code == "JPN"
    assert response.cny_per_usd_basis == pb.CNY_RATE_BASIS_OFFICIAL


async def test_operator_upload_is_served(
    suite: DistributedSuite, fx: fx_model_pb2_grpc.FxModelServiceStub
) -> None:
    token = await suite.operator_token()
    before = (await fx.GetRate(pb.GetRateRequest(country_code="JPN", year=2013))).rate
    response = await fx.UploadIndicators(pb.UploadIndicatorsRequest(
        request_id=str(uuid.uuid4()), format=pb.INDICATOR_FORMAT_NTB_CSV,
        content=read_packaged_text(PACKAGED_INDICATORS).encode(), description="e2e"),
        metadata=(("authorization", f"Bearer {token}"),), timeout=30)
    assert response.dataset.version >= 1
    after = (await fx.GetRate(pb.GetRateRequest(country_code="JPN", year=2013))).rate
    assert after.dataset_id == response.dataset.dataset_id != before.dataset_id
    assert after.local_per_usd == before.local_per_usd

    compared = await fx.CompareWithOfficial(pb.CompareWithOfficialRequest(year=2013))
    assert len(compared.comparisons) == 40
