"""Intangible assets: kinds, holders, creators, legal status and remaining life."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from ntbkit.errors import FailedPrecondition


class AssetKind(StrEnum):
    PATENT_INVENTION = "PATENT_INVENTION"
    PATENT_UTILITY_MODEL = "PATENT_UTILITY_MODEL"
    PATENT_DESIGN = "PATENT_DESIGN"
    COPYRIGHT = "COPYRIGHT"
    TRADEMARK = "TRADEMARK"
    ARTWORK_PROPERTY = "ARTWORK_PROPERTY"
    CULTURAL_PROPERTY = "CULTURAL_PROPERTY"


class LegalStatus(StrEnum):
    PENDING = "PENDING"
    IN_FORCE = "IN_FORCE"
    LAPSED = "LAPSED"
    EXPIRED = "EXPIRED"
    INVALIDATED = "INVALIDATED"
    CONTESTED = "CONTESTED"


INITIAL_STATUSES = frozenset({LegalStatus.PENDING, LegalStatus.IN_FORCE})
DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class Holder:
    principal_id: str
    share: Decimal


@dataclass(frozen=True)
class Creator:
    principal_id: str
    name: str
    labor_hours: Decimal
    role: str


@dataclass
class Asset:
    asset_id: str
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
    created_at: datetime
    updated_at: datetime
    version: int = 1
    appraised_value_fen: int | None = None
    rating: str = ""
    history_flags: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert self.holders, "an asset has at least one holder"
        assert sum(h.share for h in self.holders) == Decimal(1), "shares sum to 1"
        assert self.version >= 1

    def holds(self, principal_id: str) -> bool:
        return any(h.principal_id == principal_id for h in self.holders)

    def touch(self, at: datetime) -> None:
        self.version += 1
        self.updated_at = at

    def remaining_life_days(self, today: date) -> int | None:
        """Days of protection left; None when it has no expiry (e.g. a trademark)."""
        if self.expiry_date is None:
            return None
        return max(0, (self.expiry_date - today).days)

    def total_life_days(self) -> int | None:
        if self.expiry_date is None:
            return None
        return max(1, (self.expiry_date - self.filing_date).days)

    def change_status(self, status: LegalStatus, *, grant_date: date | None,
                      expiry_date: date | None, at: datetime) -> LegalStatus:
        if status == self.legal_status:
            raise FailedPrecondition("LEGAL_STATUS_UNCHANGED",
                                     f"the asset is already {status.value}")
        before = self.legal_status
        self.legal_status = status
        if grant_date is not None:
            self.grant_date = grant_date
        if expiry_date is not None:
            if expiry_date <= self.filing_date:
                raise FailedPrecondition("EXPIRY_BEFORE_FILING",
                                         "the expiry date must be after the filing date")
            self.expiry_date = expiry_date
        if status in (LegalStatus.LAPSED, LegalStatus.INVALIDATED, LegalStatus.CONTESTED):
            self.history_flags[status.value] = self.history_flags.get(status.value, 0) + 1
        self.touch(at)
        return before

    def transfer(self, holders: tuple[Holder, ...], at: datetime) -> tuple[Holder, ...]:
        before = self.holders
        self.holders = holders
        self.touch(at)
        return before
