"""Spans of the Kafka hop: a PRODUCER span per event the relay publishes (in the trace
of the request that wrote the outbox row) and CONSUMER spans on the other side.

The relay runs long after the request that recorded the event, so the producer span
is parented to the `traceparent` stored with the outbox row, and the event leaves
carrying the producer span's own context. A consumer that handles a batch in one
transaction still gives every event a span in that event's own trace.
"""

from __future__ import annotations

from collections import Counter
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
    """Open a PRODUCER span for the traced envelopes; yield the envelopes to send, whose
    `traceparent` now names that span. Spans end (with the error, if any) on exit.

    Events that one request wrote to one topic (same parent, e.g. a ledger batch's
    thousand transfers) share one publish span carrying messaging.batch.message_count:
    a span per event cost more than publishing it."""
    counts = Counter(_publish_key(e) for e in envelopes if "traceparent" in e.trace_headers)
    carriers: dict[tuple[str, str, str], dict[str, str]] = {}
    spans: list[trace.Span] = []
    outgoing: list[EventEnvelope] = []
    for envelope in envelopes:
        if "traceparent" not in envelope.trace_headers:
            outgoing.append(envelope)
            continue
        key = _publish_key(envelope)
        carrier = carriers.get(key)
        if carrier is None:
            attributes: dict[str, str | int] = {**_attributes(envelope, "publish")}
            if counts[key] > 1:
                for single in ("messaging.message.id", "messaging.kafka.message.key"):
                    del attributes[single]
                attributes["messaging.batch.message_count"] = counts[key]
            span = tracer.start_span(
                f"publish {envelope.topic}", kind=trace.SpanKind.PRODUCER,
                context=propagate.extract(envelope.trace_headers), attributes=attributes,
            )
            spans.append(span)
            carrier = carriers[key] = {}
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


def _publish_key(envelope: EventEnvelope) -> tuple[str, str, str]:
    headers = envelope.trace_headers
    return headers["traceparent"], headers.get("tracestate", ""), envelope.topic


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
