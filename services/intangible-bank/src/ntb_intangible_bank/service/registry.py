"""The registry of intangible assets: registration, reads, legal status, transfers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from ntb_intangible_bank.domain.assets import (
    INITIAL_STATUSES,
    Asset,
    AssetKind,
    Creator,
    Holder,
    LegalStatus,
)
from ntb_intangible_bank.domain.events import (
    AssetLegalStatusChanged,
    AssetRegistered,
    AssetTransferred,
)
from ntb_intangible_bank.domain.gene import GeneEventKind
from ntb_intangible_bank.domain.rights import RightKind
from ntb_intangible_bank.service import gene_map
from ntb_intangible_bank.service.access import locked_asset, require_holder
from ntb_intangible_bank.service.unit_of_work import (
    AssetFilter,
    Clock,
    IntangibleBankUnitOfWork,
    NewUnit,
)
from ntb_intangible_bank.service.valuations import revalue
from ntbkit.auth import ROLE_OPERATOR, Caller
from ntbkit.errors import AlreadyExists, FailedPrecondition, NotFound, PermissionDenied
from ntbkit.storage.idempotency import run_idempotent


@dataclass(frozen=True)
class RegisterAsset:
    request_id: str
    kind: AssetKind
    title: str
    description: str
    jurisdiction: str
    registration_number: str
    classification_codes: tuple[str, ...]
    holders: tuple[Holder, ...]
    creators: tuple[Creator, ...]
    filing_date: date
    grant_date: date | None
    expiry_date: date | None
    legal_status: LegalStatus
    document_sha256s: tuple[str, ...]


@dataclass(frozen=True)
class UpdateLegalStatus:
    request_id: str
    asset_id: str
    legal_status: LegalStatus
    grant_date: date | None
    expiry_date: date | None
    reason: str
    document_sha256s: tuple[str, ...]


@dataclass(frozen=True)
class TransferAsset:
    request_id: str
    asset_id: str
    holders: tuple[Holder, ...]
    reason: str
    document_sha256s: tuple[str, ...]


async def register_asset(new_unit: NewUnit, command: RegisterAsset, caller: Caller,
                         clock: Clock) -> Asset:
    if not any(h.principal_id == caller.subject for h in command.holders) and (
            not caller.acts_for_others):
        raise PermissionDenied("the caller must be one of the holders (or an operator)")
    if command.legal_status not in INITIAL_STATUSES:
        raise FailedPrecondition("INITIAL_STATUS_INVALID",
                                 "an asset is registered PENDING or IN_FORCE")
    if command.legal_status is LegalStatus.IN_FORCE and command.grant_date is None:
        raise FailedPrecondition("GRANT_DATE_MISSING", "an IN_FORCE asset needs a grant date")

    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        if await unit.assets.registration_taken(command.jurisdiction,
                                                command.registration_number):
            raise AlreadyExists(
                f"{command.jurisdiction} {command.registration_number} is already registered",
                reason="REGISTRATION_NUMBER_TAKEN")
        now = clock()
        asset = Asset(
            asset_id=str(uuid.uuid4()), kind=command.kind, title=command.title,
            description=command.description, jurisdiction=command.jurisdiction,
            registration_number=command.registration_number,
            classification_codes=command.classification_codes, holders=command.holders,
            creators=command.creators, filing_date=command.filing_date,
            grant_date=command.grant_date, expiry_date=command.expiry_date,
            legal_status=command.legal_status, document_sha256s=command.document_sha256s,
            created_at=now, updated_at=now)
        await unit.assets.add(asset)
        unit.record(AssetRegistered(asset))
        await gene_map.record(unit, asset.asset_id, GeneEventKind.CREATED,
                              actor_id=caller.subject, subject_id=asset.asset_id,
                              subject=asset, at=now, summary=(
                                  f"registered {asset.kind.value} {asset.jurisdiction} "
                                  f"{asset.registration_number}"))
        return asset.asset_id

    asset_id = await run_idempotent(
        new_unit, operation="RegisterAsset", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_asset(new_unit, asset_id)


async def get_asset(new_unit: NewUnit, asset_id: str) -> Asset:
    """Assets are public records of the registry: any authenticated caller reads them."""
    async with new_unit() as unit:
        asset = await unit.assets.get(asset_id)
    if asset is None:
        raise NotFound("asset", asset_id)
    return asset


async def list_assets(new_unit: NewUnit, where: AssetFilter, offset: int, limit: int
                      ) -> list[Asset]:
    async with new_unit() as unit:
        return await unit.assets.page(where, offset, limit)


async def update_legal_status(new_unit: NewUnit, command: UpdateLegalStatus, caller: Caller,
                              clock: Clock) -> Asset:
    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        asset = await locked_asset(unit, command.asset_id)
        require_holder(asset, caller)
        now = clock()
        before = asset.change_status(command.legal_status, grant_date=command.grant_date,
                                     expiry_date=command.expiry_date, at=now)
        await unit.assets.save(asset)
        unit.record(AssetLegalStatusChanged(asset, before, command.reason))
        await gene_map.record(unit, asset.asset_id, GeneEventKind.LEGAL_STATUS_CHANGED,
                              actor_id=caller.subject, subject_id=asset.asset_id,
                              subject=asset, at=now, summary=(
                                  f"{before.value} -> {asset.legal_status.value}: "
                                  f"{command.reason}"))
        await revalue(unit, asset, actor_id=caller.subject, at=now,
                      trigger="legal_status_changed")
        return asset.asset_id

    asset_id = await run_idempotent(
        new_unit, operation="UpdateLegalStatus", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_asset(new_unit, asset_id)


async def transfer_holders(unit: IntangibleBankUnitOfWork, asset: Asset,
                           holders: tuple[Holder, ...], *, cause: str, actor_id: str,
                           at: datetime) -> None:
    """Change holders (operator transfer, sale, pledge enforcement) with its history."""
    before = asset.transfer(holders, at)
    await unit.assets.save(asset)
    for right in await unit.rights.of_asset(asset.asset_id):
        # A former holder's ownership ends with the transfer.
        if (right.right_kind is RightKind.OWNERSHIP and right.in_force(at)
                and not asset.holds(right.holder_id)):
            right.term_end = at
            await unit.rights.save(right)
    unit.record(AssetTransferred(asset, before, cause))
    await gene_map.record(unit, asset.asset_id, GeneEventKind.TRANSFERRED, actor_id=actor_id,
                          subject_id=asset.asset_id, subject=asset, at=at,
                          summary=f"holders changed ({cause})")


async def transfer_asset(new_unit: NewUnit, command: TransferAsset, caller: Caller,
                         clock: Clock) -> Asset:
    caller.require_role(ROLE_OPERATOR)

    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        asset = await locked_asset(unit, command.asset_id)
        if await unit.loans.holding_pledge(asset.asset_id) is not None:
            raise FailedPrecondition("ASSET_PLEDGED", "a pledged asset cannot be transferred")
        await transfer_holders(unit, asset, command.holders,
                               cause=f"operator:{command.request_id}",
                               actor_id=caller.subject, at=clock())
        return asset.asset_id

    asset_id = await run_idempotent(
        new_unit, operation="TransferAsset", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_asset(new_unit, asset_id)
