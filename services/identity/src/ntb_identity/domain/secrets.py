"""Client secrets: generated with enough entropy, stored only as scrypt hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# scrypt cost: n=2**14, r=8, p=1 (OWASP's minimum for interactive logins).
_N, _R, _P = 2**14, 8, 1
_SALT_BYTES = 16


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def secret_matches(secret: str, stored: str) -> bool:
    scheme, salt_b64, digest_b64 = stored.split("$")
    assert scheme == "scrypt", f"unknown secret hash scheme {scheme}"
    digest = hashlib.scrypt(
        secret.encode(), salt=base64.b64decode(salt_b64), n=_N, r=_R, p=_P, dklen=32
    )
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))
