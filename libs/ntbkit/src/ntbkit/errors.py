"""Errors the services raise, independent of transport.

Pure Python on purpose: domain code may subclass these without importing grpc.
One gRPC interceptor (ntbkit.grpc.interceptors) maps each class to a status code
with google.rpc details, so handlers never catch or translate errors themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldViolation:
    """One bad field of a request: its path (e.g. `person.birth_year`) and why."""

    field: str
    description: str


class NtbError(Exception):
    """Base of every error a client may see with a meaningful status."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(NtbError):
    """Bad input: INVALID_ARGUMENT with one FieldViolation per bad field."""

    def __init__(self, violations: list[FieldViolation]) -> None:
        assert violations, "InvalidArgument needs at least one violation"
        summary = "; ".join(f"{v.field}: {v.description}" for v in violations)
        super().__init__(f"invalid request: {summary}")
        self.violations = list(violations)


class NotFound(NtbError):
    """The named resource does not exist (or the caller may not know it exists)."""

    def __init__(self, resource_type: str, resource_name: str) -> None:
        super().__init__(f"{resource_type} {resource_name!r} not found")
        self.resource_type = resource_type
        self.resource_name = resource_name


@dataclass
class _ReasonDetails:
    reason: str
    metadata: dict[str, str] = field(default_factory=dict)


class FailedPrecondition(NtbError):
    """A business rule is broken: FAILED_PRECONDITION with an ErrorInfo reason."""

    def __init__(
        self, reason: str, message: str, metadata: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.details = _ReasonDetails(reason, dict(metadata or {}))

    @property
    def reason(self) -> str:
        return self.details.reason


class AlreadyExists(NtbError):
    """The request id (or a unique key) was already used with a different body."""

    def __init__(self, message: str, reason: str = "ALREADY_EXISTS") -> None:
        super().__init__(message)
        self.reason = reason


class Unauthenticated(NtbError):
    """No token, or a token that does not verify."""


class PermissionDenied(NtbError):
    """The caller is known but may not do this."""


class Unavailable(NtbError):
    """A dependency is down; the client may retry the same request id."""
