"""Principals and API clients in PostgreSQL/SQLite (SQL lives only here)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_identity.adapters.tables import api_clients, principals
from ntb_identity.domain.model import ApiClient, Principal
from ntb_identity.domain.snapshots import principal_from_row, principal_to_row


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class PrincipalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, principal: Principal) -> None:
        await self._session.execute(principals.insert().values(principal_to_row(principal)))

    async def get(self, principal_id: str) -> Principal | None:
        row = (
            await self._session.execute(
                sa.select(principals).where(principals.c.principal_id == principal_id)
            )
        ).mappings().first()
        return None if row is None else principal_from_row(row)


class ApiClientRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, client_id: str) -> ApiClient | None:
        row = (
            await self._session.execute(
                sa.select(api_clients).where(api_clients.c.client_id == client_id)
            )
        ).mappings().first()
        if row is None:
            return None
        return ApiClient(
            client_id=row["client_id"],
            principal_id=row["principal_id"],
            secret_hash=row["secret_hash"],
            roles=frozenset(row["roles"]),
            scopes=frozenset(row["scopes"]),
            created_at=_aware(row["created_at"]),
            revoked_at=None if row["revoked_at"] is None else _aware(row["revoked_at"]),
        )

    async def save(self, client: ApiClient) -> None:
        values = {
            "principal_id": client.principal_id,
            "secret_hash": client.secret_hash,
            "roles": sorted(client.roles),
            "scopes": sorted(client.scopes),
            "created_at": client.created_at,
            "revoked_at": client.revoked_at,
        }
        updated = await self._session.execute(
            api_clients.update().where(api_clients.c.client_id == client.client_id).values(values)
        )
        if updated.rowcount == 0:  # type: ignore[attr-defined]
            await self._session.execute(
                api_clients.insert().values(client_id=client.client_id, **values)
            )
