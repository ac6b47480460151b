"""A tiny service for the messaging tests: one effect table, the messaging tables,
and a consumer whose effect is one row per handled event."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import sqlalchemy as sa
from google.protobuf.wrappers_pb2 import StringValue
from sqlalchemy.ext.asyncio import AsyncEngine

from ntbkit.messaging.bus import MessageSource
from ntbkit.messaging.consumer import ConsumerOptions, run_consumer
from ntbkit.messaging.envelope import EventEnvelope, decode
from ntbkit.messaging.inbox import InboxHandler
from ntbkit.storage.messaging_tables import add_messaging_tables
from ntbkit.storage.unit_of_work import UnitOfWork

metadata = sa.MetaData()
effects = sa.Table(
    "effects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("value", sa.String(200), nullable=False),
)
add_messaging_tables(metadata)


async def create_tables(engine: AsyncEngine, schema: str | None = None) -> None:
    async with engine.begin() as connection:
        if schema is not None:
            await connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        await connection.run_sync(metadata.create_all)


def effect_writer(new_unit: Callable[[], UnitOfWork], group: str) -> InboxHandler[UnitOfWork]:
    """Handler whose effect (one row) and inbox mark commit together."""

    async def apply(unit: UnitOfWork, envelope: EventEnvelope) -> None:
        value = decode(envelope, StringValue)
        assert isinstance(value, StringValue)
        await unit.session.execute(
            effects.insert().values(event_id=envelope.event_id, key=envelope.key, value=value.value)
        )

    return InboxHandler(new_unit, group=group, apply=apply)


def consume(
    source: MessageSource, handler: InboxHandler[UnitOfWork], stop: asyncio.Event,
    **options: Any,
) -> Coroutine[Any, Any, None]:
    """The consumer loop as the runtime runs it: batches first, one by one on failure."""
    return run_consumer(
        source, handler.handle_one, ConsumerOptions(group=handler.group, **options), stop,
        batch_handler=handler.handle_batch,
    )


async def effect_rows(engine: AsyncEngine, key_prefix: str = "") -> list[tuple[str, str, str]]:
    """Effects in the order applied; a prefix keeps one test run's events apart from
    older runs' events still on the shared test topic."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.select(effects.c.event_id, effects.c.key, effects.c.value)
            .where(effects.c.key.startswith(key_prefix))
            .order_by(effects.c.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def emit_values(
    new_unit: Callable[[], UnitOfWork], topic: str, items: list[tuple[str, str]]
) -> list[str]:
    """Commit one unit per item; returns the event ids in commit order."""
    ids = []
    for key, value in items:
        async with new_unit() as unit:
            envelope = unit.emit(topic=topic, key=key, message=StringValue(value=value))
            await unit.commit()
        ids.append(envelope.event_id)
    return ids
