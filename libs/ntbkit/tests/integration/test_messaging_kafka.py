"""The event path on the real servers: PostgreSQL outbox -> relay -> Kafka -> consumer
inbox on PostgreSQL. Proves delivery in order per key, no second effect on
redelivery, and that the relay never skips a row whose transaction commits late.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from google.protobuf.wrappers_pb2 import StringValue
from messaging_fixtures import consume, create_tables, effect_rows, effect_writer, emit_values
from sqlalchemy.ext.asyncio import AsyncEngine

from ntbkit.messaging.envelope import EventEnvelope, new_envelope
from ntbkit.messaging.kafka import KafkaEventBus
from ntbkit.messaging.relay import OutboxRelay
from ntbkit.storage.engine import session_factory
from ntbkit.storage.unit_of_work import UnitOfWork, outbox, outbox_row
from ntbkit.testing import kafka_bootstrap_under_test, postgres_schema

TOPIC = "ntb.test.events.v1"  # created by the infra scripts (auto-create is off)


@dataclass
class Service:
    engine: AsyncEngine
    bus: KafkaEventBus
    relay: OutboxRelay

    def new_unit(self) -> UnitOfWork:
        return UnitOfWork(session_factory(self.engine), source="svc", on_commit=self.relay.wake)


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    async with postgres_schema("msg") as (schema, engine):
        await create_tables(engine, schema)
        # New groups skip the shared test topic's history of earlier runs.
        bus = KafkaEventBus(kafka_bootstrap_under_test(),
                            new_group_start_ms=int(time.time() * 1000) - 1000)
        publisher = bus.publisher()
        relay = OutboxRelay(engine, publisher, service=schema, poll_interval_s=0.02)
        yield Service(engine, bus, relay)
        await publisher.close()


async def _consume_until(
    service: Service, run: str, expected: int, timeout_s: float = 30.0
) -> list[tuple[str, str, str]]:
    group = f"test-{run}"
    stop = asyncio.Event()
    task = asyncio.create_task(consume(
        service.bus.source(group=group, topics=[TOPIC]), effect_writer(service.new_unit, group),
        stop,
    ))
    deadline = asyncio.get_running_loop().time() + timeout_s
    try:
        while len(rows := await effect_rows(service.engine, run)) < expected:
            assert asyncio.get_running_loop().time() < deadline, f"only {len(rows)} arrived"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # a duplicate, if any, would land now
        return await effect_rows(service.engine, run)
    finally:
        stop.set()
        await task


async def test_outbox_to_kafka_to_inbox_in_order_per_key(service: Service) -> None:
    run = uuid.uuid4().hex[:8]
    items = [(f"{run}-{i % 3}", str(i)) for i in range(30)]
    stop = asyncio.Event()
    relay = asyncio.create_task(service.relay.run(stop))
    ids = await emit_values(service.new_unit, TOPIC, items)
    rows = await _consume_until(service, run, expected=30)
    stop.set()
    await relay
    ours = [r for r in rows if r[1].startswith(run)]
    assert sorted(r[0] for r in ours) == sorted(ids)
    for key in {k for k, _ in items}:
        sent = [v for k, v in items if k == key]
        assert [r[2] for r in ours if r[1] == key] == sent


async def test_redelivered_event_has_no_second_effect(service: Service) -> None:
    run = uuid.uuid4().hex[:8]
    envelope = new_envelope(topic=TOPIC, key=f"{run}-k", message=StringValue(value="once"),
                            source="test")
    publisher = service.bus.publisher()
    await publisher.publish([envelope])
    await publisher.publish([envelope])  # the relay crashed after the ack: sent again
    await publisher.close()
    rows = await _consume_until(service, run, expected=1)
    assert [r[0] for r in rows if r[1] == f"{run}-k"] == [envelope.event_id]


async def test_relay_publishes_a_row_whose_transaction_commits_late(service: Service) -> None:
    """A transaction that took its outbox id first but commits last is not skipped."""
    run = uuid.uuid4().hex[:8]
    late = new_envelope(topic=TOPIC, key=f"{run}-late", message=StringValue(value="late"),
                        source="test")
    late_connection = await service.engine.connect()
    late_transaction = await late_connection.begin()
    await late_connection.execute(outbox.insert().values(outbox_row(late)))  # takes its id now
    await emit_values(service.new_unit, TOPIC, [(f"{run}-early", "early")])
    assert await service.relay.publish_batch() == 1  # only the committed row
    await late_transaction.commit()
    await late_connection.close()
    assert await service.relay.publish_batch() == 1  # the late row is found now
    rows = await _consume_until(service, run, expected=2)
    assert sorted(r[2] for r in rows if r[1].startswith(run)) == ["early", "late"]


async def test_a_new_group_can_start_at_a_time_instead_of_the_beginning() -> None:
    """Test runs sharing a broker skip each other's history; a group that committed
    before resumes where it was. One key: one partition, so order is defined."""
    run = uuid.uuid4().hex[:8]

    def event(value: str) -> EventEnvelope:
        return new_envelope(topic=TOPIC, key=run, message=StringValue(value=value),
                            source="test")

    publisher = KafkaEventBus(kafka_bootstrap_under_test()).publisher()
    await publisher.publish([event("old")])
    await asyncio.sleep(0.05)
    start_ms = int(time.time() * 1000)
    await asyncio.sleep(0.05)
    await publisher.publish([event("new")])

    async def values_until(bus: KafkaEventBus, group: str, last: str) -> list[str]:
        source = bus.source(group=group, topics=[TOPIC])
        seen: list[str] = []
        deadline = asyncio.get_running_loop().time() + 30
        try:
            while last not in seen:
                assert asyncio.get_running_loop().time() < deadline, seen
                events = await source.poll(count_max=500, timeout_s=0.5)
                for received in events:
                    if received.envelope.key == run:
                        value = StringValue()
                        value.ParseFromString(received.envelope.payload)
                        seen.append(value.value)
                await source.commit(events)
        finally:
            await source.close()
        return seen

    from_start = KafkaEventBus(kafka_bootstrap_under_test(), new_group_start_ms=start_ms)
    assert await values_until(from_start, f"test-start-{run}", "new") == ["new"]
    everything = KafkaEventBus(kafka_bootstrap_under_test())
    assert await values_until(everything, f"test-all-{run}", "new") == ["old", "new"]

    await publisher.publish([event("later")])
    await publisher.close()
    resumed = KafkaEventBus(kafka_bootstrap_under_test(), new_group_start_ms=2**62)
    assert await values_until(resumed, f"test-start-{run}", "later") == ["later"]
