"""Commands identity handles (orders; validated at the edge, checked again here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ntb_identity.domain.behaviour import BehaviourRecord
from ntb_identity.domain.model import EnterpriseProfile, KycStatus, PersonProfile, PrincipalKind


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


@dataclass(frozen=True)
class PrincipalSearch:
    query: str
    kinds: frozenset[PrincipalKind]
    country_code: str
    region: str
    industry_code: str
    kyc_status: KycStatus | None
    skills: tuple[str, ...]
    page_size: int
    after: tuple[datetime, str] | None  # cursor: (created_at, principal_id) of the last seen


@dataclass(frozen=True)
class UpdatePersonProfile:
    request_id: str
    principal_id: str
    person: PersonProfile
    expected_version: int


@dataclass(frozen=True)
class UpdateEnterpriseProfile:
    request_id: str
    principal_id: str
    enterprise: EnterpriseProfile
    expected_version: int


@dataclass(frozen=True)
class Evidence:
    """A document examined for KYC, known by its SHA-256 (hex)."""

    name: str
    sha256_hex: str
    media_type: str = ""


@dataclass(frozen=True)
class SetKycStatus:
    request_id: str
    principal_id: str
    kyc_status: KycStatus
    reason: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class CreateApiClient:
    request_id: str
    principal_id: str
    display_name: str
    roles: frozenset[str]
    scopes: frozenset[str]


@dataclass(frozen=True)
class RotateApiClientSecret:
    request_id: str
    client_id: str
    grace_period_s: int


@dataclass(frozen=True)
class RevokeApiClient:
    request_id: str
    client_id: str
    reason: str


@dataclass(frozen=True)
class RecordBehaviour:
    """A person's conduct reported by another service's event (ce_id in record.record_id)."""

    record: BehaviourRecord
    event_id: str


@dataclass(frozen=True)
class PayBandQuery:
    industry_code: str
    region: str
    experience_years: int
    skills: tuple[str, ...]


@dataclass(frozen=True)
class RegisterSigningPublicKey:
    request_id: str
    principal_id: str
    public_key: bytes
    proof_of_possession: bytes
    label: str


@dataclass(frozen=True)
class RevokeSigningPublicKey:
    request_id: str
    principal_id: str
    key_id: str
    reason: str
