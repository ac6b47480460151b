"""The event path in embedded mode (SQLite + in-process bus) behaves like Kafka's:
a committed event reaches the consumer once, a rolled-back one never, a redelivered
one has no second effect, a poison one goes to the DLQ without blocking the rest.

Real SQLite files and the real relay/consumer loops; only the broker is in-process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from google.protobuf.wrappers_pb2 import StringValue
from messaging_fixtures import consume, create_tables, effect_rows, effect_writer, emit_values
from sqlalchemy.ext.asyncio import AsyncEngine

from ntbkit.messaging.consumer import ConsumerOptions, run_consumer
from ntbkit.messaging.envelope import new_envelope
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.messaging.relay import OutboxRelay
from ntbkit.storage.engine import create_engine, session_factory
from ntbkit.storage.unit_of_work import UnitOfWork

TOPIC = "ntb.test.values.v1"
GROUP = "test.effects"


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'svc.db'}", schema="svc")
    await create_tables(engine)
    yield engine
    await engine.dispose()


async def _until(predicate: object, timeout_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await predicate():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def test_committed_events_reach_the_consumer_once_in_order(engine: AsyncEngine) -> None:
    bus = InMemoryEventBus()
    relay = OutboxRelay(engine, bus.publisher(), service="svc", poll_interval_s=0.01)
    sessions = session_factory(engine)

    def new_unit() -> UnitOfWork:
        return UnitOfWork(sessions, source="svc", on_commit=relay.wake)

    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(relay.run(stop)),
        asyncio.create_task(
            consume(
                bus.source(group=GROUP, topics=[TOPIC]),
                effect_writer(new_unit, GROUP),
                stop,
                poll_timeout_s=0.01,
            )
        ),
    ]
    ids = await emit_values(new_unit, TOPIC, [("a", "1"), ("b", "2"), ("a", "3")])
    async with new_unit() as unit:  # rolled back: its event must never appear
        unit.emit(topic=TOPIC, key="a", message=StringValue(value="rolled back"))

    async def all_handled() -> bool:
        return len(await effect_rows(engine)) >= 3

    await _until(all_handled)
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.gather(*tasks)
    rows = await effect_rows(engine)
    assert [r[0] for r in rows] == ids
    assert [r[2] for r in rows] == ["1", "2", "3"]


async def test_redelivered_event_has_no_second_effect(engine: AsyncEngine) -> None:
    bus = InMemoryEventBus()
    sessions = session_factory(engine)

    def new_unit() -> UnitOfWork:
        return UnitOfWork(sessions, source="svc")

    envelope = new_envelope(topic=TOPIC, key="k", message=StringValue(value="x"), source="t")
    publisher = bus.publisher()
    await publisher.publish([envelope, envelope])  # at-least-once: the same event twice
    stop = asyncio.Event()
    task = asyncio.create_task(
        consume(
            bus.source(group=GROUP, topics=[TOPIC]),
            effect_writer(new_unit, GROUP),
            stop,
            poll_timeout_s=0.01,
        )
    )
    await asyncio.sleep(0.3)
    # A restarted consumer of the same group resumes after its commit: nothing again.
    stop.set()
    await task
    stop2 = asyncio.Event()
    task2 = asyncio.create_task(
        consume(
            bus.source(group=GROUP, topics=[TOPIC]),
            effect_writer(new_unit, GROUP),
            stop2,
            poll_timeout_s=0.01,
        )
    )
    await asyncio.sleep(0.1)
    stop2.set()
    await task2
    assert [r[0] for r in await effect_rows(engine)] == [envelope.event_id]


async def test_poison_event_goes_to_dlq_and_does_not_block(engine: AsyncEngine) -> None:
    bus = InMemoryEventBus()
    sessions = session_factory(engine)

    def new_unit() -> UnitOfWork:
        return UnitOfWork(sessions, source="svc")

    poison = new_envelope(topic=TOPIC, key="k", message=StringValue(value="p"), source="t")
    poison = type(poison)(**{**poison.__dict__, "payload": b"\xff\xff not protobuf"})
    good = new_envelope(topic=TOPIC, key="k", message=StringValue(value="ok"), source="t")
    await bus.publisher().publish([poison, good])
    stop = asyncio.Event()
    task = asyncio.create_task(
        consume(
            bus.source(group=GROUP, topics=[TOPIC]),
            effect_writer(new_unit, GROUP),
            stop,
            poll_timeout_s=0.01,
        )
    )
    await asyncio.sleep(0.3)
    stop.set()
    await task
    assert [r[2] for r in await effect_rows(engine)] == ["ok"]
    dead = bus.broker.logs[f"{TOPIC}.dlq"]
    assert [d.event_id for d in dead] == [poison.event_id]
    assert "undecodable" in dead[0].trace_headers["error"]


async def test_handler_failing_every_time_is_dead_lettered_after_attempts_max(
    engine: AsyncEngine,
) -> None:
    bus = InMemoryEventBus()
    calls: list[str] = []

    async def failing(envelope: object) -> None:
        calls.append("x")
        raise ValueError("rule that never holds")

    event = new_envelope(topic=TOPIC, key="k", message=StringValue(value="v"), source="t")
    await bus.publisher().publish([event])
    stop = asyncio.Event()
    options = ConsumerOptions(
        group=GROUP, poll_timeout_s=0.01, attempts_max=3, backoff_first_s=0.001
    )
    task = asyncio.create_task(
        run_consumer(bus.source(group=GROUP, topics=[TOPIC]), failing, options, stop)
    )
    await asyncio.sleep(0.3)
    stop.set()
    await task
    assert len(calls) == 3
    assert [d.event_id for d in bus.broker.logs[f"{TOPIC}.dlq"]] == [event.event_id]
