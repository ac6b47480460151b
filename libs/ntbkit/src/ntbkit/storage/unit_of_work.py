"""Unit of work: one database transaction holding the changes, their events
(outbox), the handled-event marks (inbox) and the idempotency record together."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import sqlalchemy as sa
from google.protobuf.message import Message
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ntbkit.errors import AlreadyExists
from ntbkit.messaging.envelope import EventEnvelope
from ntbkit.storage import commit_writes, driver
from ntbkit.storage.commit_writes import CommitWrites
from ntbkit.storage.messaging_tables import idempotency_table, inbox_table, outbox_table

outbox = outbox_table
inbox = inbox_table
idempotency = idempotency_table

# PostgreSQL: the unit's events and remembered responses go out in ONE statement at
# commit, fed by arrays, whatever their number (a ledger group writes thousands).
_WRITE_AT_COMMIT = f"WITH {commit_writes.ctes(1)}\nSELECT 1"
_PREVIOUS_RESPONSE = """
SELECT request_hash, response FROM idempotency_keys WHERE operation = $1 AND request_id = $2"""


def outbox_row(envelope: EventEnvelope) -> dict[str, object]:
    return {
        "event_id": envelope.event_id,
        "topic": envelope.topic,
        "key": envelope.key,
        "event_type": envelope.event_type,
        "payload": envelope.payload,
        "headers": commit_writes.headers(envelope),
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
        self._writes = CommitWrites(source)
        self._postgres = False

    @property
    def session(self) -> AsyncSession:
        assert self._session is not None, "use the unit of work inside `async with`"
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self._writes = CommitWrites(self._source)
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
        """Record an event; it is written to the outbox when the unit commits."""
        return self._writes.emit(topic=topic, key=key, message=message)

    async def commit(self) -> None:
        """Write the events (and, on PostgreSQL, the remembered responses) and commit.

        A concurrent twin that stored the same request id first surfaces here as
        IntegrityError; nothing of this unit is kept."""
        writes = self._writes
        if self._postgres and writes:
            await driver.fetch(await driver.driver_of(self.session), _WRITE_AT_COMMIT,
                               *writes.arguments())
        elif writes.events:
            await self.session.execute(outbox.insert(), [outbox_row(e) for e in writes.events])
        await self.session.commit()
        self._writes = CommitWrites(self._source)
        if writes.events and self._on_commit is not None:
            self._on_commit()

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
            for request_id, hashed, response in responses:
                self._writes.remember(operation=operation, request_id=request_id,
                                      fingerprint=hashed, response=response, at=now)
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
