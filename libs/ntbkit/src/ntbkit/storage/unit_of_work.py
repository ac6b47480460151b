"""Unit of work: one database transaction holding the changes, their events
(outbox), the handled-event marks (inbox) and the idempotency record together."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import sqlalchemy as sa
from google.protobuf.message import Message
from opentelemetry import context as otel_context
from opentelemetry import propagate
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ntbkit.errors import AlreadyExists
from ntbkit.messaging.envelope import EventEnvelope, new_envelope
from ntbkit.storage.messaging_tables import idempotency_table, inbox_table, outbox_table

outbox = outbox_table
_OUTBOX_COLUMNS = ("event_id", "topic", "key", "event_type", "payload", "headers", "created_at")
_OUTBOX_ARRAY_MIN = 8  # below this, a plain multi-row insert is as cheap
_OUTBOX_FROM_ARRAYS = sa.text(
    "INSERT INTO outbox (event_id, topic, key, event_type, payload, headers, created_at) "
    "SELECT e, t, k, y, p, h::json, c FROM unnest(CAST(:event_id AS varchar[]), "
    "CAST(:topic AS varchar[]), CAST(:key AS varchar[]), CAST(:event_type AS varchar[]), "
    "CAST(:payload AS bytea[]), CAST(:headers AS text[]), CAST(:created_at AS timestamptz[])) "
    "WITH ORDINALITY AS r(e, t, k, y, p, h, c, n) ORDER BY n")  # ids in emit order
inbox = inbox_table
idempotency = idempotency_table


def outbox_row(envelope: EventEnvelope) -> dict[str, object]:
    return {
        "event_id": envelope.event_id,
        "topic": envelope.topic,
        "key": envelope.key,
        "event_type": envelope.event_type,
        "payload": envelope.payload,
        "headers": {
            "source": envelope.source, "time": envelope.time.isoformat(),
            **envelope.trace_headers,
        },
        "created_at": envelope.time,
    }


class UnitOfWork:
    """`async with uow:` opens a transaction; `await uow.commit()` makes it all durable.

    Leaving the block without commit rolls everything back, events included.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        source: str,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._source = source
        self._on_commit = on_commit
        self._session: AsyncSession | None = None
        self._events: list[EventEnvelope] = []
        self._trace_context: otel_context.Context | None = None
        self._trace_headers: dict[str, str] = {}

    @property
    def session(self) -> AsyncSession:
        assert self._session is not None, "use the unit of work inside `async with`"
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self._events = []
        await self._session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._session is not None
        if self._session.in_transaction():
            await self._session.rollback()
        await self._session.close()
        self._session = None

    def emit(self, *, topic: str, key: str, message: Message) -> EventEnvelope:
        """Record an event; it is written to the outbox when the unit commits.

        The trace headers are injected once per trace context, not once per event (a
        ledger batch emits a thousand events in one context)."""
        context = otel_context.get_current()
        if context is not self._trace_context:
            self._trace_headers = {}
            propagate.inject(self._trace_headers, context=context)
            self._trace_context = context
        envelope = new_envelope(topic=topic, key=key, message=message, source=self._source,
                                trace_headers=self._trace_headers)
        self._events.append(envelope)
        return envelope

    async def commit(self) -> None:
        if self._events:
            await self._write_outbox([outbox_row(e) for e in self._events])
        await self.session.commit()
        had_events, self._events = bool(self._events), []
        if had_events and self._on_commit is not None:
            self._on_commit()

    async def _write_outbox(self, rows: list[dict[str, object]]) -> None:
        """The events in one statement. On PostgreSQL one INSERT fed by arrays: a batch of
        a thousand events (a ledger batch) costs one round trip and no per-row ORM work."""
        connection = await self.session.connection()
        if connection.dialect.name != "postgresql" or len(rows) < _OUTBOX_ARRAY_MIN:
            await self.session.execute(outbox.insert(), rows)
            return
        columns = {name: [row[name] for row in rows] for name in _OUTBOX_COLUMNS}
        columns["headers"] = [json.dumps(h) for h in columns["headers"]]
        await self.session.execute(_OUTBOX_FROM_ARRAYS, columns)

    async def first_handling(self, *, group: str, envelope: EventEnvelope) -> bool:
        """Mark the event handled by `group`; False when it already was (no second effect).

        One statement: the insert does nothing on a duplicate key. A concurrent twin
        waits on the key's lock and then sees the committed mark.
        """
        dialect = self.session.sync_session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        result = await self.session.execute(
            insert(inbox)
            .values(
                consumer_group=group, event_id=envelope.event_id, topic=envelope.topic,
                handled_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(index_elements=["consumer_group", "event_id"])
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def previous_response(
        self, *, operation: str, request_id: str, fingerprint: str
    ) -> bytes | None:
        """The stored response of an earlier request with this id, if any.

        Same id with another body raises AlreadyExists.
        """
        row = (
            await self.session.execute(
                sa.select(idempotency.c.request_hash, idempotency.c.response).where(
                    idempotency.c.operation == operation, idempotency.c.request_id == request_id
                )
            )
        ).first()
        if row is None:
            return None
        if row.request_hash != fingerprint:
            raise AlreadyExists(
                f"request_id {request_id} was already used for a different {operation} request",
                reason="REQUEST_ID_REUSED",
            )
        return bytes(row.response)

    async def previous_responses(
        self, *, operation: str, request_ids: Sequence[str]
    ) -> dict[str, tuple[str, bytes]]:
        """(fingerprint, response) of the earlier requests among these ids, in one query;
        the caller compares fingerprints (group commit answers many requests at once)."""
        if not request_ids:
            return {}
        rows = await self.session.execute(
            sa.select(idempotency.c.request_id, idempotency.c.request_hash,
                      idempotency.c.response).where(
                idempotency.c.operation == operation,
                idempotency.c.request_id.in_(sorted(set(request_ids)))))
        return {row.request_id: (row.request_hash, bytes(row.response)) for row in rows}

    async def remember_responses(
        self, *, operation: str, responses: Sequence[tuple[str, str, bytes]]
    ) -> None:
        """Store (request_id, fingerprint, response) of many requests in one statement."""
        if not responses:
            return
        now = datetime.now(UTC)
        await self.session.execute(idempotency.insert(), [
            {"operation": operation, "request_id": request_id, "request_hash": hashed,
             "response": response, "created_at": now}
            for request_id, hashed, response in responses])

    async def remember_response(
        self, *, operation: str, request_id: str, fingerprint: str, response: bytes
    ) -> None:
        await self.session.execute(
            idempotency.insert().values(
                operation=operation, request_id=request_id, request_hash=fingerprint,
                response=response, created_at=datetime.now(UTC),
            )
        )
