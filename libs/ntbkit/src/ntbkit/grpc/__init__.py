"""gRPC plumbing shared by every service: server bootstrap and interceptors."""

from typing import Any, TypeAlias

import grpc

# What every servicer method receives; the interceptor, not the method, uses it.
ServicerContext: TypeAlias = grpc.aio.ServicerContext[Any, Any]
