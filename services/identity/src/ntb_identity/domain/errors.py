"""Rules of identity that a request can break."""

from __future__ import annotations

from ntbkit.errors import FailedPrecondition, NotFound, Unauthenticated


class PrincipalNotFound(NotFound):
    def __init__(self, principal_id: str) -> None:
        super().__init__("principal", principal_id)


class InvalidClientCredentials(Unauthenticated):
    """Same message for unknown client, wrong secret and revoked client (no oracle)."""

    def __init__(self) -> None:
        super().__init__("invalid client credentials")


class ScopeNotAllowed(FailedPrecondition):
    def __init__(self, scopes: frozenset[str]) -> None:
        super().__init__(
            "SCOPE_NOT_ALLOWED",
            f"the client may not request scopes {sorted(scopes)}",
            {"scopes": " ".join(sorted(scopes))},
        )
