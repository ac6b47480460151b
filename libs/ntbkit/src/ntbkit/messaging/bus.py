"""What the services see of an event bus; Kafka and in-process buses implement it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ntbkit.messaging.envelope import EventEnvelope

EventHandler = Callable[[EventEnvelope], Awaitable[None]]
BatchHandler = Callable[[Sequence[EventEnvelope]], Awaitable[None]]


class PublishFailed(Exception):
    """The broker did not acknowledge every event; the relay keeps them and retries."""


class EventPublisher(Protocol):
    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        """Return only when the broker acknowledged every event (in order per key)."""

    async def close(self) -> None: ...


@dataclass(frozen=True)
class ReceivedEvent:
    envelope: EventEnvelope
    partition: int
    offset: int
    unreadable_reason: str | None = None  # set when the message is not one of ours


class MessageSource(Protocol):
    """One consumer group's view of its topics: poll, commit after effect, dead-letter."""

    async def poll(self, *, count_max: int, timeout_s: float) -> list[ReceivedEvent]: ...

    async def commit(self, events: Sequence[ReceivedEvent]) -> None: ...

    async def dead_letter(self, event: ReceivedEvent, error: str) -> None: ...

    async def close(self) -> None: ...


class EventBus(Protocol):
    def publisher(self) -> EventPublisher: ...

    def source(self, *, group: str, topics: Sequence[str]) -> MessageSource: ...
