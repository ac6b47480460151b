"""A request's trace crosses the Kafka hop and gRPC calls: the relay's publish span is a
child of the request that recorded the event and travels in the event's headers; a
consumer that handles a batch still gives each event a span in that event's own trace;
failures mark the spans; a call through `client_interceptors()` makes the callee's server
span (made by ntbkit's server interceptor) a child of the caller's, and only a server-side
failure marks that span an error.

In-memory span exporter on the SDK tracer provider; a loopback gRPC server; no broker.
"""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.exc import DBAPIError

from ntbkit import errors
from ntbkit.grpc.interceptors import ServerCallInterceptor
from ntbkit.messaging.envelope import EventEnvelope, new_envelope
from ntbkit.telemetry.tracing import client_interceptors, consuming_batch, publishing

TOPIC = "ntb.test.events.v1"


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()  # later spans are ignored by it


def recorded_in_a_request(name: str) -> tuple[EventEnvelope, trace.SpanContext]:
    with trace.get_tracer("test").start_as_current_span(name) as request:
        envelope = new_envelope(topic=TOPIC, key="k", message=StringValue(value=name),
                                source="test")
    return envelope, request.get_span_context()


def named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.name == name]


def test_publish_span_is_a_child_of_the_request_and_travels_in_the_headers(
    exported: InMemorySpanExporter,
) -> None:
    envelope, request = recorded_in_a_request("register")
    with publishing([envelope]) as outgoing:
        pass
    [publish] = named(exported, f"publish {TOPIC}")
    assert publish.kind == trace.SpanKind.PRODUCER
    assert publish.parent is not None and publish.parent.span_id == request.span_id
    assert publish.context.trace_id == request.trace_id
    traceparent = outgoing[0].trace_headers["traceparent"]
    assert traceparent.split("-")[1:3] == [f"{request.trace_id:032x}",
                                           f"{publish.context.span_id:016x}"]
    assert outgoing[0].payload == envelope.payload
    assert publish.attributes is not None
    assert publish.attributes["messaging.destination.name"] == TOPIC


def test_one_requests_events_share_one_publish_span(exported: InMemorySpanExporter) -> None:
    with trace.get_tracer("test").start_as_current_span("batch") as request:
        events = [new_envelope(topic=TOPIC, key=str(i), message=StringValue(value="x"),
                               source="test") for i in range(3)]
    other, _ = recorded_in_a_request("other")
    with publishing([*events, other]) as outgoing:
        pass
    spans = named(exported, f"publish {TOPIC}")
    [batch] = [s for s in spans if s.context.trace_id == request.get_span_context().trace_id]
    assert batch.attributes is not None
    assert batch.attributes["messaging.batch.message_count"] == 3
    assert len(spans) == 2  # the other request's event has its own
    parents = {e.trace_headers["traceparent"].split("-")[2] for e in outgoing[:3]}
    assert parents == {f"{batch.context.span_id:016x}"}


def test_an_event_without_trace_context_passes_unchanged(
    exported: InMemorySpanExporter,
) -> None:
    envelope = new_envelope(topic=TOPIC, key="k", message=StringValue(value="x"), source="t")
    assert "traceparent" not in envelope.trace_headers  # recorded outside any span
    with publishing([envelope]) as outgoing:
        assert outgoing == [envelope]
    assert not named(exported, f"publish {TOPIC}")


def test_a_batch_gives_every_event_a_consume_span_in_its_own_trace(
    exported: InMemorySpanExporter,
) -> None:
    first, first_request = recorded_in_a_request("first")
    second, second_request = recorded_in_a_request("second")
    with publishing([first, second]) as sent, consuming_batch(sent) as batch:
        pass
    consumed = named(exported, f"consume {TOPIC}")
    assert {span.context.trace_id for span in consumed} == {
        first_request.trace_id, second_request.trace_id}
    published = {span.context.span_id for span in named(exported, f"publish {TOPIC}")}
    for span in consumed:
        assert span.kind == trace.SpanKind.CONSUMER
        assert span.parent is not None and span.parent.span_id in published
        assert [link.context.span_id for link in span.links] == [
            batch.get_span_context().span_id]


def test_a_failure_marks_the_spans_and_propagates(exported: InMemorySpanExporter) -> None:
    envelope, _ = recorded_in_a_request("register")
    with pytest.raises(RuntimeError), publishing([envelope]) as outgoing, \
            consuming_batch(outgoing):
        raise RuntimeError("broker down")
    spans = named(exported, f"publish {TOPIC}") + named(exported, f"consume {TOPIC}")
    assert len(spans) == 2
    assert all(span.status.status_code == trace.StatusCode.ERROR for span in spans)


async def test_a_grpc_call_continues_the_callers_trace(exported: InMemorySpanExporter) -> None:
    server = grpc.aio.server(interceptors=[_interceptor()])
    health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        with trace.get_tracer("test").start_as_current_span("caller") as caller:
            async with grpc.aio.insecure_channel(
                f"127.0.0.1:{port}", interceptors=client_interceptors()
            ) as channel:
                await health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(), timeout=5)
    finally:
        await server.stop(None)
    spans = [s for s in exported.get_finished_spans()
             if s.name == "/grpc.health.v1.Health/Check"]
    [client] = [s for s in spans if s.kind == trace.SpanKind.CLIENT]
    [served] = [s for s in spans if s.kind == trace.SpanKind.SERVER]
    assert client.parent is not None
    assert client.parent.span_id == caller.get_span_context().span_id
    assert served.parent is not None and served.parent.span_id == client.context.span_id
    assert served.context.trace_id == caller.get_span_context().trace_id
    assert served.attributes is not None
    assert served.attributes["rpc.service"] == "grpc.health.v1.Health"
    assert served.attributes["rpc.grpc.status_code"] == grpc.StatusCode.OK.value[0]


class _Refused(Exception):
    """What SQLAlchemy's asyncpg adapter raises, with PostgreSQL's SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


def _interceptor() -> ServerCallInterceptor:
    return ServerCallInterceptor(verifier=None, public_methods=(), auth_required=False,
                                 deadline_s=5)


@pytest.mark.parametrize(("raised", "code", "is_error"), [
    (errors.NotFound("account", "a-1"), grpc.StatusCode.NOT_FOUND, False),
    (errors.FailedPrecondition("NOPE", "no"), grpc.StatusCode.FAILED_PRECONDITION, False),
    (RuntimeError("bug"), grpc.StatusCode.INTERNAL, True),
    # text PostgreSQL refused (a NUL no codec caught) is the client's, not INTERNAL
    (DBAPIError("INSERT", {}, _Refused("22021")), grpc.StatusCode.INVALID_ARGUMENT, False),
])
async def test_the_server_span_is_an_error_for_server_faults_only(
    exported: InMemorySpanExporter, raised: Exception, code: grpc.StatusCode, is_error: bool,
) -> None:
    async def fail(request: bytes, context: object) -> bytes:
        raise raised

    server = grpc.aio.server(interceptors=[_interceptor()])
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
        "test.Failing", {"Call": grpc.unary_unary_rpc_method_handler(fail)})])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError) as failed:
                await channel.unary_unary("/test.Failing/Call")(b"", timeout=5)
    finally:
        await server.stop(None)
    assert failed.value.code() == code
    [served] = named(exported, "/test.Failing/Call")
    assert served.attributes is not None
    assert served.attributes["rpc.grpc.status_code"] == code.value[0]
    assert (served.status.status_code == trace.StatusCode.ERROR) is is_error
