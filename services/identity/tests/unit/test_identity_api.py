"""identity through its public gRPC API (one real server on loopback, SQLite, in-process
bus): a person's value and credit waves start at registration, move on profile changes
and on matching's order events (with reason codes naming the cause), can be recomputed
from their stored inputs; KYC, search paging, API clients and key rotation behave as
the contract says."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from identity_server import IdentityServer, auth, identity_server, person

from ntb.events.v1 import matching_events_pb2 as mev
from ntb.identity.v1 import identity_pb2 as pb
from ntb_identity.adapters import model_files
from ntb_identity.domain.scorecard import score
from ntb_identity.domain.value_model import ValueInputs, hourly_value_fen
from ntbkit.messaging.envelope import new_envelope

ORDER_TOPIC = "ntb.matching.order.v1"


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[IdentityServer]:
    async with identity_server(tmp_path, 900) as running:
        yield running


def stored_inputs(message: pb.ValueInputs) -> ValueInputs:
    return ValueInputs(
        region=message.region, industry_code=message.industry_code,
        base_hourly_value_fen=message.base_hourly_value.units,
        region_factor=Decimal(message.region_factor.value),
        industry_factor=Decimal(message.industry_factor.value),
        age_years=message.age_years, experience_years=message.experience_years,
        age_factor=Decimal(message.age_factor.value),
        experience_factor=Decimal(message.experience_factor.value),
        quality_factor=Decimal(message.quality_factor.value),
        rating_average=Decimal(message.rating_average.value),
        ratings_count=message.ratings_count, value_model_version=message.value_model_version,
        education=message.education,
    )


async def completed(server: IdentityServer, worker_id: str, *, late: bool = False,
                    rating: int = 5) -> None:
    now = Timestamp()
    now.FromDatetime(datetime.now(UTC))
    event = mev.OrderCompleted(order_id=str(uuid.uuid4()), buyer_id=str(uuid.uuid4()),
                               worker_id=worker_id, rating=rating, late=late, completed_at=now)
    await server.bus.publisher().publish(
        [new_envelope(topic=ORDER_TOPIC, key=event.order_id, message=event, source="test")])


async def wave_length(server: IdentityServer, token: str, principal_id: str,
                      length: int) -> pb.GetCreditWaveResponse:
    for _ in range(100):
        wave = await server.stub.GetCreditWave(
            pb.GetCreditWaveRequest(principal_id=principal_id), metadata=auth(token), timeout=5)
        if len(wave.points) >= length:
            return wave
        await asyncio.sleep(0.05)
    raise AssertionError(f"credit wave never reached {length} points")


async def test_registration_starts_both_waves_and_points_reproduce(
    server: IdentityServer,
) -> None:
    token = await server.token()
    registered = await server.stub.RegisterPrincipal(person(), metadata=auth(token), timeout=10)
    pid = registered.principal.principal_id
    value = await server.stub.GetValueWave(pb.GetValueWaveRequest(principal_id=pid),
                                           metadata=auth(token), timeout=5)
    assert [p.cause for p in value.points] == [pb.WAVE_CAUSE_REGISTERED]
    point = value.current
    assert point.hourly_value.asset == "CNY" and point.hourly_value.units > 0
    assert hourly_value_fen(stored_inputs(point.inputs)) == point.hourly_value.units
    explained = await server.stub.ExplainCredit(pb.ExplainCreditRequest(principal_id=pid),
                                                metadata=auth(token), timeout=5)
    features: dict[str, Decimal | None] = {
        a.feature: Decimal(a.value) if a.value else None for a in explained.attributes}
    card = model_files.scorecard(explained.point.scorecard_version)
    assert score(card, features).score == explained.point.score
    assert explained.base_points + sum(a.points for a in explained.attributes) == (
        explained.point.score)


async def test_profile_change_recomputes_value_and_explains_the_change(
    server: IdentityServer,
) -> None:
    token = await server.token()
    pid = (await server.stub.RegisterPrincipal(person(), metadata=auth(token),
                                               timeout=10)).principal.principal_id
    update = pb.UpdatePersonProfileRequest(
        request_id=str(uuid.uuid4()), principal_id=pid, expected_version=1,
        person=pb.PersonProfile(birth_year=1990, experience_years=12, education="master"))
    updated = await server.stub.UpdatePersonProfile(update, metadata=auth(token), timeout=10)
    again = await server.stub.UpdatePersonProfile(update, metadata=auth(token), timeout=10)
    assert updated.principal.version == again.principal.version == 2
    explained = await server.stub.ExplainValue(pb.ExplainValueRequest(principal_id=pid),
                                               metadata=auth(token), timeout=5)
    assert explained.point.cause == pb.WAVE_CAUSE_PROFILE_UPDATED
    assert explained.point.hourly_value.units > explained.previous.hourly_value.units
    changes = {c.input: c for c in explained.changes}
    assert changes["experience_factor"].before == "1.1786"  # 8 years
    assert changes["experience_factor"].after == "1.2800"  # 12 years
    assert changes["experience_factor"].effect.value == "1.0860"
    assert changes["education"].effect.value == "1"
    stale = pb.UpdatePersonProfileRequest(
        request_id=str(uuid.uuid4()), principal_id=pid, expected_version=1,
        person=pb.PersonProfile(birth_year=1990, experience_years=13))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await server.stub.UpdatePersonProfile(stale, metadata=auth(token), timeout=10)
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_late_orders_lower_credit_with_reason_and_ratings_move_value(
    server: IdentityServer,
) -> None:
    token = await server.token()
    pid = (await server.stub.RegisterPrincipal(person(), metadata=auth(token),
                                               timeout=10)).principal.principal_id
    for _ in range(4):
        await completed(server, pid, rating=5)
    on_time = (await wave_length(server, token, pid, 5)).current
    for _ in range(4):
        await completed(server, pid, late=True, rating=2)
    late = (await wave_length(server, token, pid, 9)).current
    assert late.cause == pb.WAVE_CAUSE_ORDER_COMPLETED
    assert late.score < on_time.score
    assert late.reasons[0].code == "LATE_DELIVERIES"
    value = await server.stub.GetValueWave(pb.GetValueWaveRequest(principal_id=pid),
                                           metadata=auth(token), timeout=5)
    assert len(value.points) == 9
    assert value.points[4].inputs.quality_factor.value == "1.1500"  # four 5-star ratings
    assert Decimal(value.current.inputs.quality_factor.value) < Decimal("1.15")
    for point in value.points:
        assert hourly_value_fen(stored_inputs(point.inputs)) == point.hourly_value.units
    page = await server.stub.GetValueWave(
        pb.GetValueWaveRequest(principal_id=pid, page={"page_size": 4}),
        metadata=auth(token), timeout=5)
    rest = await server.stub.GetValueWave(
        pb.GetValueWaveRequest(principal_id=pid, page={"page_size": 10,
                               "page_token": page.page.next_page_token}),
        metadata=auth(token), timeout=5)
    assert [p.sequence for p in page.points] == [1, 2, 3, 4]
    assert [p.sequence for p in rest.points] == [5, 6, 7, 8, 9]


async def publish(server: IdentityServer, message: Message, event_id: str | None = None) -> None:
    envelope = new_envelope(topic=ORDER_TOPIC, key=str(uuid.uuid4()), message=message,
                            source="test")
    if event_id is not None:
        envelope = dataclasses.replace(envelope, event_id=event_id)
    await server.bus.publisher().publish([envelope])


async def test_disputes_lower_credit_with_reasons_and_a_redelivered_event_counts_once(
    server: IdentityServer,
) -> None:
    token = await server.token()
    pid = (await server.stub.RegisterPrincipal(person(), metadata=auth(token),
                                               timeout=10)).principal.principal_id
    for _ in range(3):
        await completed(server, pid)
    before = (await wave_length(server, token, pid, 4)).current
    buyer = str(uuid.uuid4())
    disputed = mev.OrderDisputed(order_id=str(uuid.uuid4()), buyer_id=buyer, worker_id=pid,
                                 raised_by=buyer, reason="not delivered")
    event_id = str(uuid.uuid4())
    await publish(server, disputed, event_id)
    await publish(server, disputed, event_id)  # redelivery: same event id
    after_dispute = (await wave_length(server, token, pid, 5)).current
    assert after_dispute.cause == pb.WAVE_CAUSE_ORDER_DISPUTED
    assert after_dispute.score < before.score
    assert "DISPUTES" in [r.code for r in after_dispute.reasons]
    lost = mev.OrderCancelled(order_id=disputed.order_id, buyer_id=buyer, worker_id=pid,
                              cancelled_by=str(uuid.uuid4()), after_dispute=True)
    await publish(server, lost)
    wave = await wave_length(server, token, pid, 6)
    assert wave.current.score < after_dispute.score
    assert "DISPUTES_LOST" in [r.code for r in wave.current.reasons]
    await asyncio.sleep(0.3)
    assert len((await wave_length(server, token, pid, 6)).points) == 6  # no 7th point


async def test_value_model_is_readable_with_its_sources(server: IdentityServer) -> None:
    token = await server.token()
    model = (await server.stub.GetValueModel(pb.GetValueModelRequest(),
                                             metadata=auth(token), timeout=5)).model
    assert model.version == 1 and model.national_hourly_value.units == 6035
    assert any("Statistical Yearbook" in s for s in model.sources)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await server.stub.GetValueModel(pb.GetValueModelRequest(version=99),
                                        metadata=auth(token), timeout=5)
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
