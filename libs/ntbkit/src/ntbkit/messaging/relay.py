"""Outbox relay: publishes committed outbox rows to the bus, then deletes them.

Why no row is ever skipped: the relay keeps no cursor. It reads whatever
committed rows remain, oldest id first, and deletes a row only after the broker
acknowledged it. A row whose transaction commits late (sequence values are not
handed out in commit order) is simply found by a later pass.
Why order per key holds: transactions that touch one aggregate serialise on its
row, and the unit of work inserts outbox rows last, so within one key the id
order is the commit order; one relay at a time (an advisory lock on PostgreSQL)
publishes in id order through an idempotent producer.
Delivery is at-least-once (a crash between ack and delete republishes);
consumers deduplicate with their inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from ntbkit.messaging.bus import EventPublisher
from ntbkit.messaging.envelope import EventEnvelope
from ntbkit.storage import driver
from ntbkit.storage.engine import is_postgres
from ntbkit.storage.messaging_tables import outbox_table
from ntbkit.telemetry import metrics
from ntbkit.telemetry.tracing import publishing
from ntbkit.timestamps import as_utc

log = structlog.get_logger(__name__)

_RETRY_DELAY_S = 1.0
_rows = outbox_table
_TRY_RELAY_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext($1))"
_OLDEST_ROWS = """
SELECT id, event_id, topic, key, event_type, payload, headers::text AS headers, created_at
FROM outbox ORDER BY id LIMIT $1"""
_DELETE_ROWS = "DELETE FROM outbox WHERE id = ANY($1::bigint[])"


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        publisher: EventPublisher,
        *,
        service: str,
        batch_size_max: int = 500,
        poll_interval_s: float = 0.05,
        linger_s: float = 0.0,
    ) -> None:
        assert batch_size_max > 0
        self._engine = engine
        self._publisher = publisher
        self._service = service
        self._batch_size_max = batch_size_max
        self._poll_interval_s = poll_interval_s
        self._linger_s = linger_s
        self._wakeup = asyncio.Event()
        self._postgres = is_postgres(engine)

    def wake(self) -> None:
        """Called after a commit that wrote events, so they go out without waiting."""
        self._wakeup.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                published = await self.publish_batch()
            except Exception as error:  # noqa: BLE001 - keep the rows, try again later
                log.warning("outbox relay failed; will retry", error=str(error))
                await asyncio.sleep(_RETRY_DELAY_S)
                continue
            if published == self._batch_size_max:
                continue  # more may be waiting
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._poll_interval_s)
            if self._linger_s > 0:
                await asyncio.sleep(self._linger_s)  # gather a busy moment's commits

    async def publish_batch(self) -> int:
        """Publish one batch of committed rows; the number published."""
        if self._postgres:
            return await self._publish_batch_pg()
        async with self._engine.begin() as connection:  # SQLite: one process per file
            rows = (
                await connection.execute(
                    sa.select(_rows).order_by(_rows.c.id).limit(self._batch_size_max)
                )
            ).all()
            self._observe(len(rows), rows[0].created_at if rows else None)
            if not rows:
                return 0
            with publishing([_to_envelope(row._mapping) for row in rows]) as envelopes:
                await self._publisher.publish(envelopes)
            published = [row.id for row in rows]
            await connection.execute(sa.delete(_rows).where(_rows.c.id.in_(published)))
        metrics.OUTBOX_PUBLISHED.labels(self._service).inc(len(rows))
        return len(rows)

    async def _publish_batch_pg(self) -> int:
        """The same pass as fixed SQL on asyncpg: at thousands of events a second the
        Core statements and row processing cost more than publishing."""
        async with self._engine.connect() as connection:
            pg = await driver.connection_driver(connection)
            async with pg.transaction():
                if not await pg.fetchval(_TRY_RELAY_LOCK, f"outbox-relay:{self._service}"):
                    return 0  # another replica is relaying
                rows = await pg.fetch(_OLDEST_ROWS, self._batch_size_max)
                self._observe(len(rows), rows[0]["created_at"] if rows else None)
                if not rows:
                    return 0
                with publishing([_to_envelope(row) for row in rows]) as envelopes:
                    await self._publisher.publish(envelopes)
                await pg.execute(_DELETE_ROWS, [row["id"] for row in rows])
        metrics.OUTBOX_PUBLISHED.labels(self._service).inc(len(rows))
        return len(rows)

    def _observe(self, pending: int, oldest: datetime | None) -> None:
        metrics.OUTBOX_PENDING.labels(self._service).set(pending)
        lag_s = 0.0 if oldest is None else (datetime.now(UTC) - as_utc(oldest)).total_seconds()
        metrics.OUTBOX_LAG_SECONDS.labels(self._service).set(lag_s)


def _to_envelope(row: Any) -> EventEnvelope:
    """An outbox row (SQLAlchemy's, or asyncpg's with the headers as JSON text)."""
    headers = row["headers"]
    headers = json.loads(headers) if isinstance(headers, str) else dict(headers)
    source = headers.pop("source")
    time = datetime.fromisoformat(headers.pop("time"))
    return EventEnvelope(
        event_id=row["event_id"], topic=row["topic"], key=row["key"],
        event_type=row["event_type"], source=source, time=time,
        payload=bytes(row["payload"]), trace_headers=headers,
    )
