"""The entrustment contract: canonical terms, hash, signature and countersignature.

Proves with real Ed25519 keys (the `cryptography` adapter) that the canonical terms are
deterministic RFC 8785 bytes carrying the version, the 2% fee and the consent text; that
a contract signed by the person and countersigned by the platform verifies offline from
the two public keys; and that changing any single byte of the terms, using another
person's key, or countersigning a different signature each make verification fail.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ntb_matching.adapters.contract_signer import Ed25519ContractSigner, Ed25519SignatureVerifier
from ntb_matching.domain.contract import (
    CONSENT_TEXT,
    CONTRACT_KIND,
    ContractError,
    EntrustmentTerms,
    SignedContract,
    canonical_json,
    canonical_terms,
    countersign,
    sign_as_person,
    terms_sha256,
    verify_contract,
)
from ntb_matching.domain.model import Window

VERIFIER = Ed25519SignatureVerifier()
T0 = datetime(2027, 1, 1, tzinfo=UTC)


def terms(**changes: object) -> EntrustmentTerms:
    values: dict[str, object] = {
        "contract_id": "0b7f3c5e-8a51-4c7e-9a52-0d8a1f7c2b10",
        "person_id": "5d1e6f2a-3b4c-4d5e-8f60-718293a4b5c6",
        "hours": Decimal("720.00"),
        "availability": Window(T0, T0 + timedelta(days=90)),
        "skills": frozenset({"welding", "cad-drafting"}),
        "min_hourly_price_asset": "CNY",
        "min_hourly_price_units": 8_000,
        "region": "CN-GD",
        "created_at": datetime(2026, 12, 1, 8, 0, tzinfo=timezone(timedelta(hours=8))),
    }
    values.update(changes)
    return EntrustmentTerms(**values)  # type: ignore[arg-type]


def signed(
    person: Ed25519ContractSigner, platform: Ed25519ContractSigner, canonical: bytes
) -> SignedContract:
    signature = sign_as_person(canonical, person)
    return countersign(
        canonical, signature, signer_public_key=person.public_key, platform=platform,
        verifier=VERIFIER,
    )


def test_canonical_terms_are_sorted_compact_json_with_version_fee_and_consent() -> None:
    canonical = canonical_terms(terms())
    assert canonical == canonical_terms(terms(skills=frozenset({"cad-drafting", "welding"})))
    document = json.loads(canonical)
    assert list(document) == sorted(document)
    assert b" " not in canonical.replace(CONSENT_TEXT.encode(), b"")
    assert document["kind"] == CONTRACT_KIND
    assert document["hours"] == "720"
    assert document["skills"] == ["cad-drafting", "welding"]
    assert document["min_hourly_price"] == {"asset": "CNY", "units": 8000}
    assert document["availability_start"] == "2027-01-01T00:00:00Z"
    assert document["created_at"] == "2026-12-01T00:00:00Z"
    assert document["platform"] == {"name": "NTB", "fee_rate": "0.02", "consent": CONSENT_TEXT}
    assert canonical.startswith(b'{"availability_end":"2027-04-01T00:00:00Z",')


def test_canonical_json_refuses_floats_and_unsafe_integers() -> None:
    with pytest.raises(ContractError, match="float"):
        canonical_json({"a": 0.5})
    with pytest.raises(ContractError, match="2\\*\\*53"):
        canonical_json({"a": 2**60})
    assert canonical_json({"b": "é\n", "a": [1, True, None]}) == (
        '{"a":[1,true,null],"b":"é\\n"}'.encode()
    )


def test_a_signed_and_countersigned_contract_verifies() -> None:
    person, platform = Ed25519ContractSigner.generate(), Ed25519ContractSigner.generate()
    contract = signed(person, platform, canonical_terms(terms()))
    assert contract.terms_sha256 == terms_sha256(contract.canonical_terms)
    assert len(contract.signer_signature) == len(contract.platform_signature) == 64
    result = verify_contract(
        contract, signer_public_key=person.public_key, platform_public_key=platform.public_key,
        verifier=VERIFIER,
    )
    assert result.valid


def test_changing_any_single_byte_of_the_terms_fails() -> None:
    person, platform = Ed25519ContractSigner.generate(), Ed25519ContractSigner.generate()
    contract = signed(person, platform, canonical_terms(terms()))
    for position in range(0, len(contract.canonical_terms), 7):
        tampered = bytearray(contract.canonical_terms)
        tampered[position] ^= 0x01
        forged = SignedContract(
            bytes(tampered), contract.terms_sha256, contract.signer_signature,
            contract.platform_signature,
        )
        result = verify_contract(
            forged, signer_public_key=person.public_key,
            platform_public_key=platform.public_key, verifier=VERIFIER,
        )
        assert not result.terms_hash_valid and not result.valid
        rehashed = SignedContract(
            forged.canonical_terms, terms_sha256(forged.canonical_terms),
            contract.signer_signature, contract.platform_signature,
        )
        result = verify_contract(
            rehashed, signer_public_key=person.public_key,
            platform_public_key=platform.public_key, verifier=VERIFIER,
        )
        assert result.terms_hash_valid
        assert not result.signer_signature_valid and not result.platform_signature_valid


def test_a_signature_by_another_key_fails() -> None:
    person, platform = Ed25519ContractSigner.generate(), Ed25519ContractSigner.generate()
    impostor = Ed25519ContractSigner.generate()
    canonical = canonical_terms(terms())
    with pytest.raises(ContractError, match="does not verify"):
        countersign(
            canonical, sign_as_person(canonical, impostor),
            signer_public_key=person.public_key, platform=platform, verifier=VERIFIER,
        )
    contract = signed(person, platform, canonical)
    as_impostor = verify_contract(
        contract, signer_public_key=impostor.public_key,
        platform_public_key=platform.public_key, verifier=VERIFIER,
    )
    assert as_impostor.terms_hash_valid and not as_impostor.signer_signature_valid
    wrong_platform = verify_contract(
        contract, signer_public_key=person.public_key,
        platform_public_key=impostor.public_key, verifier=VERIFIER,
    )
    assert wrong_platform.signer_signature_valid and not wrong_platform.platform_signature_valid


def test_a_countersignature_from_another_contract_fails() -> None:
    person, platform = Ed25519ContractSigner.generate(), Ed25519ContractSigner.generate()
    first = signed(person, platform, canonical_terms(terms()))
    second = signed(person, platform, canonical_terms(terms(hours=Decimal(10))))
    spliced = SignedContract(
        first.canonical_terms, first.terms_sha256, first.signer_signature,
        second.platform_signature,
    )
    result = verify_contract(
        spliced, signer_public_key=person.public_key, platform_public_key=platform.public_key,
        verifier=VERIFIER,
    )
    assert result.signer_signature_valid and not result.platform_signature_valid


def test_invalid_terms_are_refused() -> None:
    with pytest.raises(ContractError, match="2 decimal places"):
        terms(hours=Decimal("1.005"))
    with pytest.raises(ContractError, match="skill"):
        terms(skills=frozenset())
    with pytest.raises(ValueError, match="32 bytes"):
        Ed25519ContractSigner.from_seed(b"short")
    assert not VERIFIER.verify(public_key=b"x", message=b"m", signature=bytes(64))
