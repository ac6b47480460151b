"""Use cases on principals: profiles, KYC, search, and the waves they start."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from ntb_identity.domain.commands import (
    PrincipalSearch,
    SetKycStatus,
    UpdateEnterpriseProfile,
    UpdatePersonProfile,
)
from ntb_identity.domain.errors import (
    KycTransitionNotAllowed,
    PrincipalNotFound,
    VersionMismatch,
    WrongPrincipalKind,
)
from ntb_identity.domain.events import (
    EnterpriseProfileUpdated,
    KycStatusChanged,
    PersonProfileUpdated,
)
from ntb_identity.domain.model import KYC_TRANSITIONS, KycStatus, Principal, PrincipalKind
from ntb_identity.domain.snapshots import principal_from_bytes, principal_to_bytes
from ntb_identity.domain.waves import WaveCause
from ntb_identity.service import ratings, waves
from ntb_identity.service.unit_of_work import IdentityUnitOfWork, NewUnit
from ntbkit.auth import ROLE_OPERATOR, Caller
from ntbkit.storage.idempotency import run_idempotent

PUBLIC_KINDS = frozenset({PrincipalKind.ENTERPRISE, PrincipalKind.FINANCIAL_INSTITUTION})


async def start_waves(unit: IdentityUnitOfWork, principal: Principal, ref: str) -> None:
    """First points at registration: value for persons, credit for persons and enterprises."""
    now = principal.created_at
    if principal.kind is PrincipalKind.PERSON:
        await waves.recompute_value(unit, principal, cause=WaveCause.REGISTERED,
                                    cause_ref=ref, now=now)
    if principal.kind is not PrincipalKind.OPERATOR:
        await waves.recompute_credit(unit, principal, cause=WaveCause.REGISTERED,
                                     cause_ref=ref, now=now)
    if principal.enterprise is not None:
        await ratings.record_if_changed(unit, principal, None, now)


async def _existing(unit: IdentityUnitOfWork, principal_id: str) -> Principal:
    principal = await unit.principals.get(principal_id)
    if principal is None:
        raise PrincipalNotFound(principal_id)
    return principal


async def _idempotent(
    new_unit: NewUnit, operation: str, command: object, request_id: str,
    perform: Callable[[IdentityUnitOfWork], Awaitable[Principal]],
) -> Principal:
    return await run_idempotent(
        new_unit, operation=operation, request_id=request_id, command=command,
        perform=perform, encode=principal_to_bytes, decode=principal_from_bytes,
    )


async def update_person_profile(
    new_unit: NewUnit, command: UpdatePersonProfile, caller: Caller
) -> Principal:
    caller.require_may_act_for(command.principal_id)
    if caller.subject != command.principal_id:
        caller.require_role(ROLE_OPERATOR)  # auditors read, never write

    async def perform(unit: IdentityUnitOfWork) -> Principal:
        principal = await _existing(unit, command.principal_id)
        if principal.person is None:
            raise WrongPrincipalKind(principal.principal_id, "PERSON")
        if command.expected_version and command.expected_version != principal.version:
            raise VersionMismatch(command.expected_version, principal.version)
        now = datetime.now(UTC)
        principal.person = command.person
        principal.changed(now)
        await unit.principals.update(principal)
        unit.record(PersonProfileUpdated(principal.principal_id, command.person,
                                         principal.version, now))
        await waves.recompute_value(unit, principal, cause=WaveCause.PROFILE_UPDATED,
                                    cause_ref=command.request_id, now=now)
        return principal

    return await _idempotent(new_unit, "UpdatePersonProfile", command, command.request_id,
                             perform)


async def update_enterprise_profile(
    new_unit: NewUnit, command: UpdateEnterpriseProfile, caller: Caller
) -> Principal:
    caller.require_may_act_for(command.principal_id)
    if caller.subject != command.principal_id:
        caller.require_role(ROLE_OPERATOR)

    async def perform(unit: IdentityUnitOfWork) -> Principal:
        principal = await _existing(unit, command.principal_id)
        if principal.enterprise is None:
            raise WrongPrincipalKind(principal.principal_id, "ENTERPRISE")
        if command.expected_version and command.expected_version != principal.version:
            raise VersionMismatch(command.expected_version, principal.version)
        now = datetime.now(UTC)
        before = await ratings.current_rating(unit, principal, now)
        principal.enterprise = command.enterprise
        principal.changed(now)
        await unit.principals.update(principal)
        unit.record(EnterpriseProfileUpdated(principal.principal_id, command.enterprise,
                                             principal.version, now))
        await ratings.record_if_changed(unit, principal, before.rating, now)
        return principal

    return await _idempotent(new_unit, "UpdateEnterpriseProfile", command, command.request_id,
                             perform)


async def set_kyc_status(new_unit: NewUnit, command: SetKycStatus, caller: Caller) -> Principal:
    caller.require_role(ROLE_OPERATOR)

    async def perform(unit: IdentityUnitOfWork) -> Principal:
        principal = await _existing(unit, command.principal_id)
        before = principal.kyc_status
        if command.kyc_status not in KYC_TRANSITIONS[before]:
            raise KycTransitionNotAllowed(before.value, command.kyc_status.value)
        now = datetime.now(UTC)
        principal.kyc_status = command.kyc_status
        principal.changed(now)
        await unit.principals.update(principal)
        unit.record(KycStatusChanged(principal.principal_id, command.kyc_status, before,
                                     command.reason, now, command.evidence, caller.subject))
        return principal

    return await _idempotent(new_unit, "SetKycStatus", command, command.request_id, perform)


async def search_principals(
    new_unit: NewUnit, search: PrincipalSearch, caller: Caller
) -> tuple[list[Principal], bool]:
    """A page of principals and whether more follow. Non-privileged callers see only
    KYC-verified enterprises and financial institutions."""
    if not caller.privileged:
        kinds = (search.kinds or PUBLIC_KINDS) & PUBLIC_KINDS
        wanted_status = search.kyc_status
        if wanted_status not in (None, KycStatus.VERIFIED) or not kinds:
            return [], False
        search = PrincipalSearch(
            query=search.query, kinds=kinds, country_code=search.country_code,
            region=search.region, industry_code=search.industry_code,
            kyc_status=KycStatus.VERIFIED, skills=search.skills,
            page_size=search.page_size, after=search.after,
        )
    async with new_unit() as unit:
        found = await unit.principals.search(search)
    return found[: search.page_size], len(found) > search.page_size
