"""A consumer killed with SIGKILL in the middle of a batch resumes, after restart,
without losing an event or applying one twice: its offsets were not committed, so
the batch comes again, and the inbox drops what was already applied.

Real Kafka, real PostgreSQL, a real separate process and a real SIGKILL.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import uuid
from pathlib import Path

from google.protobuf.wrappers_pb2 import StringValue
from messaging_fixtures import create_tables, effect_rows

from ntbkit.messaging.envelope import new_envelope
from ntbkit.messaging.kafka import KafkaEventBus
from ntbkit.testing import kafka_bootstrap_under_test, postgres_schema

TOPIC = "ntb.test.events.v1"
EVENTS = 300
SCRIPT = Path(__file__).with_name("consumer_process.py")


async def _start(schema: str, group: str, delay_s: float) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, str(SCRIPT), schema, group, TOPIC, str(delay_s),
        stdout=asyncio.subprocess.DEVNULL,
    )


async def test_consumer_killed_mid_batch_resumes_without_loss_or_duplicate() -> None:
    run = uuid.uuid4().hex[:8]
    async with postgres_schema("crash") as (schema, engine):
        await create_tables(engine, schema)
        publisher = KafkaEventBus(kafka_bootstrap_under_test()).publisher()
        sent = [
            new_envelope(topic=TOPIC, key=f"{run}-{i % 7}", message=StringValue(value=str(i)),
                         source="test")
            for i in range(EVENTS)
        ]
        await publisher.publish(sent)
        await publisher.close()
        group = f"crash-{run}"

        process = await _start(schema, group, 0.01)  # slow: the kill lands mid-stream
        while len(await effect_rows(engine, run)) < 60:
            assert process.returncode is None
            await asyncio.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        applied_before_restart = len(await effect_rows(engine, run))
        assert 60 <= applied_before_restart < EVENTS, "the kill must land mid-stream"

        process = await _start(schema, group, 0.0)
        # The group reassigns the partitions once the killed member's session expires.
        deadline = asyncio.get_running_loop().time() + 120
        while len(await effect_rows(engine, run)) < EVENTS:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # duplicates, if any, would arrive now
        process.send_signal(signal.SIGTERM)
        await process.wait()

        ids = [row[0] for row in await effect_rows(engine, run)]
        assert len(ids) == len(set(ids)) == EVENTS
        assert set(ids) == {e.event_id for e in sent}
