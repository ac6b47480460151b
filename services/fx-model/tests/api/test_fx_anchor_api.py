"""The currency anchor through the real gRPC API, fed by laborcoin's price events.

Proves that: GetAnchorRates answers FAILED_PRECONDITION COIN_PRICE_UNKNOWN until a
`ntb.events.v1.PriceUpdated` arrives on `ntb.laborcoin.price.v1` (no made-up price);
after it, each currency's value in LBC is price x local_per_usd / cny_per_usd with CNY
at China's official rate (no Chinese wage in the data) and the basis says so; an older
price point (lower sequence) or a redelivered event changes nothing; each accepted price
emits `ntb.events.v1.FxRatesUpdated` on `ntb.fx_model.rates.v1` with the anchor values.
How: the events are put on the service's in-process bus, as laborcoin's relay would.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal, localcontext

import grpc
import pytest
from fx_api_support import FxServer
from google.protobuf.timestamp_pb2 import Timestamp

from ntb.common.v1 import common_pb2
from ntb.events.v1 import fx_model_events_pb2, laborcoin_events_pb2
from ntb.fx_model.v1 import fx_model_pb2 as pb
from ntb.fx_model.v1.fx_model_pb2_grpc import FxModelServiceStub
from ntbkit.messaging.envelope import EventEnvelope, new_envelope
from ntbkit.testing import error_info

PRICE_TOPIC = "ntb.laborcoin.price.v1"
RATES_TOPIC = "ntb.fx_model.rates.v1"


def price_event(price: str, sequence: int) -> EventEnvelope:
    effective_at = Timestamp()
    effective_at.FromDatetime(datetime(2026, 11, 27, 12, sequence, tzinfo=UTC))
    message = laborcoin_events_pb2.PriceUpdated(
        price=common_pb2.Decimal(value=price), sequence=sequence, effective_at=effective_at)
    return new_envelope(topic=PRICE_TOPIC, key="LBC", message=message, source="ntb-laborcoin")


async def anchor_when(fx: FxModelServiceStub, price: str) -> pb.GetAnchorRatesResponse:
    request = pb.GetAnchorRatesRequest(year=2013, country_codes=["JPN", "DEU", "CHN", "ZZZ"])
    for _ in range(200):
        try:
            response = await fx.GetAnchorRates(request)
            if response.lbc_price_cny.value == price:
                return response
        except grpc.aio.AioRpcError as error:
            assert error_info(error).reason == "COIN_PRICE_UNKNOWN"
        await asyncio.sleep(0.02)
    raise AssertionError(f"price {price} never applied")


def rates_events(server: FxServer) -> list[fx_model_events_pb2.FxRatesUpdated]:
    events = []
    for envelope in server.bus.broker.logs[RATES_TOPIC]:
        message = fx_model_events_pb2.FxRatesUpdated()
        message.ParseFromString(envelope.payload)
        events.append(message)
    return events


async def test_anchor_follows_laborcoin_prices(server: FxServer, fx: FxModelServiceStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await fx.GetAnchorRates(pb.GetAnchorRatesRequest(year=2013))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_info(caught.value).reason == "COIN_PRICE_UNKNOWN"

    second = price_event("1.25", 2)
    await server.bus.broker.append([second])
    response = await anchor_when(fx, "1.25")
    assert response.cny_per_usd_basis == pb.CNY_RATE_BASIS_OFFICIAL
    japan = next(a for a in response.anchor_rates if a.country_code == "JPN")
    with localcontext() as ctx:
        ctx.prec = 50
        expected = Decimal("1.25") * Decimal(japan.rate.local_per_usd.value) / Decimal(
            response.cny_per_usd.value)
        assert abs(Decimal(japan.local_per_lbc.value) - expected) < Decimal("1e-20")
        assert abs(Decimal(japan.lbc_per_local.value) * expected - 1) < Decimal("1e-20")
    assert {a.country_code for a in response.anchor_rates} == {"DEU", "JPN"}
    assert {s.country_code: s.reason for s in response.skipped} == {
        "CHN": pb.SKIP_REASON_INPUTS_MISSING, "ZZZ": pb.SKIP_REASON_COUNTRY_YEAR_NOT_FOUND}

    older = price_event("1.10", 1)
    await server.bus.broker.append([older, replace(second, event_id=second.event_id)])
    await asyncio.sleep(0.3)
    assert (await anchor_when(fx, "1.25")).lbc_price_cny.value == "1.25"

    events = rates_events(server)
    assert len(events) == 1  # only the accepted price point announced rates
    event = events[0]
    assert event.dataset_version == "packaged" and event.base_currency == "USD"
    assert event.year == 2019
    japan_event = next(r for r in event.rates if r.country_code == "JP")
    assert japan_event.currency == "JPY" and japan_event.lbc_per_local.value
