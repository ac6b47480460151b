"""Contract signing keys in PostgreSQL/SQLite (SQL lives only here)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_identity.adapters.tables import contract_keys
from ntb_identity.domain.contract_keys import PrincipalSigningKey
from ntbkit.timestamps import as_utc


def _key(row: Any) -> PrincipalSigningKey:
    revoked_at = row["revoked_at"]
    return PrincipalSigningKey(
        key_id=row["key_id"], principal_id=row["principal_id"],
        public_key=bytes(row["public_key"]), label=row["label"],
        registered_at=as_utc(row["registered_at"]),
        revoked_at=None if revoked_at is None else as_utc(revoked_at),
        revocation_reason=row["revocation_reason"],
    )


class ContractKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, key_id: str) -> PrincipalSigningKey | None:
        row = (await self._session.execute(
            sa.select(contract_keys).where(contract_keys.c.key_id == key_id)
        )).mappings().first()
        return None if row is None else _key(row)

    async def add(self, key: PrincipalSigningKey) -> None:
        """Insert a new key; a concurrent twin with the same key id fails the primary key."""
        await self._session.execute(contract_keys.insert().values(
            key_id=key.key_id, principal_id=key.principal_id, public_key=key.public_key,
            label=key.label, registered_at=key.registered_at, revoked_at=key.revoked_at,
            revocation_reason=key.revocation_reason,
        ))

    async def revoke(self, key: PrincipalSigningKey) -> bool:
        """Store a key's revocation; False if it was revoked already (the first one stays)."""
        assert key.revoked_at is not None
        updated = await self._session.execute(
            contract_keys.update()
            .where(contract_keys.c.key_id == key.key_id, contract_keys.c.revoked_at.is_(None))
            .values(revoked_at=key.revoked_at, revocation_reason=key.revocation_reason)
        )
        return bool(updated.rowcount == 1)  # type: ignore[attr-defined]

    async def of(self, principal_id: str, *, limit: int) -> list[PrincipalSigningKey]:
        """A principal's keys, revoked ones included, by registration time."""
        c = contract_keys.c
        rows = (await self._session.execute(
            sa.select(contract_keys).where(c.principal_id == principal_id)
            .order_by(c.registered_at, c.key_id).limit(limit)
        )).mappings().all()
        return [_key(r) for r in rows]

    async def count(self, principal_id: str) -> int:
        counted = await self._session.execute(
            sa.select(sa.func.count()).select_from(contract_keys)
            .where(contract_keys.c.principal_id == principal_id)
        )
        return int(counted.scalar_one())
