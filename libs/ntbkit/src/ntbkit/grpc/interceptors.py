"""The one server interceptor every service runs: auth, deadline, errors, RED metrics.

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
from sqlalchemy.exc import InterfaceError, OperationalError

from ntbkit import errors
from ntbkit.auth import TokenVerifier, reset_current_caller, set_current_caller
from ntbkit.grpc import ServicerContext
from ntbkit.grpc.status_mapping import to_grpc_status
from ntbkit.telemetry import metrics

log = structlog.get_logger(__name__)

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

        async def call(request: Any, context: ServicerContext) -> Any:
            started_s = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                token = set_current_caller(await self._authenticate(method, context))
                try:
                    async with asyncio.timeout(self._deadline_s):
                        return await behaviour(request, context)
                finally:
                    reset_current_caller(token)
            except Exception as error:  # noqa: BLE001 - this is the one place errors map
                status = _status_of(error, method)
                code = status.code
                await context.abort(status.code, status.details, status.trailing_metadata)
            finally:
                elapsed_s = time.perf_counter() - started_s
                metrics.GRPC_SERVER_HANDLED.labels(service, name, code.name).inc()
                metrics.GRPC_SERVER_HANDLING_SECONDS.labels(service, name).observe(elapsed_s)

        return call

    async def _authenticate(
        self, method: str, context: ServicerContext
    ) -> Any:
        bearer = _bearer_token(context)
        if self._is_public(method) and bearer is None:
            return None
        if bearer is None:
            if self._auth_required:
                raise errors.Unauthenticated("missing 'authorization: Bearer <token>' metadata")
            return None
        if self._verifier is None:
            raise errors.Unauthenticated("this server cannot verify tokens")
        return await self._verifier.verify(bearer)


def _bearer_token(context: ServicerContext) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "authorization":
            text = value if isinstance(value, str) else value.decode()
            scheme, _, token = text.partition(" ")
            return token.strip() if scheme.lower() == "bearer" else ""
    return None


def _status_of(error: Exception, method: str) -> grpc.Status:
    if isinstance(error, errors.NtbError):
        return to_grpc_status(error)
    if isinstance(error, NotImplementedError):
        return _plain(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not implemented yet")
    if isinstance(error, TimeoutError):
        return _plain(grpc.StatusCode.DEADLINE_EXCEEDED, "the server deadline passed")
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
