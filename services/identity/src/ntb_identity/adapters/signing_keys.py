"""Token signing keys: Ed25519, private halves sealed (Fernet) at rest in identity's DB."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
import sqlalchemy as sa
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ntb_identity.adapters.tables import signing_keys
from ntb_identity.domain.model import ApiClient, IssuedToken
from ntbkit.timestamps import as_utc


@dataclass(frozen=True)
class SigningKeyRecord:
    key_id: str
    public_key: bytes
    not_before: datetime
    not_after: datetime | None



class SigningKeyStore:
    """Holds the current key in memory after start-up; publishes current and retired keys."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        sealing_key: bytes,
        token_ttl_s: int,
    ) -> None:
        self._sessions = sessions
        self._fernet = Fernet(sealing_key)
        self._token_ttl_s = token_ttl_s
        self._current: tuple[str, Ed25519PrivateKey] | None = None

    async def ensure_current(self) -> None:
        """Load the current key, creating the first one on a fresh database."""
        async with self._sessions() as session, session.begin():
            row = (
                await session.execute(
                    sa.select(signing_keys)
                    .where(signing_keys.c.not_after.is_(None))
                    .order_by(signing_keys.c.not_before.desc())
                    .limit(1)
                )
            ).mappings().first()
            if row is None:
                private = Ed25519PrivateKey.generate()
                key_id = _key_id(private.public_key())
                await session.execute(
                    signing_keys.insert().values(
                        key_id=key_id,
                        private_key_sealed=self._fernet.encrypt(_raw_private(private)),
                        public_key=_raw_public(private.public_key()),
                        not_before=datetime.now(UTC),
                        not_after=None,
                    )
                )
            else:
                key_id = row["key_id"]
                private = Ed25519PrivateKey.from_private_bytes(
                    self._fernet.decrypt(row["private_key_sealed"])
                )
        self._current = (key_id, private)

    async def rotate(self, session: AsyncSession) -> tuple[SigningKeyRecord, SigningKeyRecord]:
        """Retire the current key and add a new one, in the caller's transaction.

        Call `ensure_current()` after the commit to sign with the new key. Other
        replicas keep their key until they restart (see the README's limits)."""
        assert self._current is not None, "ensure_current() runs at start-up"
        now = datetime.now(UTC)
        retired_id = self._current[0]
        await session.execute(
            signing_keys.update().where(signing_keys.c.key_id == retired_id)
            .values(not_after=now))
        private = Ed25519PrivateKey.generate()
        public = _raw_public(private.public_key())
        key_id = _key_id(private.public_key())
        await session.execute(signing_keys.insert().values(
            key_id=key_id, private_key_sealed=self._fernet.encrypt(_raw_private(private)),
            public_key=public, not_before=now, not_after=None,
        ))
        retired = (await session.execute(
            sa.select(signing_keys).where(signing_keys.c.key_id == retired_id))).mappings().one()
        return (
            SigningKeyRecord(key_id, public, now, None),
            SigningKeyRecord(retired_id, bytes(retired["public_key"]),
                             as_utc(retired["not_before"]) or now, now),
        )

    def seal(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def unseal(self, data: bytes) -> bytes:
        return self._fernet.decrypt(data)

    async def published(self) -> list[SigningKeyRecord]:
        """Current key plus keys retired recently enough to verify live tokens."""
        horizon = datetime.now(UTC) - timedelta(seconds=self._token_ttl_s)
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    sa.select(signing_keys).order_by(signing_keys.c.not_before)
                )
            ).mappings().all()
        records = [
            SigningKeyRecord(
                key_id=row["key_id"],
                public_key=bytes(row["public_key"]),
                not_before=as_utc(row["not_before"]) or horizon,
                not_after=as_utc(row["not_after"]),
            )
            for row in rows
        ]
        return [r for r in records if r.not_after is None or r.not_after > horizon]

    async def public_keys(self) -> Mapping[str, Ed25519PublicKey]:
        return {
            r.key_id: Ed25519PublicKey.from_public_bytes(r.public_key)
            for r in await self.published()
        }

    def sign(
        self, client: ApiClient, scopes: frozenset[str], *, issuer: str, audience: str
    ) -> IssuedToken:
        assert self._current is not None, "ensure_current() runs at start-up"
        key_id, private = self._current
        now = datetime.now(UTC)
        claims = {
            "iss": issuer,
            "aud": audience,
            "sub": client.principal_id,
            "client_id": client.client_id,
            "roles": sorted(client.roles),
            "scope": " ".join(sorted(scopes)),
            "iat": now,
            "nbf": now,
            "exp": now + timedelta(seconds=self._token_ttl_s),
            "jti": str(uuid.uuid4()),
        }
        token = jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": key_id})
        return IssuedToken(access_token=token, expires_in_s=self._token_ttl_s, scopes=scopes)


def _raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _key_id(key: Ed25519PublicKey) -> str:
    return "k-" + hashlib.sha256(_raw_public(key)).hexdigest()[:16]
