"""In-process event bus for embedded mode and unit tests, with Kafka's semantics.

Per topic one ordered log; per consumer group a committed offset; a group that
restarts resumes from its commit, so uncommitted events are delivered again
(at-least-once, as with Kafka). Dead letters go to `<topic>.dlq`.
The log lives in memory: events still in it are lost with the process.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from ntbkit.messaging.bus import EventPublisher, MessageSource, ReceivedEvent
from ntbkit.messaging.envelope import EventEnvelope


class InMemoryBroker:
    def __init__(self) -> None:
        self.logs: dict[str, list[EventEnvelope]] = defaultdict(list)
        self.committed: dict[tuple[str, str], int] = {}
        self.changed = asyncio.Condition()

    async def append(self, events: Sequence[EventEnvelope]) -> None:
        async with self.changed:
            for event in events:
                self.logs[event.topic].append(event)
            self.changed.notify_all()


class InMemoryPublisher:
    def __init__(self, broker: InMemoryBroker) -> None:
        self._broker = broker

    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        await self._broker.append(events)

    async def close(self) -> None:
        return None


class InMemorySource:
    def __init__(self, broker: InMemoryBroker, *, group: str, topics: Sequence[str]) -> None:
        self._broker = broker
        self._group = group
        self._topics = list(topics)
        # Delivery cursor; starts at the group's committed offset like a Kafka consumer.
        self._positions = {t: broker.committed.get((group, t), 0) for t in self._topics}

    def _take(self, count_max: int) -> list[ReceivedEvent]:
        taken: list[ReceivedEvent] = []
        for topic in self._topics:
            log = self._broker.logs[topic]
            start = self._positions[topic]
            end = max(start, min(len(log), start + count_max - len(taken)))
            taken.extend(ReceivedEvent(log[o], partition=0, offset=o) for o in range(start, end))
            self._positions[topic] = end
        return taken

    async def poll(self, *, count_max: int, timeout_s: float) -> list[ReceivedEvent]:
        async with self._broker.changed:
            taken = self._take(count_max)
            if taken:
                return taken
            try:
                await asyncio.wait_for(self._broker.changed.wait(), timeout_s)
            except TimeoutError:
                return []
            return self._take(count_max)

    async def commit(self, events: Sequence[ReceivedEvent]) -> None:
        for event in events:
            key = (self._group, event.envelope.topic)
            self._broker.committed[key] = max(self._broker.committed.get(key, 0), event.offset + 1)

    async def dead_letter(self, event: ReceivedEvent, error: str) -> None:
        headers = dict(event.envelope.trace_headers, error=error[:1000])
        await self._broker.append(
            [replace(event.envelope, topic=f"{event.envelope.topic}.dlq", trace_headers=headers)]
        )

    async def close(self) -> None:
        return None


class InMemoryEventBus:
    def __init__(self, broker: InMemoryBroker | None = None) -> None:
        self.broker = broker or InMemoryBroker()

    def publisher(self) -> EventPublisher:
        return InMemoryPublisher(self.broker)

    def source(self, *, group: str, topics: Sequence[str]) -> MessageSource:
        return InMemorySource(self.broker, group=group, topics=topics)
