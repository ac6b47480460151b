"""Principals as plain JSON-ready dicts: stored rows and idempotent replies share it."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from ntb_identity.domain.model import (
    EnterpriseProfile,
    FinancialStatements,
    KycStatus,
    PersonProfile,
    Principal,
    PrincipalKind,
)
from ntbkit.timestamps import as_utc


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
    financials = enterprise.financials
    return {
        "registration_number": enterprise.registration_number, "size": enterprise.size,
        "financials": None if financials is None else dataclasses.asdict(financials),
    }


def enterprise_from_json(data: dict[str, Any] | None) -> EnterpriseProfile | None:
    if data is None:
        return None
    financials = data.get("financials")
    return EnterpriseProfile(
        registration_number=data["registration_number"], size=data["size"],
        financials=None if financials is None else FinancialStatements(**financials),
    )


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
        created_at=as_utc(row["created_at"]),
        updated_at=as_utc(row["updated_at"]),
    )


def principal_to_bytes(principal: Principal) -> bytes:
    row = principal_to_row(principal)
    return json.dumps(row, default=lambda value: value.isoformat()).encode()


def principal_from_bytes(stored: bytes) -> Principal:
    row = json.loads(stored)
    for moment in ("created_at", "updated_at"):
        row[moment] = datetime.fromisoformat(row[moment])
    return principal_from_row(row)
