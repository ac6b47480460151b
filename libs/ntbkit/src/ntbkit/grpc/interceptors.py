"""The one server interceptor every service runs: auth, deadline, errors, RED metrics,
trace span.

Handlers stay three lines (decode -> command -> encode); everything about how a
call is admitted, bounded, measured and how its failure looks to the client is here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Collection
from typing import TYPE_CHECKING, Any, TypeAlias

import grpc
import structlog
from opentelemetry import propagate, trace
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from ntbkit import errors
from ntbkit.auth import TokenVerifier, reset_current_caller, set_current_caller
from ntbkit.grpc import ServicerContext
from ntbkit.grpc.status_mapping import to_grpc_status
from ntbkit.telemetry import metrics

log = structlog.get_logger(__name__)
# The server span of every call, made here rather than by opentelemetry-instrumentation-
# grpc's interceptor: that one wrapped each call's context and parsed its peer, and cost
# about a tenth of a busy server's CPU.
tracer = trace.get_tracer("ntbkit.grpc")

# Server spans are errors for these codes only (OpenTelemetry's RPC conventions).
_SERVER_FAULTS = frozenset({
    grpc.StatusCode.UNKNOWN, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.INTERNAL, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DATA_LOSS})

# PostgreSQL refusing a character of a text value: NUL (U+0000), which protobuf strings
# may carry. Codecs refuse it per field (ntbkit.validation); this is the net under them.
_UNSTORABLE_TEXT = frozenset({"22021", "22P05"})

ALWAYS_PUBLIC_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")

if TYPE_CHECKING:  # the stubs are generic, the runtime classes are not
    MethodHandler: TypeAlias = grpc.RpcMethodHandler[Any, Any]
    _Interceptor: TypeAlias = grpc.aio.ServerInterceptor[Any, Any]
else:
    MethodHandler = grpc.RpcMethodHandler
    _Interceptor = grpc.aio.ServerInterceptor
UnaryBehaviour = Callable[[Any, ServicerContext], Awaitable[Any]]


class ServerCallInterceptor(_Interceptor):
    def __init__(
        self,
        *,
        verifier: TokenVerifier | None,
        public_methods: Collection[str],
        auth_required: bool,
        deadline_s: float,
    ) -> None:
        assert deadline_s > 0
        self._verifier = verifier
        self._public_methods = frozenset(public_methods)
        self._auth_required = auth_required
        self._deadline_s = deadline_s
        self._wrapped: dict[str, tuple[Any, MethodHandler]] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[MethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> MethodHandler:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler
        method: str = details.method
        cached = self._wrapped.get(method)
        if cached is not None and cached[0] is handler.unary_unary:
            return cached[1]  # one wrapper per method, not one per call
        wrapped = grpc.unary_unary_rpc_method_handler(
            self._wrap(method, handler.unary_unary),  # type: ignore[arg-type]
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
        self._wrapped[method] = (handler.unary_unary, wrapped)
        return wrapped

    def _is_public(self, method: str) -> bool:
        return method in self._public_methods or method.startswith(ALWAYS_PUBLIC_PREFIXES)

    def _wrap(self, method: str, behaviour: UnaryBehaviour) -> UnaryBehaviour:
        _, service, name = method.split("/")
        handled_ok = metrics.GRPC_SERVER_HANDLED.labels(service, name, "OK")
        handling_seconds = metrics.GRPC_SERVER_HANDLING_SECONDS.labels(service, name)
        attributes = {"rpc.system": "grpc", "rpc.service": service, "rpc.method": name}

        async def call(request: Any, context: ServicerContext) -> Any:
            started_s = time.perf_counter()
            code = grpc.StatusCode.OK
            metadata = _text_metadata(context)
            parent = propagate.extract(metadata) if "traceparent" in metadata else None
            with tracer.start_as_current_span(
                method, context=parent, kind=trace.SpanKind.SERVER, attributes=attributes,
                record_exception=False, set_status_on_exception=False,
            ) as span:
                try:
                    token = set_current_caller(await self._authenticate(method, metadata))
                    try:
                        async with asyncio.timeout(self._deadline_s):
                            return await behaviour(request, context)
                    finally:
                        reset_current_caller(token)
                except Exception as error:  # noqa: BLE001 - this is the one place errors map
                    status = _status_of(error, method)
                    code = status.code
                    if code in _SERVER_FAULTS:  # a client's mistake is not the server's error
                        span.set_status(trace.StatusCode.ERROR, status.details)
                    await context.abort(status.code, status.details, status.trailing_metadata)
                finally:
                    span.set_attribute("rpc.grpc.status_code", code.value[0])
                    elapsed_s = time.perf_counter() - started_s
                    handled = handled_ok if code is grpc.StatusCode.OK else \
                        metrics.GRPC_SERVER_HANDLED.labels(service, name, code.name)
                    handled.inc()
                    handling_seconds.observe(elapsed_s)

        return call

    async def _authenticate(self, method: str, metadata: dict[str, str]) -> Any:
        bearer = _bearer_token(metadata)
        if self._is_public(method) and bearer is None:
            return None
        if bearer is None:
            if self._auth_required:
                raise errors.Unauthenticated("missing 'authorization: Bearer <token>' metadata")
            return None
        if self._verifier is None:
            raise errors.Unauthenticated("this server cannot verify tokens")
        return await self._verifier.verify(bearer)


def _text_metadata(context: ServicerContext) -> dict[str, str]:
    """The call's text metadata (binary `-bin` values left out)."""
    return {key: value for key, value in context.invocation_metadata() or ()
            if isinstance(value, str)}


def _bearer_token(metadata: dict[str, str]) -> str | None:
    text = metadata.get("authorization")
    if text is None:
        return None
    scheme, _, token = text.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _status_of(error: Exception, method: str) -> grpc.Status:
    if isinstance(error, errors.NtbError):
        return to_grpc_status(error)
    if isinstance(error, NotImplementedError):
        return _plain(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not implemented yet")
    if isinstance(error, TimeoutError):
        return _plain(grpc.StatusCode.DEADLINE_EXCEEDED, "the server deadline passed")
    if isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", "") in _UNSTORABLE_TEXT:
        log.warning("unstorable text reached the database", method=method, error=str(error.orig))
        return _plain(grpc.StatusCode.INVALID_ARGUMENT,
                      "a text field holds a character that cannot be stored (NUL, U+0000)")
    if isinstance(error, (OperationalError, InterfaceError, ConnectionError)):
        log.warning("dependency unavailable", method=method, error=str(error))
        return _plain(grpc.StatusCode.UNAVAILABLE, "a dependency is unavailable; retry")
    log.exception("unexpected error", method=method)
    return _plain(grpc.StatusCode.INTERNAL, "internal error")


class _PlainStatus(grpc.Status):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self.code = code
        self.details = details
        self.trailing_metadata: tuple[tuple[str, str], ...] = ()


def _plain(code: grpc.StatusCode, details: str) -> grpc.Status:
    return _PlainStatus(code, details)
