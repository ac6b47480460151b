"""A bank's view of a person's waves on the distributed suite (six processes, PostgreSQL,
Kafka): registration gives a first value point and credit point, both reproducible from
their stored inputs; a late, low-rated completed order (matching's OrderCompleted on
Kafka) moves the credit wave down with LATE_DELIVERIES as a reason and the value wave
through the rating; every new value point reaches Kafka as a ValueUpdated event."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import grpc
import pytest
from e2e_suite import DistributedSuite
from google.protobuf.timestamp_pb2 import Timestamp

from ntb.events.v1 import identity_events_pb2 as iev
from ntb.events.v1 import matching_events_pb2 as mev
from ntb.identity.v1 import identity_pb2 as idpb
from ntb.identity.v1 import identity_pb2_grpc
from ntb_identity.adapters import model_files
from ntb_identity.domain.scorecard import score
from ntbkit.messaging.envelope import decode, new_envelope
from ntbkit.messaging.kafka import KafkaEventBus
from ntbkit.testing import kafka_bootstrap_under_test

pytestmark = pytest.mark.asyncio(loop_scope="session")
EVENT_DEADLINE_S = 10.0


def auth(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


async def publish_completed(worker_id: str, count: int) -> None:
    now = Timestamp()
    now.FromDatetime(datetime.now(UTC))
    publisher = KafkaEventBus(kafka_bootstrap_under_test()).publisher()
    events = []
    for _ in range(count):
        order = mev.OrderCompleted(order_id=str(uuid.uuid4()), buyer_id=str(uuid.uuid4()),
                                   worker_id=worker_id, rating=2, late=True, completed_at=now)
        events.append(new_envelope(topic="ntb.matching.order.v1", key=order.order_id,
                                   message=order, source="ntb-matching"))
    try:
        await publisher.publish(events)
    finally:
        await publisher.close()


async def test_person_waves_start_reproduce_and_move_on_order_events(
    suite: DistributedSuite,
) -> None:
    token = await suite.operator_token()
    async with grpc.aio.insecure_channel(suite.target("identity")) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        registered = await stub.RegisterPrincipal(idpb.RegisterPrincipalRequest(
            request_id=str(uuid.uuid4()), kind=idpb.PRINCIPAL_KIND_PERSON,
            display_name="Zhao Lei", country_code="CN", region="CN-ZJ", industry_code="J62",
            person=idpb.PersonProfile(birth_year=1988, experience_years=10)),
            metadata=auth(token), timeout=10)
        pid = registered.principal.principal_id
        value = await stub.GetValueWave(idpb.GetValueWaveRequest(principal_id=pid),
                                        metadata=auth(token), timeout=10)
        first = await stub.ExplainCredit(idpb.ExplainCreditRequest(principal_id=pid),
                                         metadata=auth(token), timeout=10)
        assert value.current.cause == idpb.WAVE_CAUSE_REGISTERED
        features: dict[str, Decimal | None] = {
            a.feature: Decimal(a.value) if a.value else None for a in first.attributes}
        assert score(model_files.scorecard(1), features).score == first.point.score

        await publish_completed(pid, 3)
        deadline_s = asyncio.get_running_loop().time() + EVENT_DEADLINE_S
        credit = await stub.GetCreditWave(idpb.GetCreditWaveRequest(principal_id=pid),
                                          metadata=auth(token), timeout=10)
        while len(credit.points) < 4 and asyncio.get_running_loop().time() < deadline_s:
            await asyncio.sleep(0.1)
            credit = await stub.GetCreditWave(idpb.GetCreditWaveRequest(principal_id=pid),
                                              metadata=auth(token), timeout=10)
        assert len(credit.points) == 4, "the order events did not reach identity in time"
        assert credit.current.score < first.point.score
        assert credit.current.reasons[0].code == "LATE_DELIVERIES"
        value = await stub.GetValueWave(idpb.GetValueWaveRequest(principal_id=pid),
                                        metadata=auth(token), timeout=10)
        assert value.current.cause == idpb.WAVE_CAUSE_ORDER_COMPLETED
        assert value.current.inputs.ratings_count == 3
        assert value.current.hourly_value.units < value.points[0].hourly_value.units
    assert await value_updates_on_kafka(pid) == [1, 2, 3, 4]


async def value_updates_on_kafka(principal_id: str) -> list[int]:
    """Sequences of the person's ValueUpdated events on ntb.identity.value.v1."""
    source = KafkaEventBus(kafka_bootstrap_under_test()).source(
        group=f"e2e-reader-{uuid.uuid4().hex[:8]}", topics=["ntb.identity.value.v1"])
    sequences: list[int] = []
    deadline_s = asyncio.get_running_loop().time() + EVENT_DEADLINE_S
    try:
        while len(sequences) < 4 and asyncio.get_running_loop().time() < deadline_s:
            for received in await source.poll(count_max=500, timeout_s=0.5):
                if received.envelope.key == principal_id:
                    event = decode(received.envelope, iev.ValueUpdated)
                    assert isinstance(event, iev.ValueUpdated)
                    sequences.append(event.sequence)
    finally:
        await source.close()
    return sequences
