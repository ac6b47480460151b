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
from ntbkit.storage import driver
from ntbkit.storage.messaging_tables import idempotency_table, inbox_table, outbox_table

outbox = outbox_table
inbox = inbox_table
idempotency = idempotency_table

# PostgreSQL: the unit's events and remembered responses go out in ONE statement at
# commit, fed by arrays, whatever their number (a ledger group writes thousands).
_WRITE_AT_COMMIT = """
WITH events AS (
  INSERT INTO outbox (event_id, topic, key, event_type, payload, headers, created_at)
  SELECT e, t, k, y, p, h::json, c FROM unnest($1::varchar[], $2::varchar[], $3::varchar[],
    $4::varchar[], $5::bytea[], $6::text[], $7::timestamptz[])
    WITH ORDINALITY AS r(e, t, k, y, p, h, c, n)
  ORDER BY n
), responses AS (
  INSERT INTO idempotency_keys (operation, request_id, request_hash, response, created_at)
  SELECT * FROM unnest($8::varchar[], $9::varchar[], $10::varchar[], $11::bytea[],
    $12::timestamptz[])
)
SELECT 1"""  # outbox ids in emit order (ORDER BY n)
_PREVIOUS_RESPONSE = """
SELECT request_hash, response FROM idempotency_keys WHERE operation = $1 AND request_id = $2"""


def outbox_row(envelope: EventEnvelope) -> dict[str, object]:
    return {
        "event_id": envelope.event_id,
        "topic": envelope.topic,
        "key": envelope.key,
        "event_type": envelope.event_type,
        "payload": envelope.payload,
        "headers": _headers(envelope),
        "created_at": envelope.time,
    }


def _headers(envelope: EventEnvelope) -> dict[str, str]:
    return {"source": envelope.source, "time": envelope.time.isoformat(),
            **envelope.trace_headers}


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
        self._responses: list[tuple[str, str, str, bytes, datetime]] = []
        self._postgres = False
        self._trace_context: otel_context.Context | None = None
        self._trace_headers: dict[str, str] = {}

    @property
    def session(self) -> AsyncSession:
        assert self._session is not None, "use the unit of work inside `async with`"
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self._events, self._responses = [], []
        self._postgres = self._session.get_bind().dialect.name == "postgresql"
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
        """Write the events (and, on PostgreSQL, the remembered responses) and commit.

        A concurrent twin that stored the same request id first surfaces here as
        IntegrityError; nothing of this unit is kept."""
        if self._postgres and (self._events or self._responses):
            await self._write_at_commit()
        elif self._events:
            await self.session.execute(outbox.insert(), [outbox_row(e) for e in self._events])
        await self.session.commit()
        had_events, self._events, self._responses = bool(self._events), [], []
        if had_events and self._on_commit is not None:
            self._on_commit()

    async def _write_at_commit(self) -> None:
        events, responses = self._events, self._responses
        await driver.fetch(
            await driver.driver_of(self.session), _WRITE_AT_COMMIT,
            [e.event_id for e in events], [e.topic for e in events], [e.key for e in events],
            [e.event_type for e in events], [e.payload for e in events],
            [json.dumps(_headers(e)) for e in events], [e.time for e in events],
            *([list(column) for column in zip(*responses, strict=True)] if responses
              else [[]] * 5))

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
        stored = await self._stored_response(operation, request_id)
        if stored is None:
            return None
        if stored[0] != fingerprint:
            raise AlreadyExists(
                f"request_id {request_id} was already used for a different {operation} request",
                reason="REQUEST_ID_REUSED",
            )
        return stored[1]

    async def _stored_response(self, operation: str, request_id: str) -> tuple[str, bytes] | None:
        """(fingerprint, response) of the earlier request with this id."""
        if self._postgres:
            found = await driver.fetch(await driver.driver_of(self.session),
                                       _PREVIOUS_RESPONSE, operation, request_id)
        else:
            found = list(await self.session.execute(
                sa.select(idempotency.c.request_hash, idempotency.c.response).where(
                    idempotency.c.operation == operation,
                    idempotency.c.request_id == request_id)))
        return (found[0][0], bytes(found[0][1])) if found else None

    async def remember_responses(
        self, *, operation: str, responses: Sequence[tuple[str, str, bytes]]
    ) -> None:
        """Store (request_id, fingerprint, response) of many requests in one statement
        (on PostgreSQL: in the commit's statement)."""
        if not responses:
            return
        now = datetime.now(UTC)
        if self._postgres:
            self._responses.extend((operation, request_id, hashed, response, now)
                                   for request_id, hashed, response in responses)
            return
        await self.session.execute(idempotency.insert(), [
            {"operation": operation, "request_id": request_id, "request_hash": hashed,
             "response": response, "created_at": now}
            for request_id, hashed, response in responses])

    async def remember_response(
        self, *, operation: str, request_id: str, fingerprint: str, response: bytes
    ) -> None:
        if self._postgres:
            await self.remember_responses(operation=operation,
                                          responses=[(request_id, fingerprint, response)])
            return
        await self.session.execute(
            idempotency.insert().values(
                operation=operation, request_id=request_id, request_hash=fingerprint,
                response=response, created_at=datetime.now(UTC),
            )
        )
