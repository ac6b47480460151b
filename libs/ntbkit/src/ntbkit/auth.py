"""Access tokens: who is calling, and whether they may touch a resource.

identity signs EdDSA (Ed25519) JWTs; every service verifies them locally with the
public keys identity publishes (`GetSigningKeys`), refreshed when an unknown key
id appears (key rotation).
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ntbkit.errors import PermissionDenied, Unauthenticated

ROLE_OPERATOR = "operator"
ROLE_AUDITOR = "auditor"
# A platform service calling another on a principal's behalf (e.g. matching moving a
# buyer's coins into escrow): it reaches any principal's resources, but is no operator.
ROLE_SERVICE = "service"
_PRIVILEGED = frozenset({ROLE_OPERATOR, ROLE_AUDITOR, ROLE_SERVICE})
_ACTS_FOR_OTHERS = frozenset({ROLE_OPERATOR, ROLE_SERVICE})  # auditors only read
_CLOCK_SKEW_S = 30
_VERIFIED_CACHE_MAX = 10_000
# A token with an unknown key id refetches the keys (rotation), at most this often, so
# forged key ids cannot turn every call into a request to identity.
_REFRESH_INTERVAL_MIN_S = 0.5


@dataclass(frozen=True)
class Caller:
    """The verified bearer of a token."""

    subject: str
    roles: frozenset[str]
    scopes: frozenset[str]
    client_id: str | None = None

    @property
    def privileged(self) -> bool:
        """Reads every principal's resources."""
        return bool(self.roles & _PRIVILEGED)

    @property
    def acts_for_others(self) -> bool:
        """Changes every principal's resources (auditors may read, never move)."""
        return bool(self.roles & _ACTS_FOR_OTHERS)

    def require_role(self, *roles: str) -> None:
        if not self.roles & set(roles):
            raise PermissionDenied(f"requires one of the roles {sorted(roles)}")

    def require_access_to(self, owner_id: str) -> None:
        """Owners read their own resources; operators, auditors and services read all."""
        if self.subject != owner_id and not self.privileged:
            raise PermissionDenied("the resource belongs to another principal")

    def require_may_act_for(self, owner_id: str) -> None:
        """Owners change their own resources; operators and services change all."""
        if self.subject != owner_id and not self.acts_for_others:
            raise PermissionDenied("only the owner, an operator or a platform service may "
                                   "change this resource")


_current_caller: contextvars.ContextVar[Caller | None] = contextvars.ContextVar(
    "ntb_caller", default=None
)


def current_caller() -> Caller:
    caller = _current_caller.get()
    if caller is None:
        raise Unauthenticated("this call needs an access token")
    return caller


def set_current_caller(caller: Caller | None) -> contextvars.Token[Caller | None]:
    return _current_caller.set(caller)


def reset_current_caller(token: contextvars.Token[Caller | None]) -> None:
    _current_caller.reset(token)


KeyFetcher = Callable[[], Awaitable[Mapping[str, Ed25519PublicKey]]]


class TokenVerifier:
    """Verifies signature, expiry, issuer and audience; maps failures to UNAUTHENTICATED."""

    def __init__(self, fetch_keys: KeyFetcher, *, issuer: str, audience: str) -> None:
        self._fetch_keys = fetch_keys
        self._issuer = issuer
        self._audience = audience
        self._keys: Mapping[str, Ed25519PublicKey] = {}
        self._fetched_at_s = 0.0
        # token -> (caller, exp): a client sends one token with every call until it expires,
        # and checking its signature again each time cost more than the rest of a small call.
        self._verified: dict[str, tuple[Caller, float]] = {}

    async def _key(self, key_id: str) -> Ed25519PublicKey:
        if key_id not in self._keys:
            now_s = time.monotonic()
            if now_s - self._fetched_at_s >= _REFRESH_INTERVAL_MIN_S or not self._keys:
                self._keys = await self._fetch_keys()
                self._fetched_at_s = now_s
        key = self._keys.get(key_id)
        if key is None:
            raise Unauthenticated("token signed by an unknown key")
        return key

    async def verify(self, token: str) -> Caller:
        known = self._verified.get(token)
        if known is not None:
            caller, expires_at_s = known
            if time.time() < expires_at_s + _CLOCK_SKEW_S:
                return caller
            del self._verified[token]
        caller, expires_at_s = await self._verify_signed(token)
        if len(self._verified) >= _VERIFIED_CACHE_MAX:
            self._verified.clear()  # bounded; rebuilt by the next calls
        self._verified[token] = (caller, expires_at_s)
        return caller

    async def _verify_signed(self, token: str) -> tuple[Caller, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"malformed token: {error}") from error
        if header.get("alg") != "EdDSA" or not isinstance(header.get("kid"), str):
            raise Unauthenticated("token must be EdDSA-signed and carry a key id")
        key = await self._key(header["kid"])
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["EdDSA"],
                audience=self._audience,
                issuer=self._issuer,
                leeway=_CLOCK_SKEW_S,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"invalid token: {error}") from error
        return Caller(
            subject=str(claims["sub"]),
            roles=frozenset(claims.get("roles", [])),
            scopes=frozenset(str(claims.get("scope", "")).split()),
            client_id=claims.get("client_id"),
        ), float(claims["exp"])
