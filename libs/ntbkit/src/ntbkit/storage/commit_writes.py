"""What a transaction writes last: its events (outbox) and remembered responses
(idempotency), collected while it runs and written together, on PostgreSQL as
common table expressions fed by arrays, so any number costs one statement."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from google.protobuf.message import Message
from opentelemetry import context as otel_context
from opentelemetry import propagate

from ntbkit.messaging.envelope import EventEnvelope, new_envelope

PARAMETERS = 12  # how many parameters `ctes` takes, in `arguments` order


def ctes(first: int) -> str:
    """`events AS (...), responses AS (...)`, with parameters $first .. $first+11."""
    p = [f"${first + i}" for i in range(PARAMETERS)]
    return f"""events AS (
  INSERT INTO outbox (event_id, topic, key, event_type, payload, headers, created_at)
  SELECT e, t, k, y, p, h::json, c FROM unnest({p[0]}::varchar[], {p[1]}::varchar[],
    {p[2]}::varchar[], {p[3]}::varchar[], {p[4]}::bytea[], {p[5]}::text[],
    {p[6]}::timestamptz[]) WITH ORDINALITY AS r(e, t, k, y, p, h, c, n)
  ORDER BY n
), responses AS (
  INSERT INTO idempotency_keys (operation, request_id, request_hash, response, created_at)
  SELECT * FROM unnest({p[7]}::varchar[], {p[8]}::varchar[], {p[9]}::varchar[],
    {p[10]}::bytea[], {p[11]}::timestamptz[])
)"""  # outbox ids in emit order (ORDER BY n)


def headers(envelope: EventEnvelope) -> dict[str, str]:
    """An outbox row's headers column."""
    return {"source": envelope.source, "time": envelope.time.isoformat(),
            **envelope.trace_headers}


class CommitWrites:
    """The events and responses of one transaction, until it writes them."""

    def __init__(self, source: str) -> None:
        self._source = source
        self.events: list[EventEnvelope] = []
        self.responses: list[tuple[str, str, str, bytes, datetime]] = []
        self._trace_context: otel_context.Context | None = None
        self._trace_headers: dict[str, str] = {}

    def __bool__(self) -> bool:
        return bool(self.events or self.responses)

    def emit(self, *, topic: str, key: str, message: Message) -> EventEnvelope:
        """Record an event under the current trace context.

        The trace headers are injected once per trace context, not once per event (a
        ledger batch emits a thousand events in one context)."""
        context = otel_context.get_current()
        if context is not self._trace_context:
            self._trace_headers = {}
            propagate.inject(self._trace_headers, context=context)
            self._trace_context = context
        envelope = new_envelope(topic=topic, key=key, message=message, source=self._source,
                                trace_headers=self._trace_headers)
        self.events.append(envelope)
        return envelope

    def remember(self, *, operation: str, request_id: str, fingerprint: str, response: bytes,
                 at: datetime) -> None:
        self.responses.append((operation, request_id, fingerprint, response, at))

    def arguments(self) -> list[Any]:
        """The parameters of `ctes`, one array per column."""
        events = self.events
        responses = ([list(column) for column in zip(*self.responses, strict=True)]
                     if self.responses else [[]] * 5)
        return [[e.event_id for e in events], [e.topic for e in events],
                [e.key for e in events], [e.event_type for e in events],
                [e.payload for e in events], [json.dumps(headers(e)) for e in events],
                [e.time for e in events], *responses]
