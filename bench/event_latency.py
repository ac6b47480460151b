"""Event latency: outbox (PostgreSQL) -> relay -> Kafka -> consumer -> inbox (PostgreSQL).

Each event is its own transaction, emitted on a fixed schedule (open loop) at
--rate events/s for --duration-s seconds. Latency is from the emitting
transaction's event time to the commit of the consumer's effect + inbox mark.
Baseline in the same run: raw Kafka produce -> consume at the same rate, no
database, no outbox, so the figures show what the outbox and inbox add.
Prints percentiles and ends with one JSON line.

usage: python bench/event_latency.py --rate 500 --duration-s 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from google.protobuf.wrappers_pb2 import StringValue
from sqlalchemy.ext.asyncio import AsyncEngine

from ntbkit.messaging.consumer import ConsumerOptions, run_consumer
from ntbkit.messaging.envelope import EventEnvelope
from ntbkit.messaging.inbox import InboxHandler
from ntbkit.messaging.kafka import KafkaEventBus, producer_config
from ntbkit.messaging.relay import OutboxRelay
from ntbkit.storage.engine import create_engine, session_factory
from ntbkit.storage.messaging_tables import add_messaging_tables
from ntbkit.storage.unit_of_work import UnitOfWork

PARTITIONS = 3
DATABASE_URL = os.environ.get(
    "NTB_TEST_DATABASE_URL", "postgresql+asyncpg://ntb:ntb@127.0.0.1:55432/ntb_test"
)
KAFKA = os.environ.get("NTB_TEST_KAFKA_BOOTSTRAP", "127.0.0.1:59092")

metadata = sa.MetaData()
received = sa.Table(
    "received", metadata,
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("latency_s", sa.Float, nullable=False),  # a measurement, not money
)
add_messaging_tables(metadata)


def fresh_topic(purpose: str) -> str:
    """A topic of this run only, so no earlier run's events sit in front of ours."""
    name = f"ntb.bench.{purpose}-{uuid.uuid4().hex[:8]}.v1"
    admin = AdminClient({"bootstrap.servers": KAFKA})
    for future in admin.create_topics(
        [NewTopic(name, num_partitions=PARTITIONS, replication_factor=1)]
    ).values():
        future.result(timeout=30)
    return name


def delete_topic(name: str) -> None:
    admin = AdminClient({"bootstrap.servers": KAFKA})
    for future in admin.delete_topics([name]).values():
        future.result(timeout=30)


def percentiles(samples_s: list[float]) -> dict[str, float]:
    ordered = sorted(samples_s)
    if not ordered:
        return {"p50_ms": float("nan"), "p99_ms": float("nan"), "max_ms": float("nan")}

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"p50_ms": round(at(0.50), 2), "p90_ms": round(at(0.90), 2),
            "p99_ms": round(at(0.99), 2), "max_ms": round(ordered[-1] * 1000, 2),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 2)}


async def emit_on_schedule(
    new_unit: object, topic: str, rate: int, duration_s: float, key_count: int
) -> int:
    """Open loop: event i is due at start + i/rate; late ticks are not skipped."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    total = int(rate * duration_s)
    in_flight: set[asyncio.Task[None]] = set()

    async def one(index: int) -> None:
        async with new_unit() as unit:  # type: ignore[operator]
            unit.emit(topic=topic, key=f"k{index % key_count}",
                      message=StringValue(value=str(index)))
            await unit.commit()

    for index in range(total):
        delay = start + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(index))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.gather(*in_flight)
    return total


def latency_recorder(new_unit: Callable[[], UnitOfWork], group: str) -> InboxHandler[UnitOfWork]:
    async def apply(unit: UnitOfWork, envelope: EventEnvelope) -> None:
        latency_s = (datetime.now(UTC) - envelope.time).total_seconds()
        await unit.session.execute(
            received.insert().values(event_id=envelope.event_id, latency_s=latency_s))

    return InboxHandler(new_unit, group=group, apply=apply)


async def consume(topic: str, schema: str, group: str) -> None:
    """The consuming service in its own process, with the runtime's consumer loop."""
    engine = create_engine(DATABASE_URL, schema=schema)
    sessions = session_factory(engine)
    handler = latency_recorder(lambda: UnitOfWork(sessions, source="bench-consumer"), group)
    source = KafkaEventBus(KAFKA).source(group=group, topics=[topic])
    await run_consumer(source, handler.handle_one, ConsumerOptions(group=group), asyncio.Event(),
                       batch_handler=handler.handle_batch)


async def _received_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(sa.select(sa.func.count()).select_from(received)))


async def pipeline(rate: int, duration_s: float) -> dict[str, object]:
    """Emitting service (units of work + relay) here; consuming service in a subprocess."""
    topic = fresh_topic("pipeline")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(DATABASE_URL, schema=schema, pool_size_max=20)
    async with engine.begin() as connection:
        await connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        await connection.run_sync(metadata.create_all)
    sessions = session_factory(engine)
    publisher = KafkaEventBus(KAFKA).publisher()
    relay = OutboxRelay(engine, publisher, service=schema, poll_interval_s=0.02)

    def new_unit() -> UnitOfWork:
        return UnitOfWork(sessions, source="bench", on_commit=relay.wake)

    consumer = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--consume", topic, schema, f"bench-{schema}")
    stop = asyncio.Event()
    relay_task = asyncio.create_task(relay.run(stop))
    # Warm-up: one event through the whole path proves the consumer has its partitions.
    await emit_on_schedule(new_unit, topic, rate, 1 / rate, key_count=1)
    while await _received_count(engine) < 1:
        await asyncio.sleep(0.1)
    async with engine.begin() as connection:
        await connection.execute(received.delete())
    started = time.monotonic()
    total = await emit_on_schedule(new_unit, topic, rate, duration_s, key_count=64)
    emit_s = time.monotonic() - started
    deadline = time.monotonic() + 120
    while await _received_count(engine) < total and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    async with engine.connect() as connection:
        latencies = [row[0] for row in await connection.execute(sa.select(received.c.latency_s))]
    consumer.terminate()
    await consumer.wait()
    stop.set()
    await relay_task
    await publisher.close()
    async with engine.begin() as connection:
        await connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()
    delete_topic(topic)
    return {"events": total, "delivered": len(latencies), "lost": total - len(latencies),
            "achieved_rate": round(total / emit_s, 1), **percentiles(latencies)}


def kafka_baseline(rate: int, duration_s: float) -> dict[str, object]:
    """Raw produce -> consume latency at the same rate (idempotent producer, acks=all)."""
    topic = fresh_topic("baseline")
    group = f"bench-baseline-{uuid.uuid4().hex[:8]}"
    consumer = Consumer({"bootstrap.servers": KAFKA, "group.id": group,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    while not consumer.assignment():  # joined the group and owns the partitions
        consumer.consume(num_messages=1, timeout=0.2)
    producer = Producer({**producer_config(KAFKA), "linger.ms": 0})
    # Warm-up: one message end to end, so fetch positions are set before the clock runs.
    producer.produce(topic, key=b"warm-up", value=b"0")
    producer.flush(10)
    while not consumer.consume(num_messages=1, timeout=0.2):
        pass
    run = uuid.uuid4().hex[:8].encode()
    total = int(rate * duration_s)
    latencies: list[float] = []
    start = time.monotonic()
    for index in range(total):
        delay = start + index / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        producer.produce(topic, key=f"k{index % 64}".encode(), value=str(time.time()).encode(),
                         headers=[("run", run)])
        producer.poll(0)
        for message in consumer.consume(num_messages=100, timeout=0):
            _record(message, run, latencies)
    producer.flush(10)
    deadline = time.monotonic() + 20
    while len(latencies) < total and time.monotonic() < deadline:
        for message in consumer.consume(num_messages=500, timeout=0.2):
            _record(message, run, latencies)
    consumer.close()
    delete_topic(topic)
    return {"events": total, "delivered": len(latencies), **percentiles(latencies)}


def _record(message: object, run: bytes, latencies: list[float]) -> None:
    if message.error() is None and (message.headers() or []) == [("run", run)]:  # type: ignore[attr-defined]
        latencies.append(time.time() - float(message.value()))  # type: ignore[attr-defined]


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--consume":
        asyncio.run(consume(*sys.argv[2:5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--duration-s", type=float, default=60.0)
    parser.add_argument("--baseline-duration-s", type=float, default=15.0)
    args = parser.parse_args()
    print(f"baseline: raw Kafka at {args.rate}/s for {args.baseline_duration_s}s ...", flush=True)
    baseline = kafka_baseline(args.rate, args.baseline_duration_s)
    print(f"  {baseline}", flush=True)
    print(f"pipeline: outbox -> Kafka -> inbox at {args.rate}/s for {args.duration_s}s ...",
          flush=True)
    result = asyncio.run(pipeline(args.rate, args.duration_s))
    print(f"  {result}", flush=True)
    print(json.dumps({"benchmark": "event_latency", "rate": args.rate,
                      "duration_s": args.duration_s, "pipeline": result,
                      "baseline_kafka": baseline, "target_p99_ms": 250}))


if __name__ == "__main__":
    main()
