"""Entrusting labor (paper 3.3 step 1): terms, the person's signature, the platform's
countersignature, and the hours joining the supply that backs Labor Coin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ntb_matching.domain import contract
from ntb_matching.domain.entrustment import (
    Entrustment,
    EntrustmentStatus,
    LaborEntrusted,
)
from ntb_matching.domain.model import Window
from ntb_matching.service.unit_of_work import MatchingUnitOfWork, NewUnit
from ntbkit.auth import Caller
from ntbkit.errors import FailedPrecondition, NotFound
from ntbkit.storage.idempotency import run_idempotent


@dataclass(frozen=True)
class EntrustLabor:
    request_id: str
    person_id: str
    hours: Decimal
    availability: Window
    skills: tuple[str, ...]
    min_price_units: int
    region: str
    remote_ok: bool
    note: str


@dataclass(frozen=True)
class SignEntrustment:
    request_id: str
    entrustment_id: str
    signer_key_id: str
    signer_signature: bytes


async def entrust_labor(new_unit: NewUnit, command: EntrustLabor, caller: Caller) -> Entrustment:
    caller.require_may_act_for(command.person_id)

    async def perform(unit: MatchingUnitOfWork) -> str:
        person = await unit.persons.get(command.person_id)
        if person is None:
            raise NotFound("person", command.person_id)
        if person.kind != "PERSON":
            raise FailedPrecondition("NOT_A_PERSON", "only persons entrust labor")
        if person.kyc_status != "VERIFIED":
            raise FailedPrecondition("KYC_NOT_VERIFIED", "the person's KYC is not verified")
        now = datetime.now(UTC)
        contract_id = str(uuid.uuid4())
        terms = contract.EntrustmentTerms(
            contract_id=contract_id, person_id=person.person_id, hours=command.hours,
            availability=command.availability, skills=frozenset(command.skills),
            min_hourly_price_asset="CNY", min_hourly_price_units=command.min_price_units,
            region=command.region or person.region, created_at=now)
        canonical = contract.canonical_terms(terms)
        entrustment = Entrustment(
            entrustment_id=str(uuid.uuid4()), person_id=person.person_id,
            status=EntrustmentStatus.AWAITING_SIGNATURE, hours=command.hours,
            available_hours=command.hours, availability=command.availability,
            skills=tuple(sorted(command.skills)), min_price_asset="CNY",
            min_price_units=command.min_price_units, region=terms.region,
            remote_ok=command.remote_ok, note=command.note, contract_id=contract_id,
            canonical_terms=canonical, terms_sha256=contract.terms_sha256(canonical),
            created_at=now)
        await unit.entrustments.add(entrustment)
        return entrustment.entrustment_id

    entrustment_id = await run_idempotent(
        new_unit, operation="EntrustLabor", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_entrustment(new_unit, entrustment_id, caller)


async def sign_entrustment(
    new_unit: NewUnit, command: SignEntrustment, caller: Caller, *,
    platform: contract.ContractSigner, verifier: contract.SignatureVerifier,
) -> Entrustment:
    """The person's signature must verify under their registered, unrevoked key; then the
    platform countersigns and the hours go on the market (labor.entrusted)."""

    async def perform(unit: MatchingUnitOfWork) -> str:
        entrustment = await unit.entrustments.get(command.entrustment_id, for_update=True)
        if entrustment is None:
            raise NotFound("entrustment", command.entrustment_id)
        caller.require_may_act_for(entrustment.person_id)
        key = await unit.persons.key(entrustment.person_id, command.signer_key_id)
        if key is None or key[1] is not None:
            raise FailedPrecondition("SIGNING_KEY_UNKNOWN", "no such unrevoked key of the "
                                     "person is registered with identity (yet)")
        try:
            signed = contract.countersign(
                entrustment.canonical_terms, command.signer_signature, signer_public_key=key[0],
                platform=platform, verifier=verifier)
        except contract.ContractError as error:
            raise FailedPrecondition("SIGNATURE_INVALID", str(error)) from error
        entrustment.activate(key_id=command.signer_key_id,
                             signer_signature=signed.signer_signature,
                             platform_signature=signed.platform_signature, at=datetime.now(UTC))
        await unit.entrustments.save(entrustment)
        unit.record(LaborEntrusted(entrustment))
        return entrustment.entrustment_id

    entrustment_id = await run_idempotent(
        new_unit, operation="SignEntrustment", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_entrustment(new_unit, entrustment_id, caller)


async def get_entrustment(new_unit: NewUnit, entrustment_id: str, caller: Caller) -> Entrustment:
    async with new_unit() as unit:
        entrustment = await unit.entrustments.get(entrustment_id)
    if entrustment is None:
        raise NotFound("entrustment", entrustment_id)
    caller.require_access_to(entrustment.person_id)
    return entrustment
