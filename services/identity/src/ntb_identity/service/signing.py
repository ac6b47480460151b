"""Rotating the token-signing key (operators only), idempotent by request id."""

from __future__ import annotations

import json
from datetime import datetime

from ntb_identity.adapters.signing_keys import SigningKeyRecord, SigningKeyStore
from ntb_identity.service.unit_of_work import IdentityUnitOfWork, NewUnit
from ntbkit.auth import ROLE_OPERATOR, Caller
from ntbkit.storage.idempotency import run_idempotent

Rotation = tuple[SigningKeyRecord, SigningKeyRecord]


def _encode(rotation: Rotation) -> bytes:
    return json.dumps([
        [r.key_id, r.public_key.hex(), r.not_before.isoformat(),
         None if r.not_after is None else r.not_after.isoformat()] for r in rotation
    ]).encode()


def _decode(stored: bytes) -> Rotation:
    current, retired = (
        SigningKeyRecord(key_id, bytes.fromhex(public), datetime.fromisoformat(not_before),
                         None if not_after is None else datetime.fromisoformat(not_after))
        for key_id, public, not_before, not_after in json.loads(stored)
    )
    return current, retired


async def rotate(new_unit: NewUnit, keys: SigningKeyStore, request_id: str,
                 caller: Caller) -> Rotation:
    caller.require_role(ROLE_OPERATOR)

    async def perform(unit: IdentityUnitOfWork) -> Rotation:
        return await keys.rotate(unit.session)

    rotation = await run_idempotent(
        new_unit, operation="RotateSigningKey", request_id=request_id,
        command={"request_id": request_id}, perform=perform,
        encode=_encode, decode=_decode,
    )
    await keys.ensure_current()
    return rotation
