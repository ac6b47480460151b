"""Logging, tracing and the /metrics endpoint, configured once per process."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased
from prometheus_client import start_http_server

_configured = {"logging": False, "tracing": False, "metrics_ports": set[int]()}


def _add_trace_ids(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        event["trace_id"] = format(span.trace_id, "032x")
        event["span_id"] = format(span.span_id, "016x")
    return event


def configure_logging(*, level: str = "INFO", renderer: str = "json") -> None:
    """JSON lines on stderr with trace ids; the stdlib's loggers go the same way."""
    if _configured["logging"]:
        return
    _configured["logging"] = True
    final: Any = (
        structlog.processors.JSONRenderer()
        if renderer == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_trace_ids,
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta, final,
        ])
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def configure_tracing(*, service_name: str, otlp_endpoint: str | None) -> None:
    """Spans always propagate (traceparent); they are recorded and exported when an
    endpoint is set. Without one, a span that starts a trace records nothing (its ids
    still reach the logs, the events and the services it calls): recording spans that no
    one exports cost a busy server a few percent of its CPU. A caller's sampled trace is
    still recorded, so its sampled flag travels on."""
    if _configured["tracing"]:
        return
    _configured["tracing"] = True
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}),
                              sampler=None if otlp_endpoint else ParentBased(ALWAYS_OFF))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    trace.set_tracer_provider(provider)


def serve_metrics(*, host: str, port: int) -> None:
    """Start the Prometheus /metrics endpoint once per port in this process."""
    ports: set[int] = _configured["metrics_ports"]  # type: ignore[assignment]
    if port <= 0 or port in ports:
        return
    start_http_server(port, addr=host)
    ports.add(port)
