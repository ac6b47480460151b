"""The electronic contract of an entrustment: canonical terms, their hash, two signatures.

Follows the proto's `Contract` so anyone can verify a contract offline:

1. ``canonical_terms`` is UTF-8 JSON canonicalised per RFC 8785 (JCS). Our terms hold only
   strings, integers (|n| <= 2**53), booleans, lists and objects with ASCII keys, where
   JCS is exactly ``json.dumps(sort_keys=True, separators=(",", ":"),
   ensure_ascii=False)``; floats are refused. The version is inside the terms:
   ``"kind": "ntb.matching.entrustment-contract.v1"`` (a new version is a new kind).
2. ``terms_sha256 = SHA-256(canonical_terms)``: the message the person signs (Ed25519).
3. The platform countersigns ``terms_sha256 || signer_signature`` (96 bytes).

The platform's 2% fee and the consent to the use of the time are part of the signed
terms (object "platform"). Signing and verifying are behind two small protocols, so this
module stays stdlib only; ``adapters.contract_signer`` implements them with
`cryptography`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from ntb_matching.domain.model import HOURS_MAX, Window

CONTRACT_KIND = "ntb.matching.entrustment-contract.v1"
PLATFORM_NAME = "NTB"
PLATFORM_FEE_RATE = "0.02"
CONSENT_TEXT = (
    "I entrust the hours above to the NTB platform for the period stated, consent to their "
    "use by buyers matched to me at no less than the minimum hourly price, and accept that "
    "the platform retains a fee of 2% of each payment for my work."
)
SHA256_SIZE = 32
SIGNATURE_SIZE = 64
_SAFE_INTEGER = 2**53


class ContractError(ValueError):
    """Terms that cannot be put in a contract."""


@dataclass(frozen=True, slots=True)
class EntrustmentTerms:
    """What the person agrees to: the fields of the proto's canonical terms."""

    contract_id: str
    person_id: str
    hours: Decimal
    availability: Window
    skills: frozenset[str]
    min_hourly_price_asset: str
    min_hourly_price_units: int
    region: str
    created_at: datetime

    def __post_init__(self) -> None:
        if not self.contract_id or not self.person_id:
            raise ContractError("terms need a contract id and a person id")
        if not (self.hours.is_finite() and Decimal(0) < self.hours <= HOURS_MAX):
            raise ContractError(f"hours must be in (0, {HOURS_MAX}]")
        if self.hours != self.hours.quantize(Decimal("0.01")):
            raise ContractError("hours have at most 2 decimal places")
        if not self.skills:
            raise ContractError("terms need at least one skill")
        if not 0 < self.min_hourly_price_units < _SAFE_INTEGER:
            raise ContractError("the minimum hourly price must be > 0")
        if self.created_at.tzinfo is None:
            raise ContractError("created_at must be timezone-aware")

    def document(self) -> dict[str, object]:
        """The terms as the JSON object that gets canonicalised."""
        return {
            "contract_id": self.contract_id,
            "kind": CONTRACT_KIND,
            "person_id": self.person_id,
            "hours": _decimal_text(self.hours),
            "availability_start": rfc3339_utc(self.availability.start),
            "availability_end": rfc3339_utc(self.availability.end),
            "skills": sorted(self.skills),
            "min_hourly_price": {
                "asset": self.min_hourly_price_asset,
                "units": self.min_hourly_price_units,
            },
            "region": self.region,
            "platform": {
                "name": PLATFORM_NAME,
                "fee_rate": PLATFORM_FEE_RATE,
                "consent": CONSENT_TEXT,
            },
            "created_at": rfc3339_utc(self.created_at),
        }


def _decimal_text(value: Decimal) -> str:
    """Plain notation without exponent or trailing zeros: "720", "1.5"."""
    return format(value.normalize(), "f")


def rfc3339_utc(moment: datetime) -> str:
    """RFC 3339 in UTC with a "Z", microseconds only when present."""
    utc = moment.astimezone(UTC)
    pattern = "%Y-%m-%dT%H:%M:%S.%fZ" if utc.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return utc.strftime(pattern)


def _check_json(value: object) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if abs(value) > _SAFE_INTEGER:
            raise ContractError("integers in terms must be within +-2**53 (JCS)")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise ContractError("keys in terms must be ASCII strings")
            _check_json(item)
        return
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        for item in value:
            _check_json(item)
        return
    raise ContractError(f"terms cannot hold a {type(value).__name__} (no floats)")


def canonical_json(document: Mapping[str, object]) -> bytes:
    """RFC 8785 bytes of a document limited to strings, safe integers, lists, objects."""
    _check_json(document)
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def canonical_terms(terms: EntrustmentTerms) -> bytes:
    return canonical_json(terms.document())


def terms_sha256(canonical: bytes) -> bytes:
    return hashlib.sha256(canonical).digest()


def countersign_message(terms_hash: bytes, signer_signature: bytes) -> bytes:
    """What the platform signs: the terms' hash followed by the person's signature."""
    if len(terms_hash) != SHA256_SIZE or len(signer_signature) != SIGNATURE_SIZE:
        raise ContractError("a countersignature covers a 32-byte hash and a 64-byte signature")
    return terms_hash + signer_signature


class ContractSigner(Protocol):
    """An Ed25519 private key (the person's in tests and tools, the platform's in prod)."""

    @property
    def public_key(self) -> bytes: ...  # 32 bytes

    def sign(self, message: bytes) -> bytes: ...  # 64 bytes


class SignatureVerifier(Protocol):
    """Ed25519 verification; False for any bad key, signature or message."""

    def verify(self, *, public_key: bytes, message: bytes, signature: bytes) -> bool: ...


@dataclass(frozen=True, slots=True)
class SignedContract:
    canonical_terms: bytes
    terms_sha256: bytes
    signer_signature: bytes
    platform_signature: bytes


@dataclass(frozen=True, slots=True)
class ContractVerification:
    """The three checks of the proto's VerifyContractResponse."""

    terms_hash_valid: bool
    signer_signature_valid: bool
    platform_signature_valid: bool

    @property
    def valid(self) -> bool:
        return self.terms_hash_valid and self.signer_signature_valid and (
            self.platform_signature_valid
        )


def sign_as_person(canonical: bytes, signer: ContractSigner) -> bytes:
    """The person's signature over SHA-256 of the canonical terms."""
    return signer.sign(terms_sha256(canonical))


def countersign(
    canonical: bytes,
    signer_signature: bytes,
    *,
    signer_public_key: bytes,
    platform: ContractSigner,
    verifier: SignatureVerifier,
) -> SignedContract:
    """The platform countersigns, but only a valid signature of the person."""
    digest = terms_sha256(canonical)
    if not verifier.verify(public_key=signer_public_key, message=digest,
                           signature=signer_signature):
        raise ContractError("the person's signature does not verify")
    platform_signature = platform.sign(countersign_message(digest, signer_signature))
    return SignedContract(canonical, digest, signer_signature, platform_signature)


def verify_contract(
    contract: SignedContract,
    *,
    signer_public_key: bytes,
    platform_public_key: bytes,
    verifier: SignatureVerifier,
) -> ContractVerification:
    """Checks a contract as anyone can, offline, from the two public keys."""
    hash_valid = terms_sha256(contract.canonical_terms) == contract.terms_sha256
    signer_valid = hash_valid and verifier.verify(
        public_key=signer_public_key,
        message=contract.terms_sha256,
        signature=contract.signer_signature,
    )
    platform_valid = (
        hash_valid
        and len(contract.signer_signature) == SIGNATURE_SIZE
        and verifier.verify(
            public_key=platform_public_key,
            message=countersign_message(contract.terms_sha256, contract.signer_signature),
            signature=contract.platform_signature,
        )
    )
    return ContractVerification(hash_valid, signer_valid, platform_valid)
