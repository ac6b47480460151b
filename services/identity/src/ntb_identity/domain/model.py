"""Principals and API clients of identity (pure rules, no I/O)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class PrincipalKind(enum.Enum):
    PERSON = "PERSON"
    ENTERPRISE = "ENTERPRISE"
    FINANCIAL_INSTITUTION = "FINANCIAL_INSTITUTION"
    OPERATOR = "OPERATOR"


class KycStatus(enum.Enum):
    PENDING = "PENDING"
    VERIFIED = "VERIFIED"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class PersonProfile:
    birth_year: int
    experience_years: int
    education: str = ""
    skills: tuple[str, ...] = ()
    advantages: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnterpriseProfile:
    registration_number: str
    size: str = ""


@dataclass
class Principal:
    principal_id: str
    kind: PrincipalKind
    display_name: str
    country_code: str
    region: str
    industry_code: str
    kyc_status: KycStatus
    created_at: datetime
    updated_at: datetime
    person: PersonProfile | None = None
    enterprise: EnterpriseProfile | None = None
    version: int = 1

    def __post_init__(self) -> None:
        assert (self.person is not None) == (self.kind is PrincipalKind.PERSON)
        takes_enterprise = self.kind in (
            PrincipalKind.ENTERPRISE, PrincipalKind.FINANCIAL_INSTITUTION
        )
        assert (self.enterprise is not None) == takes_enterprise
        assert self.version >= 1


@dataclass
class ApiClient:
    """A bank's (or operator's) machine credentials; the secret is kept only hashed."""

    client_id: str
    principal_id: str
    secret_hash: str
    roles: frozenset[str]
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def grantable(self, requested: frozenset[str]) -> frozenset[str]:
        """Requested scopes must be the client's; none requested means all of them."""
        return requested if requested else self.scopes


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in_s: int
    scopes: frozenset[str] = field(default_factory=frozenset)
