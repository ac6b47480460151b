"""Spans of the Kafka hop: a PRODUCER span per event the relay publishes (in the trace
of the request that wrote the outbox row) and CONSUMER spans on the other side.

The relay runs long after the request that recorded the event, so the producer span
is parented to the `traceparent` stored with the outbox row, and the event leaves
carrying the producer span's own context. A consumer that handles a batch in one
transaction still gives every event a span in that event's own trace.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

import grpc
from opentelemetry import propagate, trace
from opentelemetry.instrumentation.grpc import aio_client_interceptors

from ntbkit.messaging.envelope import EventEnvelope

tracer = trace.get_tracer("ntbkit.messaging")

_SYSTEM = "kafka"


def _attributes(envelope: EventEnvelope, operation: str) -> dict[str, str]:
    return {
        "messaging.system": _SYSTEM,
        "messaging.operation.type": operation,
        "messaging.destination.name": envelope.topic,
        "messaging.message.id": envelope.event_id,
        "messaging.kafka.message.key": envelope.key,
        "cloudevents.event_type": envelope.event_type,
    }


@contextmanager
def publishing(envelopes: Sequence[EventEnvelope]) -> Iterator[list[EventEnvelope]]:
    """Open a PRODUCER span for each traced envelope; yield the envelopes to send,
    whose `traceparent` now names that span. Spans end (with the error, if any) on exit."""
    spans: list[trace.Span] = []
    outgoing: list[EventEnvelope] = []
    for envelope in envelopes:
        if "traceparent" not in envelope.trace_headers:
            outgoing.append(envelope)
            continue
        span = tracer.start_span(
            f"publish {envelope.topic}", kind=trace.SpanKind.PRODUCER,
            context=propagate.extract(envelope.trace_headers),
            attributes=_attributes(envelope, "publish"),
        )
        spans.append(span)
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(span))
        outgoing.append(replace(envelope, trace_headers={**envelope.trace_headers, **carrier}))
    try:
        yield outgoing
    except BaseException as error:
        for span in spans:
            span.record_exception(error)
            span.set_status(trace.StatusCode.ERROR, str(error))
        raise
    finally:
        for span in spans:
            span.end()


@contextmanager
def consuming_batch(envelopes: Sequence[EventEnvelope]) -> Iterator[trace.Span]:
    """A CONSUMER span for the batch (current while it is handled), plus one span per
    traced event, in the event's own trace and linked to the batch span."""
    with tracer.start_as_current_span(
        f"consume batch of {len(envelopes)}", kind=trace.SpanKind.CONSUMER,
        attributes={"messaging.system": _SYSTEM, "messaging.batch.message_count":
                    len(envelopes)},
    ) as batch_span:
        link = trace.Link(batch_span.get_span_context())
        spans = [
            tracer.start_span(
                f"consume {envelope.topic}", kind=trace.SpanKind.CONSUMER,
                context=propagate.extract(envelope.trace_headers), links=[link],
                attributes=_attributes(envelope, "process"),
            )
            for envelope in envelopes
            if "traceparent" in envelope.trace_headers
        ]
        try:
            yield batch_span
        except BaseException as error:
            for span in spans:
                span.set_status(trace.StatusCode.ERROR, str(error))
            raise
        finally:
            for span in spans:
                span.end()


def consumer_attributes(envelope: EventEnvelope) -> dict[str, str]:
    """Attributes of the span of one event handled alone."""
    return _attributes(envelope, "process")


def client_interceptors() -> list[grpc.aio.ClientInterceptor]:
    """For a service's outgoing gRPC channels: a CLIENT span per call and its traceparent
    in the call's metadata, so the callee's server span joins the caller's trace."""
    return list(aio_client_interceptors())  # type: ignore[no-untyped-call]
