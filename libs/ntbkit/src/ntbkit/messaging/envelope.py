"""The event envelope: a protobuf payload plus CloudEvents-style metadata headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from google.protobuf.message import Message
from opentelemetry import propagate

from ntbkit.messaging.event_ids import new_event_id


@dataclass(frozen=True)
class EventEnvelope:
    """One event as it travels: key orders it, headers describe it, payload is protobuf."""

    event_id: str
    topic: str
    key: str
    event_type: str
    source: str
    time: datetime
    payload: bytes
    trace_headers: dict[str, str] = field(default_factory=dict)

    def headers(self) -> list[tuple[str, str | bytes | None]]:
        items = [
            ("ce_id", self.event_id),
            ("ce_type", self.event_type),
            ("ce_source", self.source),
            ("ce_time", self.time.isoformat()),
            ("content-type", "application/protobuf"),
        ]
        items.extend(sorted(self.trace_headers.items()))
        return [(name, value.encode()) for name, value in items]

    @classmethod
    def from_headers(
        cls, *, topic: str, key: str, payload: bytes, headers: list[tuple[str, bytes]]
    ) -> EventEnvelope:
        values = {name: raw.decode() for name, raw in headers}
        missing = [h for h in ("ce_id", "ce_type", "ce_source", "ce_time") if h not in values]
        if missing:
            raise PoisonEvent(f"event headers missing: {missing}")
        return cls(
            event_id=values["ce_id"],
            topic=topic,
            key=key,
            event_type=values["ce_type"],
            source=values["ce_source"],
            time=datetime.fromisoformat(values["ce_time"]),
            payload=payload,
            trace_headers={k: v for k, v in values.items() if k in ("traceparent", "tracestate")},
        )


class PoisonEvent(Exception):
    """An event no retry can handle (undecodable, wrong type): it goes to the DLQ."""


def new_envelope(
    *, topic: str, key: str, message: Message, source: str,
    trace_headers: dict[str, str] | None = None,
) -> EventEnvelope:
    """Wrap a protobuf event; the current trace context travels in its headers (or the
    `trace_headers` a caller already injected for this context)."""
    carrier: dict[str, str] = {}
    if trace_headers is None:
        propagate.inject(carrier)
    else:
        carrier.update(trace_headers)
    return EventEnvelope(
        event_id=new_event_id(),
        topic=topic,
        key=key,
        event_type=message.DESCRIPTOR.full_name,
        source=source,
        time=datetime.now(UTC),
        payload=message.SerializeToString(deterministic=True),
        trace_headers=carrier,
    )


def decode(envelope: EventEnvelope, message_type: type[Message]) -> Message:
    """Parse the payload, refusing an event of another type as poison."""
    if envelope.event_type != message_type.DESCRIPTOR.full_name:
        raise PoisonEvent(
            f"expected {message_type.DESCRIPTOR.full_name}, got {envelope.event_type}"
        )
    message = message_type()
    try:
        message.ParseFromString(envelope.payload)
    except Exception as error:  # protobuf raises DecodeError and friends
        raise PoisonEvent(f"undecodable {envelope.event_type}: {error}") from error
    return message
