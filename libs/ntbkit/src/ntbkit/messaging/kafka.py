"""Kafka event bus on confluent-kafka: idempotent producer (acks=all), manual commits.

confluent-kafka's calls block, so each client gets one worker thread of its own;
calls to one client never overlap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import Any

from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition

from ntbkit.messaging.bus import EventPublisher, MessageSource, PublishFailed, ReceivedEvent
from ntbkit.messaging.envelope import EventEnvelope, PoisonEvent

_FLUSH_TIMEOUT_S = 30.0


def producer_config(bootstrap: str) -> dict[str, Any]:
    return {
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,  # implies acks=all and ordered retries per partition
        "acks": "all",
        "linger.ms": 2,
        "message.timeout.ms": int(_FLUSH_TIMEOUT_S * 1000),
        "queue.buffering.max.messages": 100_000,
    }


class KafkaPublisher:
    def __init__(self, bootstrap: str) -> None:
        self._producer = Producer(producer_config(bootstrap))
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kafka-producer")

    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        loop = asyncio.get_running_loop()
        errors = await loop.run_in_executor(self._thread, self._produce_all, list(events))
        if errors:
            raise PublishFailed(f"{len(errors)} of {len(events)} not acknowledged: {errors[0]}")

    def _produce_all(self, events: list[EventEnvelope]) -> list[str]:
        errors: list[str] = []

        def delivered(error: KafkaError | None, _message: Message) -> None:
            if error is not None:
                errors.append(str(error))

        for event in events:
            self._produce_one(event, delivered)
        remaining = self._producer.flush(_FLUSH_TIMEOUT_S)
        if remaining:
            errors.append(f"{remaining} still queued after {_FLUSH_TIMEOUT_S}s")
        return errors

    def _produce_one(self, event: EventEnvelope, on_delivery: Any) -> None:
        while True:
            try:
                self._producer.produce(
                    event.topic,
                    key=event.key.encode(),
                    value=event.payload,
                    headers=list(event.headers()),
                    on_delivery=on_delivery,
                )
                return
            except BufferError:
                self._producer.poll(0.05)  # local queue full: let deliveries drain

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._producer.flush, _FLUSH_TIMEOUT_S)
        self._thread.shutdown(wait=True)


class KafkaSource:
    def __init__(
        self, bootstrap: str, *, group: str, topics: Sequence[str],
        new_group_start_ms: int | None = None,
    ) -> None:
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group,
                "enable.auto.commit": False,  # commit only after the effect committed
                "auto.offset.reset": "earliest",
                "partition.assignment.strategy": "cooperative-sticky",
                "session.timeout.ms": 10_000,
                "heartbeat.interval.ms": 1_000,
            }
        )
        self._new_group_start_ms = new_group_start_ms
        self._consumer.subscribe(list(topics), on_assign=self._on_assign)
        self._dead_letters = KafkaPublisher(bootstrap)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"kafka-{group}")

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """A partition this group never committed starts at new_group_start_ms (when set)
        instead of the topic's beginning: test runs sharing a broker skip each other's
        history. Committed partitions resume where they were, as always."""
        if self._new_group_start_ms is None or not partitions:
            return  # librdkafka assigns the partitions itself
        committed = consumer.committed(partitions, timeout=10)
        fresh = [TopicPartition(p.topic, p.partition, self._new_group_start_ms)
                 for p in committed if p.offset < 0]
        starts = consumer.offsets_for_times(fresh, timeout=10) if fresh else []
        resumed = [TopicPartition(p.topic, p.partition) for p in committed if p.offset >= 0]
        consumer.incremental_assign(resumed + list(starts))

    async def poll(self, *, count_max: int, timeout_s: float) -> list[ReceivedEvent]:
        loop = asyncio.get_running_loop()
        take = partial(self._take, count_max, timeout_s)
        messages: list[Message] = await loop.run_in_executor(self._thread, take)
        received: list[ReceivedEvent] = []
        for message in messages:
            error = message.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    raise RuntimeError(f"kafka consume error: {error}")
                continue
            received.append(self._to_received(message))
        return received

    def _take(self, count_max: int, timeout_s: float) -> list[Message]:
        """What is ready now, else wait for the first message only.

        consume(n, timeout) waits until n messages arrived or the timeout passed,
        which would hold the first ones back; waiting for one keeps latency low.
        """
        messages = self._consumer.consume(num_messages=count_max, timeout=0)
        if messages:
            return messages
        first = self._consumer.consume(num_messages=1, timeout=timeout_s)
        if not first:
            return first
        return first + self._consumer.consume(num_messages=count_max - 1, timeout=0)

    @staticmethod
    def _to_received(message: Message) -> ReceivedEvent:
        topic, partition, offset = message.topic(), message.partition(), message.offset()
        assert topic is not None and partition is not None and offset is not None
        try:
            envelope = EventEnvelope.from_headers(
                topic=topic,
                key=(message.key() or b"").decode(),
                payload=message.value() or b"",
                headers=_headers(message),
            )
        except PoisonEvent as error:
            envelope = _unreadable_envelope(topic, message)
            return ReceivedEvent(envelope, partition, offset, unreadable_reason=str(error))
        return ReceivedEvent(envelope, partition=partition, offset=offset)

    async def commit(self, events: Sequence[ReceivedEvent]) -> None:
        if not events:
            return
        last: dict[tuple[str, int], int] = {}
        for event in events:
            key = (event.envelope.topic, event.partition)
            last[key] = max(last.get(key, -1), event.offset)
        offsets = [TopicPartition(t, p, o + 1) for (t, p), o in last.items()]
        loop = asyncio.get_running_loop()
        commit = partial(self._consumer.commit, offsets=offsets, asynchronous=False)
        await loop.run_in_executor(self._thread, commit)

    async def dead_letter(self, event: ReceivedEvent, error: str) -> None:
        headers = dict(event.envelope.trace_headers, error=error[:1000])
        letter = EventEnvelope(
            event_id=event.envelope.event_id,
            topic=f"{event.envelope.topic}.dlq",
            key=event.envelope.key,
            event_type=event.envelope.event_type,
            source=event.envelope.source,
            time=event.envelope.time,
            payload=event.envelope.payload,
            trace_headers=headers,
        )
        await self._dead_letters.publish([letter])

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self._consumer.close)
        self._thread.shutdown(wait=True)
        await self._dead_letters.close()


def _unreadable_envelope(topic: str, message: Message) -> EventEnvelope:
    """Stand-in for a message without our headers, so it can still be dead-lettered."""
    return EventEnvelope(
        event_id=f"{topic}:{message.partition()}:{message.offset()}",
        topic=topic,
        key=(message.key() or b"").decode(errors="replace"),
        event_type="unreadable",
        source="unknown",
        time=datetime.now(UTC),
        payload=message.value() or b"",
    )


class KafkaEventBus:
    def __init__(self, bootstrap: str, *, new_group_start_ms: int | None = None) -> None:
        self.bootstrap = bootstrap
        self._new_group_start_ms = new_group_start_ms

    def publisher(self) -> EventPublisher:
        return KafkaPublisher(self.bootstrap)

    def source(self, *, group: str, topics: Sequence[str]) -> MessageSource:
        return KafkaSource(self.bootstrap, group=group, topics=topics,
                           new_group_start_ms=self._new_group_start_ms)


def _headers(message: Message) -> list[tuple[str, bytes]]:
    raw = message.headers() or []
    pairs = list(raw.items()) if isinstance(raw, dict) else list(raw)
    return [(name, value if isinstance(value, bytes) else (value or "").encode())
            for name, value in pairs]
