"""Protobuf <-> domain for identity, with request validation (every bad field at once)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pycountry

from ntb.identity.v1 import identity_pb2 as pb
from ntb_identity.adapters import wave_messages
from ntb_identity.domain.commands import IssueToken, RegisterPrincipal
from ntb_identity.domain.model import (
    EnterpriseProfile,
    FinancialStatements,
    IssuedToken,
    PersonProfile,
    Principal,
    PrincipalKind,
)
from ntbkit.timestamps import to_timestamp
from ntbkit.validation import Violations

_TAG = re.compile(r"^[a-z0-9-]{1,64}$")
_ISIC = re.compile(r"^[A-U]([0-9]{2,4})?$")
_EDUCATION = ("", "none", "secondary", "vocational", "bachelor", "master", "doctorate")
_SIZES = ("", "micro", "small", "medium", "large")
_TAGS_MAX = 50
_KINDS = {
    pb.PRINCIPAL_KIND_PERSON: PrincipalKind.PERSON,
    pb.PRINCIPAL_KIND_ENTERPRISE: PrincipalKind.ENTERPRISE,
    pb.PRINCIPAL_KIND_FINANCIAL_INSTITUTION: PrincipalKind.FINANCIAL_INSTITUTION,
    pb.PRINCIPAL_KIND_OPERATOR: PrincipalKind.OPERATOR,
}
_KIND_TO_PB = {kind: number for number, kind in _KINDS.items()}
KINDS = _KINDS


def register_principal(request: pb.RegisterPrincipalRequest) -> RegisterPrincipal:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    kind = _KINDS.get(request.kind)
    v.check(kind is not None, "kind", "must be PERSON, ENTERPRISE, FINANCIAL_INSTITUTION "
            "or OPERATOR")
    v.require_text(request.display_name, "display_name", length_max=200)
    if v.require_country_alpha2(request.country_code, "country_code"):
        subdivision = pycountry.subdivisions.get(code=request.region)  # type: ignore[no-untyped-call]
        v.check(
            subdivision is not None and subdivision.country_code == request.country_code,
            "region", f"must be an ISO 3166-2 subdivision of {request.country_code}, "
            f"e.g. {request.country_code}-XX",
        )
    v.check(bool(_ISIC.match(request.industry_code)), "industry_code",
            "must be an ISIC Rev. 4 code: section letter A..U plus 2-4 digits, e.g. C26")
    person = _person(request, kind, v)
    enterprise = _enterprise(request, kind, v)
    v.raise_if_any()
    assert kind is not None
    return RegisterPrincipal(
        request_id=request.request_id,
        kind=kind,
        display_name=request.display_name.strip(),
        country_code=request.country_code,
        region=request.region,
        industry_code=request.industry_code,
        person=person,
        enterprise=enterprise,
    )


def _person(
    request: pb.RegisterPrincipalRequest, kind: PrincipalKind | None, v: Violations
) -> PersonProfile | None:
    has_person = request.HasField("person")
    if kind is not PrincipalKind.PERSON:
        v.check(not has_person, "person", "allowed only for kind PERSON")
        return None
    if not v.check(has_person, "person", "required for kind PERSON"):
        return None
    return person_profile(request.person, v, "person")


def person_profile(p: pb.PersonProfile, v: Violations, prefix: str) -> PersonProfile:
    this_year = datetime.now(UTC).year
    v.check(1900 <= p.birth_year <= this_year - 16, f"{prefix}.birth_year",
            f"must be between 1900 and {this_year - 16}")
    v.check(0 <= p.experience_years <= max(0, min(80, this_year - p.birth_year - 14)),
            f"{prefix}.experience_years", "must be 0..80 and at most age - 14")
    v.check(p.education in _EDUCATION, f"{prefix}.education",
            f"must be one of {_EDUCATION[1:]}")
    for field_name in ("skills", "advantages"):
        tags = list(getattr(p, field_name))
        v.check(len(tags) <= _TAGS_MAX, f"{prefix}.{field_name}", f"at most {_TAGS_MAX} tags")
        v.check(len(set(tags)) == len(tags), f"{prefix}.{field_name}", "tags must be unique")
        for index, tag in enumerate(tags):
            v.check(bool(_TAG.match(tag)), f"{prefix}.{field_name}[{index}]",
                    "1..64 characters of a-z, 0-9 and '-'")
    return PersonProfile(
        birth_year=p.birth_year, experience_years=p.experience_years, education=p.education,
        skills=tuple(p.skills), advantages=tuple(p.advantages),
    )


def _enterprise(
    request: pb.RegisterPrincipalRequest, kind: PrincipalKind | None, v: Violations
) -> EnterpriseProfile | None:
    has_enterprise = request.HasField("enterprise")
    takes_enterprise = kind in (PrincipalKind.ENTERPRISE, PrincipalKind.FINANCIAL_INSTITUTION)
    if not takes_enterprise:
        v.check(not has_enterprise, "enterprise",
                "allowed only for kinds ENTERPRISE and FINANCIAL_INSTITUTION")
        return None
    if not v.check(has_enterprise, "enterprise", "required for this kind"):
        return None
    return enterprise_profile(request.enterprise, v, "enterprise")


def enterprise_profile(e: pb.EnterpriseProfile, v: Violations, prefix: str) -> EnterpriseProfile:
    v.require_text(e.registration_number, f"{prefix}.registration_number", length_max=64)
    v.check(e.size in _SIZES, f"{prefix}.size", f"must be one of {_SIZES[1:]}")
    financials = None
    if e.HasField("financials"):
        financials = _financials(e.financials, v, f"{prefix}.financials")
    return EnterpriseProfile(registration_number=e.registration_number.strip(), size=e.size,
                             financials=financials)


_AMOUNTS = ("revenue", "net_income", "ebit", "interest_expense", "total_assets",
            "total_liabilities", "current_assets", "current_liabilities")


def _financials(f: pb.FinancialStatements, v: Violations, prefix: str) -> FinancialStatements:
    v.check(1990 <= f.fiscal_year <= datetime.now(UTC).year, f"{prefix}.fiscal_year",
            "must be 1990..current year")
    fen = {}
    for name in _AMOUNTS:
        money = getattr(f, name)
        v.check(money.asset == "CNY", f"{prefix}.{name}.asset", "must be CNY")
        fen[name] = int(money.units)
        if name in ("total_assets", "revenue"):
            v.check(money.units > 0, f"{prefix}.{name}.units", "must be > 0")
        elif name not in ("net_income", "ebit"):
            v.check(money.units >= 0, f"{prefix}.{name}.units", "must be >= 0")
    return FinancialStatements(fiscal_year=f.fiscal_year,
                               **{f"{name}_fen": value for name, value in fen.items()})


def principal_id(request: pb.GetPrincipalRequest) -> str:
    v = Violations()
    v.require_uuid(request.principal_id, "principal_id")
    v.raise_if_any()
    return request.principal_id


def issue_token(request: pb.IssueTokenRequest) -> IssueToken:
    v = Violations()
    v.check(request.grant_type == "client_credentials", "grant_type",
            "must be 'client_credentials'")
    v.require_text(request.client_id, "client_id", length_max=64)
    v.require_text(request.client_secret, "client_secret", length_max=200)
    v.raise_if_any()
    return IssueToken(
        client_id=request.client_id,
        client_secret=request.client_secret,
        scopes=frozenset(request.scopes),
    )



def principal(model: Principal) -> pb.Principal:
    message = pb.Principal(
        principal_id=model.principal_id,
        kind=_KIND_TO_PB[model.kind],
        display_name=model.display_name,
        country_code=model.country_code,
        region=model.region,
        industry_code=model.industry_code,
        kyc_status=pb.KycStatus.Value(f"KYC_STATUS_{model.kyc_status.value}"),
        created_at=to_timestamp(model.created_at),
        updated_at=to_timestamp(model.updated_at),
        version=model.version,
    )
    if model.person is not None:
        message.person.CopyFrom(wave_messages.person(model.person))
    if model.enterprise is not None:
        message.enterprise.CopyFrom(wave_messages.enterprise(model.enterprise))
    return message


def issued_token(token: IssuedToken) -> pb.IssueTokenResponse:
    return pb.IssueTokenResponse(
        access_token=token.access_token,
        token_type="Bearer",
        expires_in_s=token.expires_in_s,
        scopes=sorted(token.scopes),
    )


def signing_key(key_id: str, public_key: bytes, not_before: datetime,
                not_after: datetime | None) -> pb.SigningKey:
    message = pb.SigningKey(
        key_id=key_id, algorithm="EdDSA", public_key=public_key,
        not_before=to_timestamp(not_before),
    )
    if not_after is not None:
        message.not_after.CopyFrom(to_timestamp(not_after))
    return message
