"""Ed25519 signing and verification of log checkpoints with `cryptography`.

Implements ``domain.checkpoint.NoteSigner`` and ``domain.checkpoint.SignatureCheck``.
A signing key can be kept as a Go-style signer key string (golang.org/x/mod/sumdb/note):
``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>``.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ntb_laborcoin.domain.checkpoint import (
    ED25519_TYPE,
    NoteError,
    VerifierKey,
    b64decode_strict,
    b64encode,
    check_key_name,
    ed25519_key_id,
)

SKEY_PREFIX = "PRIVATE+KEY+"


class Ed25519NoteSigner:
    """A named Ed25519 key that signs notes (a ``NoteSigner``)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        check_key_name(name)
        self._name = name
        self._key = private_key
        self._public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @classmethod
    def generate(cls, name: str) -> Ed25519NoteSigner:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Ed25519NoteSigner:
        """From the 32-byte RFC 8032 private key (seed)."""
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def from_skey(cls, skey: str) -> Ed25519NoteSigner:
        """From ``PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>``."""
        if not skey.startswith(SKEY_PREFIX):
            raise NoteError("a signer key starts with PRIVATE+KEY+")
        parts = skey[len(SKEY_PREFIX) :].split("+", 2)
        if len(parts) != 3:
            raise NoteError("a signer key is PRIVATE+KEY+<name>+<hex id>+<base64 key>")
        name, hex_id, material = parts
        raw = b64decode_strict(material, "signer key")
        if len(raw) != 33 or raw[0] != ED25519_TYPE:
            raise NoteError("only Ed25519 signer keys (type 0x01, 32 bytes) are supported")
        signer = cls.from_seed(name, raw[1:])
        if signer.key_id.hex() != hex_id:
            raise NoteError("signer key id does not match its name and key")
        return signer

    @property
    def name(self) -> str:
        return self._name

    @property
    def public_key(self) -> bytes:
        return self._public

    @property
    def key_id(self) -> bytes:
        return ed25519_key_id(self._name, self._public)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def verifier_key(self) -> VerifierKey:
        return VerifierKey(self._name, self._public)

    def skey(self) -> str:
        """The signer key string (secret: keep it out of logs)."""
        seed = self._key.private_bytes_raw()
        material = b64encode(bytes([ED25519_TYPE]) + seed)
        return f"{SKEY_PREFIX}{self._name}+{self.key_id.hex()}+{material}"


def ed25519_check(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``message`` (a SignatureCheck)."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
