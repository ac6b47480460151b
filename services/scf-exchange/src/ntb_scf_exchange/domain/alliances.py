"""Alliances (GSFU), their members with roles, and membership applications."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from ntbkit.errors import FailedPrecondition


class Scope(enum.Enum):
    DOMESTIC = "DOMESTIC"
    CROSS_BORDER = "CROSS_BORDER"


class ChainType(enum.Enum):
    REGIONAL = "REGIONAL"
    INDUSTRIAL = "INDUSTRIAL"
    SECTOR = "SECTOR"
    TECHNOLOGY = "TECHNOLOGY"
    PRODUCT = "PRODUCT"
    VALUE = "VALUE"


class Role(enum.Enum):
    CORE_ENTERPRISE = "CORE_ENTERPRISE"
    SUPPLIER = "SUPPLIER"
    DISTRIBUTOR = "DISTRIBUTOR"
    LOGISTICS = "LOGISTICS"
    WAREHOUSE = "WAREHOUSE"
    FUNDER = "FUNDER"


class ApplicationStatus(enum.Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class Alliance:
    alliance_id: str
    name: str
    scope: Scope
    chain_type: ChainType
    parent_alliance_id: str
    countries: tuple[str, ...]
    description: str
    created_by: str
    created_at: datetime
    members_count: int = 0


@dataclass(frozen=True)
class Member:
    alliance_id: str
    member_id: str
    roles: tuple[Role, ...]
    joined_at: datetime

    def has(self, role: Role) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class Application:
    application_id: str
    alliance_id: str
    applicant_id: str
    roles: tuple[Role, ...]
    motivation: str
    status: ApplicationStatus
    applied_at: datetime
    reviewed_by: str = ""
    review_note: str = ""
    reviewed_at: datetime | None = None

    def reviewed(self, *, approve: bool, reviewer: str, note: str, at: datetime) -> Application:
        if self.status is not ApplicationStatus.PENDING:
            raise FailedPrecondition("APPLICATION_NOT_PENDING",
                                     f"the application is {self.status.value}")
        status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
        return replace(self, status=status, reviewed_by=reviewer, review_note=note,
                       reviewed_at=at)


def check_sub_alliance(parent: Alliance | None, *, scope: Scope,
                       countries: tuple[str, ...]) -> None:
    """A sub-alliance stays inside its parent: its countries are the parent's."""
    if scope is Scope.DOMESTIC and len(countries) != 1:
        raise FailedPrecondition("DOMESTIC_NEEDS_ONE_COUNTRY",
                                 "a domestic alliance covers exactly one country")
    if scope is Scope.CROSS_BORDER and len(countries) < 2:
        raise FailedPrecondition("CROSS_BORDER_NEEDS_COUNTRIES",
                                 "a cross-border alliance covers two countries or more")
    if parent is not None and not set(countries) <= set(parent.countries):
        raise FailedPrecondition("OUTSIDE_PARENT_COUNTRIES",
                                 "a sub-alliance covers only countries of its parent")


def may_review(alliance: Alliance, reviewer: Member | None, reviewer_id: str) -> bool:
    """The creator or a core enterprise of the alliance admits members."""
    if alliance.created_by == reviewer_id:
        return True
    return reviewer is not None and reviewer.has(Role.CORE_ENTERPRISE)
