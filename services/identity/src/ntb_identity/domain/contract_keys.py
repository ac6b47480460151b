"""Persons' (and enterprises') Ed25519 keys for signing electronic contracts (no I/O).

matching verifies entrustment contracts with these keys (DESIGN.md section 4.3): a key
is known by the first 16 bytes of SHA-256 of its public half, belongs to one principal
only, and once revoked stays revoked (signatures made before revocation stay valid).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime

from ntb_identity.domain.model import PrincipalKind

ALGORITHM = "Ed25519"
PUBLIC_KEY_SIZE = 32
PROOF_SIZE = 64
LABEL_LENGTH_MAX = 100
REASON_LENGTH_MAX = 500
KEYS_PER_PRINCIPAL_MAX = 100  # revoked ones included: a listing is never longer
OWNER_KINDS = frozenset({PrincipalKind.PERSON, PrincipalKind.ENTERPRISE})
KEY_ID = re.compile(r"^[0-9a-f]{32}$")


def key_id_of(public_key: bytes) -> str:
    """Lowercase hex of the first 16 bytes of SHA-256(public_key)."""
    assert len(public_key) == PUBLIC_KEY_SIZE
    return hashlib.sha256(public_key).digest()[:16].hex()


def possession_message(principal_id: str, request_id: str) -> bytes:
    """What the private key signs to prove possession at registration."""
    return f"ntb-contract-key:v1:{principal_id}:{request_id}".encode()


@dataclass(frozen=True)
class PrincipalSigningKey:
    key_id: str
    principal_id: str
    public_key: bytes
    label: str
    registered_at: datetime
    revoked_at: datetime | None = None
    revocation_reason: str = ""

    def __post_init__(self) -> None:
        assert len(self.public_key) == PUBLIC_KEY_SIZE
        assert self.key_id == key_id_of(self.public_key)
        assert len(self.label) <= LABEL_LENGTH_MAX
        assert self.revoked_at is None or self.revoked_at >= self.registered_at
        assert self.revoked_at is not None or not self.revocation_reason

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoked(self, now: datetime, reason: str) -> PrincipalSigningKey:
        """This key revoked at `now`; a revoked key stays as it was (first revocation)."""
        if not self.active:
            return self
        return replace(self, revoked_at=max(now, self.registered_at), revocation_reason=reason)
