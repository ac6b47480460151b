"""Forged and genuine access tokens for the auth tests of the distributed suite.

The expired token is signed with identity's real current key, read from identity's
schema and unsealed with the development key-encryption key the e2e suite runs with."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import sqlalchemy as sa
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from e2e_suite import DistributedSuite

from ntb_identity.settings import DEVELOPMENT_KEY_ENCRYPTION_KEY
from ntbkit.storage.engine import create_engine
from ntbkit.testing import database_url_under_test

ISSUER, AUDIENCE = "ntb-identity", "ntb"


async def current_signing_key(suite: DistributedSuite) -> tuple[str, Ed25519PrivateKey]:
    engine = create_engine(database_url_under_test(), schema=suite.schema("identity"))
    async with engine.connect() as connection:
        row = (await connection.execute(sa.text(
            "SELECT key_id, private_key_sealed FROM signing_keys WHERE not_after IS NULL "
            "ORDER BY not_before DESC LIMIT 1"))).one()
    await engine.dispose()
    raw = Fernet(DEVELOPMENT_KEY_ENCRYPTION_KEY.encode()).decrypt(bytes(row[1]))
    return str(row[0]), Ed25519PrivateKey.from_private_bytes(raw)


def claims(subject: str, *, roles: list[str], issued_at: datetime) -> dict[str, object]:
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": subject, "roles": roles, "scope": "",
            "iat": issued_at, "nbf": issued_at, "exp": issued_at + timedelta(seconds=900),
            "jti": str(uuid.uuid4())}


def signed(key_id: str, key: Ed25519PrivateKey, body: dict[str, object]) -> str:
    return jwt.encode(body, key, algorithm="EdDSA", headers={"kid": key_id})


async def expired_operator_token(suite: DistributedSuite) -> str:
    key_id, key = await current_signing_key(suite)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    return signed(key_id, key, claims(str(uuid.uuid4()), roles=["operator"], issued_at=long_ago))


async def other_key_tokens(suite: DistributedSuite) -> list[str]:
    """Signed by a stranger's key: once under identity's key id, once under an unknown one."""
    key_id, _ = await current_signing_key(suite)
    stranger = Ed25519PrivateKey.generate()
    body = claims(str(uuid.uuid4()), roles=["operator"], issued_at=datetime.now(UTC))
    return [signed(key_id, stranger, body), signed("k-unknown", stranger, body)]


def tampered(token: str) -> str:
    """A genuine token whose claims were edited (roles += operator), signature kept."""
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["roles"] = ["operator"]
    edited = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{header}.{edited}.{signature}"
