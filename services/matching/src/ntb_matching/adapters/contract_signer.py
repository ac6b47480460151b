"""Ed25519 for entrustment contracts with `cryptography`.

Implements ``domain.contract.ContractSigner`` and ``domain.contract.SignatureVerifier``.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519_PUBLIC_KEY_SIZE = 32
ED25519_SEED_SIZE = 32
ED25519_SIGNATURE_SIZE = 64


class Ed25519ContractSigner:
    """An Ed25519 private key that signs contract messages (a ``ContractSigner``)."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self._public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @classmethod
    def generate(cls) -> Ed25519ContractSigner:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519ContractSigner:
        """From the 32-byte RFC 8032 private key (seed)."""
        if len(seed) != ED25519_SEED_SIZE:
            raise ValueError("an Ed25519 seed is 32 bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def public_key(self) -> bytes:
        return self._public

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


class Ed25519SignatureVerifier:
    """Verifies Ed25519 signatures (a ``SignatureVerifier``); never raises on bad input."""

    def verify(self, *, public_key: bytes, message: bytes, signature: bytes) -> bool:
        if len(public_key) != ED25519_PUBLIC_KEY_SIZE or len(signature) != ED25519_SIGNATURE_SIZE:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True
