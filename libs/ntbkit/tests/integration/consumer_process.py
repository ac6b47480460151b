"""A consumer in its own process, so a test can kill it with SIGKILL mid-batch.

usage: python consumer_process.py SCHEMA GROUP TOPIC DELAY_S
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ntbkit.messaging.consumer import ConsumerOptions, run_consumer
from ntbkit.messaging.envelope import EventEnvelope
from ntbkit.messaging.kafka import KafkaEventBus
from ntbkit.storage.engine import create_engine, session_factory
from ntbkit.storage.unit_of_work import UnitOfWork
from ntbkit.testing import database_url_under_test, kafka_bootstrap_under_test

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from messaging_fixtures import effect_writer


async def main(schema: str, group: str, topic: str, delay_s: float) -> None:
    engine = create_engine(database_url_under_test(), schema=schema)
    sessions = session_factory(engine)
    writer = effect_writer(lambda: UnitOfWork(sessions, source="proc"), group)

    async def slow_write(envelope: EventEnvelope) -> None:
        await writer.handle_one(envelope)  # one commit per event: a kill lands mid-batch
        await asyncio.sleep(delay_s)

    source = KafkaEventBus(kafka_bootstrap_under_test()).source(group=group, topics=[topic])
    print("consuming", flush=True)
    await run_consumer(source, slow_write, ConsumerOptions(group=group, batch_size_max=500),
                       asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])))
