"""Prometheus metrics of the shared runtime (services add their domain metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

GRPC_SERVER_HANDLED = Counter(
    "grpc_server_handled_total",
    "RPCs completed on the server, by method and status code.",
    ["grpc_service", "grpc_method", "grpc_code"],
)
GRPC_SERVER_HANDLING_SECONDS = Histogram(
    "grpc_server_handling_seconds",
    "Time to complete an RPC on the server.",
    ["grpc_service", "grpc_method"],
    buckets=_LATENCY_BUCKETS_S,
)
OUTBOX_PUBLISHED = Counter(
    "ntb_outbox_published_total", "Outbox events the relay published.", ["service"]
)
OUTBOX_PENDING = Gauge(
    "ntb_outbox_pending_events",
    "Outbox rows found by the relay's last pass (at most one batch).",
    ["service"],
)
OUTBOX_LAG_SECONDS = Gauge(
    "ntb_outbox_lag_seconds", "Age of the oldest unpublished outbox row.", ["service"]
)
EVENTS_CONSUMED = Counter(
    "ntb_events_consumed_total", "Events consumed, by outcome.", ["group", "topic", "outcome"]
)
EVENT_HANDLE_SECONDS = Histogram(
    "ntb_event_handle_seconds", "Time to handle one event.", ["group"],
    buckets=_LATENCY_BUCKETS_S,
)
EVENT_CONSUMER_LAG_SECONDS = Gauge(
    "ntb_event_consumer_lag_seconds",
    "Time from an event's creation to its handling, last seen.", ["group"],
)
