"""The consumer loop both buses share: handle in order, commit after the effect,
retry what may heal, dead-letter what never will."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from ntbkit.errors import Unavailable
from ntbkit.messaging.bus import BatchHandler, EventHandler, MessageSource, ReceivedEvent
from ntbkit.messaging.envelope import PoisonEvent
from ntbkit.telemetry import metrics
from ntbkit.telemetry.tracing import consumer_attributes, consuming_batch

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("ntbkit.messaging")

# Failures of infrastructure, not of the event: retried until they heal, because
# sending a good event to the DLQ while the database is down would lose its effect.
_TRANSIENT = (Unavailable, OperationalError, InterfaceError, ConnectionError, TimeoutError)
_BACKOFF_MAX_S = 5.0


@dataclass(frozen=True)
class ConsumerOptions:
    group: str
    batch_size_max: int = 200
    attempts_max: int = 8
    poll_timeout_s: float = 0.2
    backoff_first_s: float = 0.05


async def run_consumer(
    source: MessageSource,
    handler: EventHandler,
    options: ConsumerOptions,
    stop: asyncio.Event,
    *,
    batch_handler: BatchHandler | None = None,
) -> None:
    """Poll, handle the batch in order, commit its offsets; until `stop` is set.

    With a batch handler the whole batch is tried at once first (one transaction);
    if that fails, each event is handled alone with retries and dead-lettering.
    """
    try:
        while not stop.is_set():
            batch = await source.poll(
                count_max=options.batch_size_max, timeout_s=options.poll_timeout_s
            )
            if batch_handler is not None and await _try_batch(batch_handler, batch, options):
                await source.commit(batch)
                continue
            handled: list[ReceivedEvent] = []
            for event in batch:
                # An event left unhandled at stop comes again after restart; the inbox dedupes.
                if stop.is_set() or not await _handle_one(source, handler, event, options, stop):
                    break
                handled.append(event)
            await source.commit(handled)
    finally:
        await source.close()


async def _try_batch(
    batch_handler: BatchHandler, batch: list[ReceivedEvent], options: ConsumerOptions
) -> bool:
    if not batch or any(event.unreadable_reason is not None for event in batch):
        return False
    started_s = asyncio.get_running_loop().time()
    try:
        envelopes = [event.envelope for event in batch]
        with consuming_batch(envelopes):
            await batch_handler(envelopes)
    except Exception as error:  # noqa: BLE001 - fall back to one by one
        log.info("batch failed; handling its events one by one",
                 group=options.group, size=len(batch), error=str(error))
        return False
    elapsed_s = asyncio.get_running_loop().time() - started_s
    now = datetime.now(UTC)
    for event in batch:
        metrics.EVENTS_CONSUMED.labels(options.group, event.envelope.topic, "ok").inc()
    metrics.EVENT_HANDLE_SECONDS.labels(options.group).observe(elapsed_s / len(batch))
    lag_s = (now - batch[-1].envelope.time).total_seconds()
    metrics.EVENT_CONSUMER_LAG_SECONDS.labels(options.group).set(lag_s)
    return True


async def _handle_one(
    source: MessageSource,
    handler: EventHandler,
    event: ReceivedEvent,
    options: ConsumerOptions,
    stop: asyncio.Event,
) -> bool:
    """True once the event is done with (handled or dead-lettered); False on stop."""
    envelope = event.envelope
    if event.unreadable_reason is not None:
        await _dead_letter(source, event, event.unreadable_reason, options)
        return True
    parent = propagate.extract(envelope.trace_headers)
    attempt = 0
    while True:
        attempt += 1
        token = otel_context.attach(parent)
        started_s = asyncio.get_running_loop().time()
        try:
            with tracer.start_as_current_span(
                f"consume {envelope.topic}", kind=trace.SpanKind.CONSUMER,
                attributes=consumer_attributes(envelope),
            ):
                await handler(envelope)
            elapsed_s = asyncio.get_running_loop().time() - started_s
            metrics.EVENTS_CONSUMED.labels(options.group, envelope.topic, "ok").inc()
            metrics.EVENT_HANDLE_SECONDS.labels(options.group).observe(elapsed_s)
            lag_s = (datetime.now(UTC) - envelope.time).total_seconds()
            metrics.EVENT_CONSUMER_LAG_SECONDS.labels(options.group).set(lag_s)
            return True
        except PoisonEvent as error:
            await _dead_letter(source, event, str(error), options)
            return True
        except Exception as error:  # noqa: BLE001 - the loop decides: retry or dead-letter
            transient = isinstance(error, _TRANSIENT) or (
                isinstance(error, DBAPIError) and error.connection_invalidated
            )
            if not transient and attempt >= options.attempts_max:
                await _dead_letter(source, event, f"{type(error).__name__}: {error}", options)
                return True
            log.warning(
                "event handling failed; retrying",
                group=options.group, topic=envelope.topic, event_id=envelope.event_id,
                attempt=attempt, transient=transient, error=str(error),
            )
            if stop.is_set():
                return False
            await asyncio.sleep(min(_BACKOFF_MAX_S, options.backoff_first_s * 2 ** attempt))
        finally:
            otel_context.detach(token)


async def _dead_letter(
    source: MessageSource, event: ReceivedEvent, error: str, options: ConsumerOptions
) -> None:
    log.error(
        "event dead-lettered", group=options.group, topic=event.envelope.topic,
        event_id=event.envelope.event_id, error=error,
    )
    metrics.EVENTS_CONSUMED.labels(options.group, event.envelope.topic, "dead_lettered").inc()
    await source.dead_letter(event, error)
