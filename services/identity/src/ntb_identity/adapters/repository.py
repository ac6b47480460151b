"""Principals and API clients in PostgreSQL/SQLite (SQL lives only here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_identity.adapters.tables import api_clients, principals
from ntb_identity.domain.commands import PrincipalSearch
from ntb_identity.domain.model import ApiClient, Principal
from ntb_identity.domain.snapshots import principal_from_row, principal_to_row
from ntbkit.errors import FailedPrecondition
from ntbkit.timestamps import as_utc

SEARCH_SCAN_MAX = 5_000  # rows one search page may read (skills are filtered in Python)


class ConcurrentChange(FailedPrecondition):
    def __init__(self, principal_id: str) -> None:
        super().__init__("VERSION_MISMATCH", f"principal {principal_id} changed concurrently")


def _filtered(query: Any, search: PrincipalSearch) -> Any:
    c = principals.c
    if search.query:
        escaped = search.query.lower().replace("\\", "\\\\").replace("%", "\\%")
        escaped = escaped.replace("_", "\\_")
        query = query.where(sa.func.lower(c.display_name).like(escaped + "%", escape="\\"))
    if search.kinds:
        query = query.where(c.kind.in_([k.value for k in search.kinds]))
    for column, value in ((c.country_code, search.country_code), (c.region, search.region)):
        if value:
            query = query.where(column == value)
    if search.industry_code:
        query = query.where(c.industry_code.startswith(search.industry_code))
    if search.kyc_status is not None:
        query = query.where(c.kyc_status == search.kyc_status.value)
    if search.after is not None:
        created_at, principal_id = search.after
        query = query.where(sa.or_(
            c.created_at > created_at,
            sa.and_(c.created_at == created_at, c.principal_id > principal_id)))
    return query



class PrincipalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, principal: Principal) -> None:
        await self._session.execute(principals.insert().values(principal_to_row(principal)))

    async def update(self, principal: Principal) -> None:
        """Write a changed principal; its version was bumped from the stored one."""
        row = principal_to_row(principal)
        updated = await self._session.execute(
            principals.update()
            .where(principals.c.principal_id == principal.principal_id,
                   principals.c.version == principal.version - 1)
            .values(row)
        )
        if updated.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentChange(principal.principal_id)

    async def search(self, search: PrincipalSearch) -> list[Principal]:
        """One page in (created_at, principal_id) order, after the search's cursor."""
        query = _filtered(sa.select(principals), search).order_by(
            principals.c.created_at, principals.c.principal_id)
        found: list[Principal] = []
        scanned = 0
        wanted = set(search.skills)
        result = await self._session.stream(query.execution_options(yield_per=200))
        async for row in result.mappings():
            scanned += 1
            principal = principal_from_row(row)
            skills = set(principal.person.skills) if principal.person else set()
            if wanted <= skills:
                found.append(principal)
            if len(found) > search.page_size or scanned >= SEARCH_SCAN_MAX:
                break
        await result.close()
        return found

    async def persons_like(self, industry_prefix: str, region: str) -> list[Principal]:
        query = (sa.select(principals)
                 .where(principals.c.kind == "PERSON", principals.c.region == region,
                        principals.c.industry_code.startswith(industry_prefix))
                 .limit(SEARCH_SCAN_MAX))
        rows = (await self._session.execute(query)).mappings().all()
        return [principal_from_row(r) for r in rows]

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
        return None if row is None else _client(row)

    async def of(self, principal_id: str, *, include_revoked: bool,
                 after: tuple[datetime, str] | None, limit: int) -> list[ApiClient]:
        c = api_clients.c
        query = sa.select(api_clients).where(c.principal_id == principal_id)
        if not include_revoked:
            query = query.where(c.revoked_at.is_(None))
        if after is not None:
            query = query.where(sa.or_(c.created_at > after[0], sa.and_(
                c.created_at == after[0], c.client_id > after[1])))
        rows = (await self._session.execute(
            query.order_by(c.created_at, c.client_id).limit(limit))).mappings().all()
        return [_client(r) for r in rows]

    async def save(self, client: ApiClient) -> None:
        values = {
            "principal_id": client.principal_id,
            "secret_hash": client.secret_hash,
            "roles": sorted(client.roles),
            "scopes": sorted(client.scopes),
            "created_at": client.created_at,
            "revoked_at": client.revoked_at,
            "display_name": client.display_name,
            "secret_issued_at": client.secret_issued_at,
            "previous_secret_hash": client.previous_secret_hash,
            "previous_secret_expires_at": client.previous_secret_expires_at,
        }
        updated = await self._session.execute(
            api_clients.update().where(api_clients.c.client_id == client.client_id).values(values)
        )
        if updated.rowcount == 0:  # type: ignore[attr-defined]
            await self._session.execute(
                api_clients.insert().values(client_id=client.client_id, **values)
            )


def _maybe(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def _client(row: Any) -> ApiClient:
    return ApiClient(
        client_id=row["client_id"],
        principal_id=row["principal_id"],
        secret_hash=row["secret_hash"],
        roles=frozenset(row["roles"]),
        scopes=frozenset(row["scopes"]),
        created_at=as_utc(row["created_at"]),
        revoked_at=_maybe(row["revoked_at"]),
        display_name=row["display_name"],
        secret_issued_at=_maybe(row["secret_issued_at"]),
        previous_secret_hash=row["previous_secret_hash"],
        previous_secret_expires_at=_maybe(row["previous_secret_expires_at"]),
    )
