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
class FinancialStatements:
    """Annual statements, amounts in CNY fen."""

    fiscal_year: int
    revenue_fen: int
    net_income_fen: int
    ebit_fen: int
    interest_expense_fen: int
    total_assets_fen: int
    total_liabilities_fen: int
    current_assets_fen: int
    current_liabilities_fen: int


@dataclass(frozen=True)
class EnterpriseProfile:
    registration_number: str
    size: str = ""
    financials: FinancialStatements | None = None


# Roles a client's tokens may carry, and the scopes a client may request.
ROLES = frozenset({"operator", "auditor", "service", "bank"})
SERVICES = ("identity", "laborcoin", "matching", "intangible_bank", "scf_exchange", "fx_model")
SCOPES = frozenset(f"{s}.{a}" for s in SERVICES for a in ("read", "write"))

# Who may move KYC where (operators only): reopen, verify, reject.
KYC_TRANSITIONS = {
    KycStatus.PENDING: frozenset({KycStatus.VERIFIED, KycStatus.REJECTED}),
    KycStatus.VERIFIED: frozenset({KycStatus.REJECTED, KycStatus.PENDING}),
    KycStatus.REJECTED: frozenset({KycStatus.PENDING}),
}


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

    def changed(self, now: datetime) -> None:
        self.version += 1
        self.updated_at = now


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
    display_name: str = ""
    secret_issued_at: datetime | None = None
    previous_secret_hash: str | None = None
    previous_secret_expires_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def hashes_accepted(self, now: datetime) -> list[str]:
        """The current secret's hash, plus the previous one during its grace period."""
        hashes = [self.secret_hash]
        expires = self.previous_secret_expires_at
        if self.previous_secret_hash is not None and expires is not None and now < expires:
            hashes.append(self.previous_secret_hash)
        return hashes

    def grantable(self, requested: frozenset[str]) -> frozenset[str]:
        """Requested scopes must be the client's; none requested means all of them."""
        return requested if requested else self.scopes


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in_s: int
    scopes: frozenset[str] = field(default_factory=frozenset)
