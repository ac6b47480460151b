"""Contract signing keys: register with proof of possession, list, revoke.

A person (or enterprise) registers the public half of the Ed25519 key it signs
electronic contracts with; matching lists the keys (or follows the events) to verify
those signatures. Registering and revoking are idempotent by request id; a key belongs
to one principal only and a revoked key never comes back.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ntb_identity.domain.commands import RegisterSigningPublicKey, RevokeSigningPublicKey
from ntb_identity.domain.contract_keys import (
    KEYS_PER_PRINCIPAL_MAX,
    OWNER_KINDS,
    PrincipalSigningKey,
    key_id_of,
    possession_message,
)
from ntb_identity.domain.errors import (
    PrincipalNotFound,
    SigningPublicKeyAlreadyRevoked,
    SigningPublicKeyNotFound,
    SigningPublicKeysLimit,
    SigningPublicKeyTaken,
    WrongPrincipalKind,
)
from ntb_identity.domain.events import SigningPublicKeyRegistered, SigningPublicKeyRevoked
from ntb_identity.service.unit_of_work import IdentityUnitOfWork, NewUnit
from ntbkit.auth import ROLE_OPERATOR, Caller
from ntbkit.errors import FieldViolation, InvalidArgument
from ntbkit.storage.idempotency import run_idempotent

ROLE_SERVICE = "service"
PROOF_FIELD = "proof_of_possession"
PROOF_INVALID = ("must be the Ed25519 signature of "
                 "'ntb-contract-key:v1:<principal_id>:<request_id>' by the key's private half")


def proves_possession(*, public_key: bytes, proof: bytes, principal_id: str,
                      request_id: str) -> bool:
    """Whether `proof` is the key's signature of the possession message."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            proof, possession_message(principal_id, request_id))
    except (InvalidSignature, ValueError):
        return False
    return True


def _require_owner_or_operator(caller: Caller, principal_id: str) -> None:
    if caller.subject != principal_id:
        caller.require_role(ROLE_OPERATOR)


def _to_json(key: PrincipalSigningKey) -> bytes:
    return json.dumps({
        "key_id": key.key_id, "principal_id": key.principal_id,
        "public_key": key.public_key.hex(), "label": key.label,
        "registered_at": key.registered_at.isoformat(),
        "revoked_at": None if key.revoked_at is None else key.revoked_at.isoformat(),
        "revocation_reason": key.revocation_reason,
    }).encode()


def _from_json(stored: bytes) -> PrincipalSigningKey:
    data = json.loads(stored)
    revoked_at = data["revoked_at"]
    return PrincipalSigningKey(
        key_id=data["key_id"], principal_id=data["principal_id"],
        public_key=bytes.fromhex(data["public_key"]), label=data["label"],
        registered_at=datetime.fromisoformat(data["registered_at"]),
        revoked_at=None if revoked_at is None else datetime.fromisoformat(revoked_at),
        revocation_reason=data["revocation_reason"],
    )


async def _owner_may_hold_keys(unit: IdentityUnitOfWork, principal_id: str) -> None:
    principal = await unit.principals.get(principal_id)
    if principal is None:
        raise PrincipalNotFound(principal_id)
    if principal.kind not in OWNER_KINDS:
        raise WrongPrincipalKind(principal_id, "PERSON or ENTERPRISE")


async def register_key(
    new_unit: NewUnit, command: RegisterSigningPublicKey, caller: Caller
) -> PrincipalSigningKey:
    """The principal itself or an operator; the proof is checked again here."""
    _require_owner_or_operator(caller, command.principal_id)
    if not proves_possession(public_key=command.public_key, proof=command.proof_of_possession,
                             principal_id=command.principal_id, request_id=command.request_id):
        raise InvalidArgument([FieldViolation(PROOF_FIELD, PROOF_INVALID)])
    key_id = key_id_of(command.public_key)

    async def perform(unit: IdentityUnitOfWork) -> PrincipalSigningKey:
        await _owner_may_hold_keys(unit, command.principal_id)
        existing = await unit.contract_keys.get(key_id)
        if existing is not None:
            if existing.principal_id != command.principal_id:
                raise SigningPublicKeyTaken(key_id)
            if not existing.active:
                raise SigningPublicKeyAlreadyRevoked(key_id)
            return existing  # registered before under another request id: no new event
        if await unit.contract_keys.count(command.principal_id) >= KEYS_PER_PRINCIPAL_MAX:
            raise SigningPublicKeysLimit(command.principal_id, KEYS_PER_PRINCIPAL_MAX)
        key = PrincipalSigningKey(
            key_id=key_id, principal_id=command.principal_id, public_key=command.public_key,
            label=command.label, registered_at=datetime.now(UTC),
        )
        await unit.contract_keys.add(key)
        unit.record(SigningPublicKeyRegistered(key))
        return key

    return await run_idempotent(
        new_unit, operation="RegisterSigningPublicKey", request_id=command.request_id,
        command=command, perform=perform, encode=_to_json, decode=_from_json,
    )


async def revoke_key(
    new_unit: NewUnit, command: RevokeSigningPublicKey, caller: Caller
) -> PrincipalSigningKey:
    """The owner or an operator; a revoked key is returned as it is (first revocation)."""
    _require_owner_or_operator(caller, command.principal_id)

    async def perform(unit: IdentityUnitOfWork) -> PrincipalSigningKey:
        key = await unit.contract_keys.get(command.key_id)
        if key is None or key.principal_id != command.principal_id:
            raise SigningPublicKeyNotFound(command.key_id)
        if not key.active:
            return key
        revoked = key.revoked(datetime.now(UTC), command.reason)
        if not await unit.contract_keys.revoke(revoked):
            twin = await unit.contract_keys.get(command.key_id)  # revoked concurrently
            assert twin is not None and not twin.active
            return twin
        unit.record(SigningPublicKeyRevoked(revoked))
        return revoked

    return await run_idempotent(
        new_unit, operation="RevokeSigningPublicKey", request_id=command.request_id,
        command=command, perform=perform, encode=_to_json, decode=_from_json,
    )


async def list_keys(new_unit: NewUnit, principal_id: str,
                    caller: Caller) -> list[PrincipalSigningKey]:
    """The principal, operators, auditors and services (matching verifies signatures)."""
    if caller.subject != principal_id and not caller.privileged:
        caller.require_role(ROLE_SERVICE)
    async with new_unit() as unit:
        if await unit.principals.get(principal_id) is None:
            raise PrincipalNotFound(principal_id)
        return await unit.contract_keys.of(principal_id, limit=KEYS_PER_PRINCIPAL_MAX)
