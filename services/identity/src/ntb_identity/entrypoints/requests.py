"""Decoding (and validating) the requests of principals, clients, contract keys, waves and
pay bands."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, datetime

from google.protobuf.message import Message

from ntb.common.v1 import common_pb2
from ntb.identity.v1 import identity_pb2 as pb
from ntb_identity.adapters import model_files
from ntb_identity.domain import contract_keys as keys
from ntb_identity.domain.commands import (
    CreateApiClient,
    Evidence,
    PayBandQuery,
    PrincipalSearch,
    RegisterSigningPublicKey,
    RevokeApiClient,
    RevokeSigningPublicKey,
    RotateApiClientSecret,
    SetKycStatus,
    UpdateEnterpriseProfile,
    UpdatePersonProfile,
)
from ntb_identity.domain.model import ROLES, SCOPES, KycStatus
from ntb_identity.domain.value_model import ValueModel
from ntb_identity.entrypoints import codec
from ntb_identity.service import contract_keys
from ntb_identity.service.api_clients import ClientListing
from ntb_identity.service.wave_queries import WaveQuery
from ntbkit.errors import NotFound
from ntbkit.validation import Violations

PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 100, 1000
GRACE_PERIOD_MAX_S = 604_800
_CLIENT_ID = re.compile(r"^[a-z0-9_-]{1,64}$")
_KYC = {pb.KYC_STATUS_PENDING: KycStatus.PENDING, pb.KYC_STATUS_VERIFIED: KycStatus.VERIFIED,
        pb.KYC_STATUS_REJECTED: KycStatus.REJECTED}
_KINDS = codec.KINDS


def page_size(page: common_pb2.PageRequest, v: Violations) -> int:
    v.check(0 <= page.page_size <= PAGE_SIZE_MAX, "page.page_size", "must be 0..1000")
    return page.page_size or PAGE_SIZE_DEFAULT


def _filters_hash(request: Message) -> str:
    copy = type(request)()
    copy.CopyFrom(request)
    copy.ClearField("page")
    return hashlib.sha256(copy.SerializeToString(deterministic=True)).hexdigest()[:16]


def page_token(request: Message, cursor: list[str]) -> str:
    data = json.dumps({"f": _filters_hash(request), "c": cursor}).encode()
    return base64.urlsafe_b64encode(data).decode()


def _cursor(request: Message, token: str, v: Violations) -> list[str] | None:
    if not token:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if data["f"] == _filters_hash(request):
            return [str(part) for part in data["c"]]
    except (ValueError, KeyError, TypeError):
        pass
    v.add("page.page_token", "not a token of this request's filters")
    return None


def search(request: pb.SearchPrincipalsRequest) -> PrincipalSearch:
    v = Violations()
    v.check_text(request.query, "query", length_max=200)
    v.check(len(request.skills) <= 20, "skills", "at most 20 tags")
    size = page_size(request.page, v)
    cursor = _cursor(request, request.page.page_token, v)
    kind = _KINDS.get(request.kind)
    v.check(request.kind == 0 or kind is not None, "kind", "unknown kind")
    status = _KYC.get(request.kyc_status)
    v.raise_if_any()
    after = None if cursor is None else (datetime.fromisoformat(cursor[0]), cursor[1])
    return PrincipalSearch(
        query=request.query.strip(), kinds=frozenset() if kind is None else frozenset({kind}),
        country_code=request.country_code, region=request.region,
        industry_code=request.industry_code, kyc_status=status,
        skills=tuple(request.skills), page_size=size, after=after,
    )


def update_person(request: pb.UpdatePersonProfileRequest) -> UpdatePersonProfile:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.principal_id, "principal_id")
    v.check(request.HasField("person"), "person", "required")
    person = codec.person_profile(request.person, v, "person")
    v.raise_if_any()
    return UpdatePersonProfile(request.request_id, request.principal_id, person,
                               request.expected_version)


def update_enterprise(request: pb.UpdateEnterpriseProfileRequest) -> UpdateEnterpriseProfile:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.principal_id, "principal_id")
    v.check(request.HasField("enterprise"), "enterprise", "required")
    enterprise = codec.enterprise_profile(request.enterprise, v, "enterprise")
    v.raise_if_any()
    return UpdateEnterpriseProfile(request.request_id, request.principal_id, enterprise,
                                   request.expected_version)


def set_kyc(request: pb.SetKycStatusRequest) -> SetKycStatus:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.principal_id, "principal_id")
    status = _KYC.get(request.kyc_status)
    v.check(status is not None, "kyc_status", "must be PENDING, VERIFIED or REJECTED")
    v.check_text(request.reason, "reason", length_max=500)
    if status is KycStatus.REJECTED:
        v.check(bool(request.reason.strip()), "reason", "required for REJECTED")
    v.check(len(request.evidence) <= 20, "evidence", "at most 20 documents")
    for index, document in enumerate(request.evidence):
        v.require_text(document.name, f"evidence[{index}].name", length_max=200)
        v.check(len(document.sha256) == 32, f"evidence[{index}].sha256", "exactly 32 bytes")
        v.check_text(document.media_type, f"evidence[{index}].media_type", length_max=100)
    v.raise_if_any()
    assert status is not None
    evidence = tuple(Evidence(d.name.strip(), d.sha256.hex(), d.media_type)
                     for d in request.evidence)
    return SetKycStatus(request.request_id, request.principal_id, status,
                        request.reason.strip(), evidence)


def create_client(request: pb.CreateApiClientRequest) -> CreateApiClient:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.principal_id, "principal_id")
    v.require_text(request.display_name, "display_name", length_max=100)
    v.check(set(request.roles) <= ROLES, "roles", f"each one of {sorted(ROLES)}")
    v.check(1 <= len(request.scopes) <= 20, "scopes", "1..20 scopes")
    v.check(set(request.scopes) <= SCOPES, "scopes", "each '<service>.read' or '.write'")
    v.raise_if_any()
    return CreateApiClient(request.request_id, request.principal_id,
                           request.display_name.strip(), frozenset(request.roles),
                           frozenset(request.scopes))


def client_id(value: str, v: Violations) -> None:
    v.check(bool(_CLIENT_ID.match(value)), "client_id", "must be a client id")


def rotate(request: pb.RotateApiClientSecretRequest) -> RotateApiClientSecret:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    client_id(request.client_id, v)
    v.check(0 <= request.grace_period_s <= GRACE_PERIOD_MAX_S, "grace_period_s",
            "must be 0..604800")
    v.raise_if_any()
    return RotateApiClientSecret(request.request_id, request.client_id, request.grace_period_s)


def revoke(request: pb.RevokeApiClientRequest) -> RevokeApiClient:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    client_id(request.client_id, v)
    v.check_text(request.reason, "reason", length_max=500)
    v.raise_if_any()
    return RevokeApiClient(request.request_id, request.client_id, request.reason)


def principal_id(value: str) -> str:
    v = Violations()
    v.require_uuid(value, "principal_id")
    v.raise_if_any()
    return value


def wave(request: pb.GetValueWaveRequest | pb.GetCreditWaveRequest) -> WaveQuery:
    v = Violations()
    v.require_uuid(request.principal_id, "principal_id")
    size = page_size(request.page, v)
    cursor = _cursor(request, request.page.page_token, v)
    start = end = None
    if request.range.HasField("start_time"):
        start = request.range.start_time.ToDatetime(tzinfo=UTC)
    if request.range.HasField("end_time"):
        end = request.range.end_time.ToDatetime(tzinfo=UTC)
    v.check(start is None or end is None or start < end, "range.end_time",
            "must be after start_time")
    v.raise_if_any()
    after = 0 if cursor is None else int(cursor[0])
    return WaveQuery(request.principal_id, start, end, after, size)


def at(request: pb.ExplainValueRequest | pb.ExplainCreditRequest) -> datetime | None:
    principal_id(request.principal_id)
    return request.at.ToDatetime(tzinfo=UTC) if request.HasField("at") else None


def pay_band(request: pb.RecommendPayBandRequest) -> PayBandQuery:
    v = Violations()
    v.check(bool(re.match(r"^[A-U]([0-9]{2,4})?$", request.industry_code)), "industry_code",
            "must be an ISIC Rev. 4 code, e.g. C26")
    v.check(bool(re.match(r"^[A-Z]{2}-[A-Z0-9]{1,3}$", request.region)), "region",
            "must be an ISO 3166-2 code, e.g. CN-GD")
    v.check(0 <= request.experience_years <= 80, "experience_years", "must be 0..80")
    v.check(len(request.skills) <= 20, "skills", "at most 20 tags")
    v.raise_if_any()
    return PayBandQuery(request.industry_code, request.region, request.experience_years,
                        tuple(request.skills))


def request_id(value: str) -> str:
    v = Violations()
    v.require_uuid(value, "request_id")
    v.raise_if_any()
    return value


def value_model(request: pb.GetValueModelRequest) -> ValueModel:
    """The packaged model of that version (0 = current); NOT_FOUND for others."""
    if request.version == 0:
        return model_files.current_value_model()
    if request.version not in model_files.VALUE_MODEL_VERSIONS:
        raise NotFound("value model version", str(request.version))
    return model_files.value_model(request.version)


def client_listing(request: pb.ListApiClientsRequest) -> ClientListing:
    v = Violations()
    v.require_uuid(request.principal_id, "principal_id")
    size = page_size(request.page, v)
    cursor = _cursor(request, request.page.page_token, v)
    v.raise_if_any()
    after = None if cursor is None else (datetime.fromisoformat(cursor[0]), cursor[1])
    return ClientListing(request.principal_id, request.include_revoked, after, size)


def register_signing_key(request: pb.RegisterSigningPublicKeyRequest) -> RegisterSigningPublicKey:
    """Every bad field at once; the proof is verified once the fields it signs are sound."""
    v = Violations()
    ids_ok = v.require_uuid(request.request_id, "request_id")
    ids_ok = v.require_uuid(request.principal_id, "principal_id") and ids_ok
    key_ok = v.check(len(request.public_key) == keys.PUBLIC_KEY_SIZE, "public_key",
                     "must be a raw Ed25519 public key of exactly 32 bytes")
    proof_ok = v.check(len(request.proof_of_possession) == keys.PROOF_SIZE,
                       contract_keys.PROOF_FIELD, "must be an Ed25519 signature of 64 bytes")
    v.check_text(request.label, "label", length_max=keys.LABEL_LENGTH_MAX)
    if ids_ok and key_ok and proof_ok:
        v.check(contract_keys.proves_possession(
            public_key=request.public_key, proof=request.proof_of_possession,
            principal_id=request.principal_id, request_id=request.request_id),
            contract_keys.PROOF_FIELD, contract_keys.PROOF_INVALID)
    v.raise_if_any()
    return RegisterSigningPublicKey(request.request_id, request.principal_id,
                                    request.public_key, request.proof_of_possession,
                                    request.label.strip())


def revoke_signing_key(request: pb.RevokeSigningPublicKeyRequest) -> RevokeSigningPublicKey:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.principal_id, "principal_id")
    v.check(bool(keys.KEY_ID.match(request.key_id)), "key_id",
            "must be a key id: 32 lowercase hex digits")
    v.check_text(request.reason, "reason", length_max=keys.REASON_LENGTH_MAX)
    v.raise_if_any()
    return RevokeSigningPublicKey(request.request_id, request.principal_id, request.key_id,
                                  request.reason.strip())
