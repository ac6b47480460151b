"""Commands identity handles (orders; validated at the edge, checked again here)."""

from __future__ import annotations

from dataclasses import dataclass

from ntb_identity.domain.model import EnterpriseProfile, PersonProfile, PrincipalKind


@dataclass(frozen=True)
class RegisterPrincipal:
    request_id: str
    kind: PrincipalKind
    display_name: str
    country_code: str
    region: str
    industry_code: str
    person: PersonProfile | None
    enterprise: EnterpriseProfile | None


@dataclass(frozen=True)
class IssueToken:
    client_id: str
    client_secret: str
    scopes: frozenset[str]
