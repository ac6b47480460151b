"""What identity tells the other services happened (past tense)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ntb_identity.domain.commands import Evidence
from ntb_identity.domain.contract_keys import PrincipalSigningKey
from ntb_identity.domain.model import (
    EnterpriseProfile,
    KycStatus,
    PersonProfile,
    PrincipalKind,
)
from ntb_identity.domain.waves import CreditPoint, ValuePoint


@dataclass(frozen=True)
class PrincipalRegistered:
    principal_id: str
    kind: PrincipalKind
    display_name: str
    country_code: str
    region: str
    industry_code: str
    registered_at: datetime
    person: PersonProfile | None = None


@dataclass(frozen=True)
class PersonProfileUpdated:
    principal_id: str
    person: PersonProfile
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class EnterpriseProfileUpdated:
    principal_id: str
    enterprise: EnterpriseProfile
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class KycStatusChanged:
    principal_id: str
    kyc_status: KycStatus
    previous_kyc_status: KycStatus
    reason: str
    changed_at: datetime
    evidence: tuple[Evidence, ...] = ()
    changed_by: str = ""


@dataclass(frozen=True)
class ValueUpdated:
    point: ValuePoint
    previous_hourly_value_fen: int | None


@dataclass(frozen=True)
class CreditUpdated:
    point: CreditPoint
    previous_score: int | None


@dataclass(frozen=True)
class EnterpriseRatingChanged:
    principal_id: str
    rating: str  # AAA..C
    previous_rating: str | None
    score: int
    rated_at: datetime


@dataclass(frozen=True)
class SigningPublicKeyRegistered:
    key: PrincipalSigningKey


@dataclass(frozen=True)
class SigningPublicKeyRevoked:
    key: PrincipalSigningKey


IdentityEvent = (
    PrincipalRegistered | PersonProfileUpdated | EnterpriseProfileUpdated
    | KycStatusChanged | ValueUpdated | CreditUpdated | EnterpriseRatingChanged
    | SigningPublicKeyRegistered | SigningPublicKeyRevoked
)
