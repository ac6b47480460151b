"""Rules of identity that a request can break."""

from __future__ import annotations

from ntbkit.errors import AlreadyExists, FailedPrecondition, NotFound, Unauthenticated


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


class ApiClientNotFound(NotFound):
    def __init__(self, client_id: str) -> None:
        super().__init__("api client", client_id)


class ApiClientRevoked(FailedPrecondition):
    def __init__(self, client_id: str) -> None:
        super().__init__("API_CLIENT_REVOKED", f"api client {client_id} is revoked",
                         {"client_id": client_id})


class KycTransitionNotAllowed(FailedPrecondition):
    def __init__(self, before: str, after: str) -> None:
        super().__init__("KYC_TRANSITION_NOT_ALLOWED",
                         f"KYC status cannot move from {before} to {after}",
                         {"from": before, "to": after})


class VersionMismatch(FailedPrecondition):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__("VERSION_MISMATCH",
                         f"principal is at version {actual}, not {expected}",
                         {"expected_version": str(expected), "version": str(actual)})


class WrongPrincipalKind(FailedPrecondition):
    def __init__(self, principal_id: str, wanted: str) -> None:
        super().__init__("WRONG_PRINCIPAL_KIND", f"principal {principal_id} is not {wanted}",
                         {"principal_id": principal_id, "wanted": wanted})


class WaveNotFound(NotFound):
    def __init__(self, wave: str, principal_id: str) -> None:
        super().__init__(wave, principal_id)


class SigningPublicKeyNotFound(NotFound):
    def __init__(self, key_id: str) -> None:
        super().__init__("signing public key", key_id)


class SigningPublicKeyTaken(AlreadyExists):
    """The public key is registered to another principal (which one is not said)."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"signing public key {key_id} is registered to another principal",
                         "SIGNING_KEY_TAKEN")


class SigningPublicKeyAlreadyRevoked(FailedPrecondition):
    def __init__(self, key_id: str) -> None:
        super().__init__("SIGNING_KEY_REVOKED",
                         f"signing public key {key_id} was revoked and cannot be registered "
                         "again", {"key_id": key_id})


class SigningPublicKeysLimit(FailedPrecondition):
    def __init__(self, principal_id: str, limit: int) -> None:
        super().__init__("SIGNING_KEYS_LIMIT",
                         f"principal {principal_id} already has {limit} signing keys",
                         {"principal_id": principal_id, "limit": str(limit)})
