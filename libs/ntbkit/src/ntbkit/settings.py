"""Settings every service shares; each service subclasses with its own env prefix.

Example: identity reads `NTB_IDENTITY_GRPC_PORT`, `NTB_IDENTITY_DATABASE_URL`, ...
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Defaults run one service alone on embedded infrastructure (SQLite, memory bus)."""

    model_config = SettingsConfigDict(env_prefix="NTB_", extra="ignore")

    service_name: str = Field("ntb", description="Name in logs, traces and ce_source.")
    grpc_host: str = Field("127.0.0.1", description="Interface the gRPC server binds.")
    grpc_port: int = Field(50051, description="gRPC port (0 picks a free one).")
    grpc_reuse_port: bool = Field(
        False, description="Let several processes of the service listen on one port "
        "(SO_REUSEPORT; the kernel spreads connections). They behave as replicas.")
    process_role: Literal["all", "api", "worker"] = Field(
        "all", description="What this process runs: 'all' (the default), 'api' (the gRPC "
        "APIs only) or 'worker' (outbox relay, consumers and background loops; gRPC health "
        "only). Split, request handling and the background work run on separate cores "
        "and scale apart (the relay and the sealers hold locks, so extra workers wait).")
    metrics_port: int = Field(0, description="Prometheus /metrics port; 0 disables it.")
    database_url: str = Field(
        "sqlite+aiosqlite:///data/ntb.db",
        description="SQLAlchemy async URL: postgresql+asyncpg://... or sqlite+aiosqlite:///...",
    )
    database_schema: str = Field(
        "ntb", description="PostgreSQL schema the service owns (ignored by SQLite)."
    )
    database_pool_size_max: int = Field(10, description="Connections in the pool.")
    database_statement_timeout_s: float = Field(10.0, description="Deadline of one query.")
    event_bus: Literal["kafka", "memory"] = Field(
        "memory", description="kafka: real broker; memory: in-process bus (embedded mode)."
    )
    kafka_bootstrap: str = Field("127.0.0.1:59092", description="Kafka bootstrap servers.")
    consumer_group_prefix: str = Field(
        "", description="Prefix of Kafka consumer group ids (keeps deployments sharing a "
        "broker apart, e.g. parallel test runs)."
    )
    consumer_new_group_start_ms: int | None = Field(
        None, description="A consumer group with no committed offset on a partition starts "
        "at events from this time (epoch ms) instead of the beginning: for test runs that "
        "share a broker. Unset (production): the beginning, so nothing is missed."
    )
    relay_batch_size_max: int = Field(500, description="Outbox rows published per batch.")
    relay_poll_interval_s: float = Field(
        0.05, description="Outbox poll period when no commit wakes the relay."
    )
    relay_linger_s: float = Field(
        0.005, description="After a wake-up, wait this long so one relay pass publishes "
        "the commits of a busy moment together."
    )
    consumer_batch_size_max: int = Field(200, description="Events handled per consumer poll.")
    consumer_attempts_max: int = Field(
        8, description="Attempts at a failing event before it goes to <topic>.dlq."
    )
    shutdown_grace_s: float = Field(5.0, description="Drain time for in-flight RPCs on SIGTERM.")
    drain_delay_s: float = Field(
        0.0,
        description="On SIGTERM, report NOT_SERVING this long before refusing new calls, so "
        "load balancers stop routing first (Kubernetes: more than the readiness period).",
    )
    rpc_deadline_s: float = Field(10.0, description="Server-side deadline of one RPC.")
    otlp_endpoint: str | None = Field(None, description="OTLP gRPC endpoint for traces.")
    log_level: str = Field("INFO", description="Log level of the JSON logs.")
    log_format: Literal["json", "console"] = Field("json", description="Log renderer.")
    identity_target: str = Field(
        "127.0.0.1:50051", description="identity's gRPC address (signing keys for tokens)."
    )
    service_client_id: str | None = Field(
        None, description="This service's own client id at identity, for calls it makes to "
        "other services (client credentials, role `service`); unset: it calls no one."
    )
    service_client_secret: SecretStr | None = Field(None, description="Its secret.")
    auth_required: bool = Field(True, description="Reject calls without a valid token.")
    tls_cert_file: str | None = Field(None, description="Server certificate (PEM); enables TLS.")
    tls_key_file: str | None = Field(None, description="Server private key (PEM).")
    tls_client_ca_file: str | None = Field(
        None, description="CA for client certificates; set it to require mutual TLS."
    )
    token_audience: str = Field("ntb", description="Audience every access token must carry.")
    token_issuer: str = Field("ntb-identity", description="Issuer of every access token.")


__all__ = ["ServiceSettings", "SecretStr"]
