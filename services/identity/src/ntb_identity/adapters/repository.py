"""Principals and API clients in PostgreSQL/SQLite (SQL lives only here)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_identity.adapters.tables import api_clients, principals
from ntb_identity.domain.model import (
    ApiClient,
    EnterpriseProfile,
    KycStatus,
    PersonProfile,
    Principal,
    PrincipalKind,
)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def person_to_json(person: PersonProfile | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {
        "birth_year": person.birth_year, "experience_years": person.experience_years,
        "education": person.education, "skills": list(person.skills),
        "advantages": list(person.advantages),
    }


def person_from_json(data: dict[str, Any] | None) -> PersonProfile | None:
    if data is None:
        return None
    return PersonProfile(
        birth_year=data["birth_year"], experience_years=data["experience_years"],
        education=data["education"], skills=tuple(data["skills"]),
        advantages=tuple(data["advantages"]),
    )


def enterprise_to_json(enterprise: EnterpriseProfile | None) -> dict[str, Any] | None:
    if enterprise is None:
        return None
    return {"registration_number": enterprise.registration_number, "size": enterprise.size}


def enterprise_from_json(data: dict[str, Any] | None) -> EnterpriseProfile | None:
    if data is None:
        return None
    return EnterpriseProfile(registration_number=data["registration_number"], size=data["size"])


def principal_to_row(principal: Principal) -> dict[str, Any]:
    return {
        "principal_id": principal.principal_id,
        "kind": principal.kind.value,
        "display_name": principal.display_name,
        "country_code": principal.country_code,
        "region": principal.region,
        "industry_code": principal.industry_code,
        "kyc_status": principal.kyc_status.value,
        "person": person_to_json(principal.person),
        "enterprise": enterprise_to_json(principal.enterprise),
        "version": principal.version,
        "created_at": principal.created_at,
        "updated_at": principal.updated_at,
    }


def principal_from_row(row: Any) -> Principal:
    return Principal(
        principal_id=row["principal_id"],
        kind=PrincipalKind(row["kind"]),
        display_name=row["display_name"],
        country_code=row["country_code"],
        region=row["region"],
        industry_code=row["industry_code"],
        kyc_status=KycStatus(row["kyc_status"]),
        person=person_from_json(row["person"]),
        enterprise=enterprise_from_json(row["enterprise"]),
        version=row["version"],
        created_at=_aware(row["created_at"]),
        updated_at=_aware(row["updated_at"]),
    )


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
