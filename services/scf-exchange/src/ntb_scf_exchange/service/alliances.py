"""Alliances (GSFU), sub-alliances by chain type, members with roles, membership
applications and their review, and the trade-relationship graph."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from ntb_scf_exchange.domain.alliances import (
    Alliance,
    Application,
    ApplicationStatus,
    ChainType,
    Member,
    Role,
    Scope,
    check_sub_alliance,
    may_review,
)
from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.domain.payables import PayableStatus
from ntb_scf_exchange.service.common import new_id, once
from ntb_scf_exchange.service.ports import Directory
from ntb_scf_exchange.service.unit_of_work import Clock, NewUnit, ScfUnitOfWork
from ntbkit.auth import Caller
from ntbkit.errors import FailedPrecondition, NotFound, PermissionDenied


@dataclass(frozen=True)
class CreateAlliance:
    request_id: str
    name: str
    scope: Scope
    chain_type: ChainType
    parent_alliance_id: str
    countries: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class SetMember:
    request_id: str
    alliance_id: str
    member_id: str
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class Apply:
    request_id: str
    alliance_id: str
    applicant_id: str
    roles: tuple[Role, ...]
    motivation: str


@dataclass(frozen=True)
class Review:
    request_id: str
    application_id: str
    approve: bool
    note: str


ORGANISATIONS = ("ENTERPRISE", "FINANCIAL_INSTITUTION")


async def check_member(directory: Directory, member_id: str, roles: tuple[Role, ...]) -> None:
    """Members are KYC-verified enterprises or financial institutions (identity's word);
    only financial institutions fund."""
    info = await directory.principal(member_id)
    if info is None:
        raise FailedPrecondition("PRINCIPAL_UNKNOWN", f"identity has no principal {member_id}")
    if info.kind not in ORGANISATIONS:
        raise FailedPrecondition("NOT_AN_ORGANISATION",
                                 "members are enterprises or financial institutions")
    if not info.kyc_verified:
        raise FailedPrecondition("KYC_NOT_VERIFIED", "the principal's KYC is not verified")
    if Role.FUNDER in roles and info.kind != "FINANCIAL_INSTITUTION":
        raise FailedPrecondition("FUNDER_NOT_FINANCIAL_INSTITUTION",
                                 "only financial institutions take the FUNDER role")


async def alliance_of(unit: ScfUnitOfWork, alliance_id: str) -> Alliance:
    found = await unit.alliances.get(alliance_id)
    if found is None:
        raise NotFound("alliance", alliance_id)
    return found


async def _require_admin(unit: ScfUnitOfWork, alliance: Alliance, caller: Caller) -> None:
    """The creator, a core enterprise member, or an operator runs an alliance."""
    if caller.acts_for_others:
        return
    member = await unit.members.get(alliance.alliance_id, caller.subject)
    if not may_review(alliance, member, caller.subject):
        raise PermissionDenied("only the alliance's creator or core enterprises may do this")


async def create_alliance(new_unit: NewUnit, command: CreateAlliance, caller: Caller,
                          clock: Clock) -> Alliance:
    async def perform(unit: ScfUnitOfWork) -> str:
        parent = None
        if command.parent_alliance_id:
            parent = await alliance_of(unit, command.parent_alliance_id)
            if not caller.acts_for_others and await unit.members.get(
                    parent.alliance_id, caller.subject) is None:
                raise PermissionDenied("only members of the parent create sub-alliances")
        check_sub_alliance(parent, scope=command.scope, countries=command.countries)
        siblings = await unit.alliances.find({"parent_alliance_id": command.parent_alliance_id,
                                              "name": command.name})
        if siblings:
            raise FailedPrecondition("ALLIANCE_NAME_TAKEN", "a sibling alliance has this name")
        alliance = Alliance(alliance_id=new_id(), name=command.name, scope=command.scope,
                            chain_type=command.chain_type,
                            parent_alliance_id=command.parent_alliance_id,
                            countries=command.countries, description=command.description,
                            created_by=caller.subject, created_at=clock())
        await unit.alliances.add(alliance)
        return alliance.alliance_id

    alliance_id = await once(new_unit, "CreateAlliance", command.request_id, command, perform)
    return await get_alliance(new_unit, alliance_id)


async def get_alliance(new_unit: NewUnit, alliance_id: str) -> Alliance:
    async with new_unit() as unit:
        return await alliance_of(unit, alliance_id)


async def list_alliances(new_unit: NewUnit, *, scope: Scope | None, chain_type: ChainType | None,
                         parent_alliance_id: str, member_id: str, offset: int, limit: int
                         ) -> list[Alliance]:
    async with new_unit() as unit:
        where: dict[str, object] = {}
        if parent_alliance_id:
            where["parent_alliance_id"] = parent_alliance_id
        if member_id:
            ids = [m.alliance_id for m in await unit.members.find({"member_id": member_id})]
            where["alliance_id"] = ids
        found = await unit.alliances.find(where, order=("name", "alliance_id"))
    matching = [a for a in found if (scope is None or a.scope is scope)
                and (chain_type is None or a.chain_type is chain_type)]
    return matching[offset:offset + limit]


async def _set_member(unit: ScfUnitOfWork, alliance: Alliance, member_id: str,
                      roles: tuple[Role, ...], clock: Clock) -> Member:
    existing = await unit.members.get(alliance.alliance_id, member_id)
    if existing is not None:
        member = replace(existing, roles=roles)
        await unit.members.save(member)
        return member
    member = Member(alliance.alliance_id, member_id, roles, clock())
    await unit.members.add(member)
    await unit.alliances.save(replace(alliance, members_count=alliance.members_count + 1))
    return member


async def add_member(new_unit: NewUnit, directory: Directory, command: SetMember,
                     caller: Caller, clock: Clock) -> Member:
    await check_member(directory, command.member_id, command.roles)

    async def perform(unit: ScfUnitOfWork) -> str:
        alliance = await alliance_of(unit, command.alliance_id)
        await _require_admin(unit, alliance, caller)
        await _set_member(unit, alliance, command.member_id, command.roles, clock)
        return command.member_id

    await once(new_unit, "AddAllianceMember", command.request_id, command, perform)
    async with new_unit() as unit:
        found = await unit.members.get(command.alliance_id, command.member_id)
    if found is None:
        raise NotFound("member", command.member_id)
    return found


async def remove_member(new_unit: NewUnit, *, request_id: str, alliance_id: str, member_id: str,
                        caller: Caller) -> Alliance:
    async def perform(unit: ScfUnitOfWork) -> str:
        alliance = await alliance_of(unit, alliance_id)
        if caller.subject != member_id:
            await _require_admin(unit, alliance, caller)
        if await unit.members.get(alliance_id, member_id) is None:
            raise NotFound("member", member_id)
        await unit.members.delete(alliance_id, member_id)
        await unit.alliances.save(replace(alliance, members_count=alliance.members_count - 1))
        return alliance_id

    await once(new_unit, "RemoveAllianceMember", request_id,
               {"alliance_id": alliance_id, "member_id": member_id}, perform)
    return await get_alliance(new_unit, alliance_id)


async def list_members(new_unit: NewUnit, alliance_id: str, *, role: Role | None, offset: int,
                       limit: int) -> list[Member]:
    async with new_unit() as unit:
        await alliance_of(unit, alliance_id)
        found = await unit.members.find({"alliance_id": alliance_id},
                                        order=("joined_at", "member_id"))
    return [m for m in found if role is None or m.has(role)][offset:offset + limit]


async def apply(new_unit: NewUnit, directory: Directory, command: Apply, caller: Caller,
                clock: Clock) -> Application:
    caller.require_may_act_for(command.applicant_id)
    await check_member(directory, command.applicant_id, command.roles)

    async def perform(unit: ScfUnitOfWork) -> str:
        await alliance_of(unit, command.alliance_id)
        if await unit.members.get(command.alliance_id, command.applicant_id) is not None:
            raise FailedPrecondition("ALREADY_MEMBER", "the applicant is already a member")
        pending = await unit.applications.find({
            "alliance_id": command.alliance_id, "applicant_id": command.applicant_id,
            "status": ApplicationStatus.PENDING.value})
        if pending:
            raise FailedPrecondition("APPLICATION_PENDING", "an application is already pending")
        application = Application(new_id(), command.alliance_id, command.applicant_id,
                                  command.roles, command.motivation, ApplicationStatus.PENDING,
                                  clock())
        await unit.applications.add(application)
        return application.application_id

    application_id = await once(new_unit, "ApplyForMembership", command.request_id, command,
                                perform)
    async with new_unit() as unit:
        found = await unit.applications.get(application_id)
    assert found is not None
    return found


async def review(new_unit: NewUnit, command: Review, caller: Caller, clock: Clock
                 ) -> tuple[Application, Member | None]:
    async def perform(unit: ScfUnitOfWork) -> str:
        application = await unit.applications.get(command.application_id, for_update=True)
        if application is None:
            raise NotFound("application", command.application_id)
        alliance = await alliance_of(unit, application.alliance_id)
        await _require_admin(unit, alliance, caller)
        reviewed = application.reviewed(approve=command.approve, reviewer=caller.subject,
                                        note=command.note, at=clock())
        await unit.applications.save(reviewed)
        if command.approve:
            await _set_member(unit, alliance, application.applicant_id, application.roles, clock)
        return application.application_id

    await once(new_unit, "ReviewMembershipApplication", command.request_id, command, perform)
    async with new_unit() as unit:
        found = await unit.applications.get(command.application_id)
        assert found is not None
        member = await unit.members.get(found.alliance_id, found.applicant_id)
    return found, member if found.status is ApplicationStatus.APPROVED else None


async def list_applications(new_unit: NewUnit, *, alliance_id: str, applicant_id: str,
                            status: ApplicationStatus | None, caller: Caller, offset: int,
                            limit: int) -> list[Application]:
    async with new_unit() as unit:
        if alliance_id:
            alliance = await alliance_of(unit, alliance_id)
            if applicant_id != caller.subject:
                await _require_admin(unit, alliance, caller)
        else:
            caller.require_access_to(applicant_id)
        where: dict[str, object] = {}
        if alliance_id:
            where["alliance_id"] = alliance_id
        if applicant_id:
            where["applicant_id"] = applicant_id
        if status is not None:
            where["status"] = status.value
        return await unit.applications.find(where, order=("created_at", "application_id"),
                                            offset=offset, limit=limit)


@dataclass(frozen=True)
class Edge:
    kind: str  # "SUPPLY" | "CREDIT_SHARING"
    from_id: str
    to_id: str
    count: int
    volume: tuple[Money, ...]


async def trade_graph(new_unit: NewUnit, alliance_id: str, caller: Caller
                      ) -> tuple[list[Member], list[Edge]]:
    """Members as nodes; supply edges from the alliance's purchase orders; credit-sharing
    edges from payables passed between its members."""
    async with new_unit() as unit:
        alliance = await alliance_of(unit, alliance_id)
        members = await unit.members.find({"alliance_id": alliance_id},
                                          order=("joined_at", "member_id"))
        ids = {m.member_id for m in members}
        if not caller.privileged and caller.subject not in ids:
            raise PermissionDenied("only members see the alliance's trade graph")
        orders = await unit.orders.find({"alliance_id": alliance.alliance_id})
        pieces = await unit.payables.find({"holder_id": sorted(ids)}) if ids else []
        parents = {p.payable_id: p for p in await unit.payables.find(
            {"payable_id": sorted({c.parent_payable_id for c in pieces if c.parent_payable_id})})}
    supply: dict[tuple[str, str], list[Money]] = defaultdict(list)
    for order in orders:
        supply[(order.buyer_id, order.seller_id)].append(order.total)
    sharing: dict[tuple[str, str], list[Money]] = defaultdict(list)
    for piece in pieces:
        parent = parents.get(piece.parent_payable_id)
        if parent is not None and parent.status is PayableStatus.SPLIT and (
                parent.holder_id != piece.holder_id and parent.holder_id in ids):
            sharing[(parent.holder_id, piece.holder_id)].append(piece.face)
    edges = [_edge("SUPPLY", k, v) for k, v in sorted(supply.items())]
    edges += [_edge("CREDIT_SHARING", k, v) for k, v in sorted(sharing.items())]
    return members, edges


def _edge(kind: str, pair: tuple[str, str], amounts: list[Money]) -> Edge:
    totals: dict[str, int] = defaultdict(int)
    for amount in amounts:
        totals[amount.asset] += amount.units
    return Edge(kind, pair[0], pair[1], len(amounts),
                tuple(Money(a, u) for a, u in sorted(totals.items())))
