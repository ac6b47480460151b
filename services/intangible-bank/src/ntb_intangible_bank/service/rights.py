"""Rights confirmation: a holder submits one of the four rights with evidence; an
examiner (operator) examines it and confirms or rejects it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from ntb_intangible_bank.domain.assets import LegalStatus
from ntb_intangible_bank.domain.events import RightsDecided
from ntb_intangible_bank.domain.gene import GeneEventKind
from ntb_intangible_bank.domain.rights import (
    ConfirmationStatus,
    RightKind,
    RightsConfirmation,
    check_exclusivity,
)
from ntb_intangible_bank.service import gene_map
from ntb_intangible_bank.service.access import locked_asset, require_holder
from ntb_intangible_bank.service.unit_of_work import Clock, IntangibleBankUnitOfWork, NewUnit
from ntbkit.auth import ROLE_OPERATOR, Caller
from ntbkit.errors import FailedPrecondition, NotFound
from ntbkit.storage.idempotency import run_idempotent

_DEAD = frozenset({LegalStatus.EXPIRED, LegalStatus.INVALIDATED})


@dataclass(frozen=True)
class SubmitRights:
    request_id: str
    asset_id: str
    right_kind: RightKind
    holder_id: str
    scope: str
    territories: tuple[str, ...]
    term_start: datetime | None
    term_end: datetime | None
    evidence_sha256s: tuple[str, ...]
    exclusive: bool


@dataclass(frozen=True)
class ExamineRights:
    request_id: str
    confirmation_id: str
    notes: str


@dataclass(frozen=True)
class DecideRights:
    request_id: str
    confirmation_id: str
    confirm: bool
    reason: str


async def submit(new_unit: NewUnit, command: SubmitRights, caller: Caller, clock: Clock
                 ) -> RightsConfirmation:
    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        asset = await locked_asset(unit, command.asset_id)
        require_holder(asset, caller)
        now = clock()
        if asset.legal_status in _DEAD:
            raise FailedPrecondition("ASSET_NOT_PROTECTED",
                                     f"the asset is {asset.legal_status.value}")
        if command.right_kind is RightKind.OWNERSHIP and not asset.holds(command.holder_id):
            raise FailedPrecondition("OWNERSHIP_HOLDER_NOT_A_HOLDER",
                                     "ownership can only be confirmed to a holder of the asset")
        start = command.term_start or now
        expiry = (None if asset.expiry_date is None else
                  datetime.combine(asset.expiry_date, datetime.min.time(), tzinfo=now.tzinfo))
        if expiry is not None and (start >= expiry or (command.term_end or expiry) > expiry):
            raise FailedPrecondition("TERM_OUTSIDE_PROTECTION",
                                     "the right's term must lie inside the asset's protection")
        if command.exclusive and command.right_kind is not RightKind.OWNERSHIP and (
                await unit.loans.holding_pledge(asset.asset_id) is not None):
            raise FailedPrecondition("ASSET_PLEDGED", "no exclusive right may be granted on "
                                     "a pledged asset")
        confirmation = RightsConfirmation(
            confirmation_id=str(uuid.uuid4()), asset_id=asset.asset_id,
            right_kind=command.right_kind, holder_id=command.holder_id, scope=command.scope,
            territories=command.territories, term_start=start, term_end=command.term_end,
            evidence_sha256s=command.evidence_sha256s, exclusive=command.exclusive,
            status=ConfirmationStatus.SUBMITTED, submitted_at=now)
        check_exclusivity(confirmation, await unit.rights.of_asset(asset.asset_id), now)
        await unit.rights.add(confirmation)
        await gene_map.record(unit, asset.asset_id, GeneEventKind.RIGHTS_SUBMITTED,
                              actor_id=caller.subject, subject_id=confirmation.confirmation_id,
                              subject=confirmation, at=now, summary=(
                                  f"{confirmation.right_kind.value} right of "
                                  f"{confirmation.holder_id} submitted"))
        return confirmation.confirmation_id

    confirmation_id = await run_idempotent(
        new_unit, operation="SubmitRightsConfirmation", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await get(new_unit, confirmation_id, caller)


async def examine(new_unit: NewUnit, command: ExamineRights, caller: Caller, clock: Clock
                  ) -> RightsConfirmation:
    caller.require_role(ROLE_OPERATOR)

    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        confirmation = await _confirmation(unit, command.confirmation_id)
        await locked_asset(unit, confirmation.asset_id)
        confirmation.examine(examiner_id=caller.subject, notes=command.notes, at=clock())
        await unit.rights.save(confirmation)
        return confirmation.confirmation_id

    confirmation_id = await run_idempotent(
        new_unit, operation="ExamineRightsConfirmation", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await get(new_unit, confirmation_id, caller)


async def decide(new_unit: NewUnit, command: DecideRights, caller: Caller, clock: Clock
                 ) -> RightsConfirmation:
    caller.require_role(ROLE_OPERATOR)

    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        confirmation = await _confirmation(unit, command.confirmation_id)
        asset = await locked_asset(unit, confirmation.asset_id)
        now = clock()
        if command.confirm:
            # Another right may have been confirmed since this one was submitted.
            check_exclusivity(confirmation, await unit.rights.of_asset(asset.asset_id), now)
        confirmation.decide(confirm=command.confirm, examiner_id=caller.subject,
                            reason=command.reason, at=now)
        await unit.rights.save(confirmation)
        unit.record(RightsDecided(confirmation))
        kind = (GeneEventKind.RIGHTS_CONFIRMED if command.confirm
                else GeneEventKind.RIGHTS_REJECTED)
        await gene_map.record(unit, asset.asset_id, kind, actor_id=caller.subject,
                              subject_id=confirmation.confirmation_id, subject=confirmation,
                              at=now, summary=(f"{confirmation.right_kind.value} right of "
                                               f"{confirmation.holder_id} "
                                               f"{confirmation.status.value.lower()}"))
        return confirmation.confirmation_id

    confirmation_id = await run_idempotent(
        new_unit, operation="DecideRightsConfirmation", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await get(new_unit, confirmation_id, caller)


async def _confirmation(unit: IntangibleBankUnitOfWork, confirmation_id: str
                        ) -> RightsConfirmation:
    confirmation = await unit.rights.get(confirmation_id)
    if confirmation is None:
        raise NotFound("rights confirmation", confirmation_id)
    return confirmation


async def get(new_unit: NewUnit, confirmation_id: str, caller: Caller) -> RightsConfirmation:
    async with new_unit() as unit:
        return await _confirmation(unit, confirmation_id)


async def list_for_asset(new_unit: NewUnit, asset_id: str, status: ConfirmationStatus | None,
                         kind: RightKind | None, now: datetime) -> list[RightsConfirmation]:
    async with new_unit() as unit:
        if await unit.assets.get(asset_id) is None:
            raise NotFound("asset", asset_id)
        found = await unit.rights.of_asset(asset_id)
    return [c for c in found if (status is None or c.status_at(now) is status)
            and (kind is None or c.right_kind is kind)]
