"""An entrustment: labor time a person puts on the market under a signed contract."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ntb_matching.domain.model import Window
from ntbkit.errors import FailedPrecondition


class EntrustmentStatus(enum.Enum):
    AWAITING_SIGNATURE = "AWAITING_SIGNATURE"
    ACTIVE = "ACTIVE"
    EXHAUSTED = "EXHAUSTED"
    WITHDRAWN = "WITHDRAWN"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class PersonView:
    """What matching knows of a principal, projected from identity's events."""

    person_id: str
    kind: str
    region: str
    industry_code: str
    kyc_status: str


@dataclass
class Entrustment:
    entrustment_id: str
    person_id: str
    status: EntrustmentStatus
    hours: Decimal
    available_hours: Decimal
    availability: Window
    skills: tuple[str, ...]
    min_price_asset: str
    min_price_units: int
    region: str
    remote_ok: bool
    note: str
    contract_id: str
    canonical_terms: bytes
    terms_sha256: bytes
    created_at: datetime
    signer_key_id: str = ""
    signer_signature: bytes = b""
    platform_signature: bytes = b""
    signed_at: datetime | None = None

    def __post_init__(self) -> None:
        assert Decimal(0) <= self.available_hours <= self.hours

    def activate(
        self, *, key_id: str, signer_signature: bytes, platform_signature: bytes, at: datetime
    ) -> None:
        """Signed by the person and countersigned: the hours become available supply."""
        if self.status is not EntrustmentStatus.AWAITING_SIGNATURE:
            raise FailedPrecondition("ENTRUSTMENT_NOT_AWAITING_SIGNATURE",
                                     f"the entrustment is {self.status.value}")
        self.status = EntrustmentStatus.ACTIVE
        self.signer_key_id, self.signer_signature = key_id, signer_signature
        self.platform_signature, self.signed_at = platform_signature, at

    def reserve(self, hours: Decimal) -> None:
        """An order takes hours off the market."""
        if self.status is not EntrustmentStatus.ACTIVE:
            raise FailedPrecondition("ENTRUSTMENT_NOT_ACTIVE",
                                     f"the entrustment is {self.status.value}")
        if hours > self.available_hours:
            raise FailedPrecondition("HOURS_NOT_AVAILABLE", f"only {self.available_hours} "
                                     "hours are available", {"available_hours":
                                                             str(self.available_hours)})
        self.available_hours -= hours
        if self.available_hours == 0:
            self.status = EntrustmentStatus.EXHAUSTED
        self.__post_init__()

    def give_back(self, hours: Decimal) -> bool:
        """A cancelled order's hours return; False if the entrustment has ended meanwhile
        (withdrawn or expired: the hours are then released for good)."""
        if self.status not in (EntrustmentStatus.ACTIVE, EntrustmentStatus.EXHAUSTED):
            return False
        self.available_hours += hours
        self.status = EntrustmentStatus.ACTIVE
        self.__post_init__()
        return True

    def withdraw(self, hours: Decimal | None) -> Decimal:
        """The person takes unreserved hours back (all of them when `hours` is None)."""
        if self.status is not EntrustmentStatus.ACTIVE:
            raise FailedPrecondition("ENTRUSTMENT_NOT_ACTIVE",
                                     f"the entrustment is {self.status.value}")
        taken = self.available_hours if hours is None else hours
        if taken > self.available_hours or taken <= 0:
            raise FailedPrecondition("HOURS_NOT_AVAILABLE", f"only {self.available_hours} "
                                     "hours are available", {"available_hours":
                                                             str(self.available_hours)})
        self.available_hours -= taken
        if self.available_hours == 0:
            self.status = EntrustmentStatus.WITHDRAWN
        self.__post_init__()
        return taken

    def expire(self) -> Decimal:
        """The period ended (or the signature never came): what was left leaves the market."""
        assert self.status in (EntrustmentStatus.ACTIVE, EntrustmentStatus.AWAITING_SIGNATURE,
                               EntrustmentStatus.EXHAUSTED)
        was_active = self.status is not EntrustmentStatus.AWAITING_SIGNATURE
        left = self.available_hours if was_active else Decimal(0)
        self.available_hours = Decimal(0) if was_active else self.available_hours
        self.status = EntrustmentStatus.EXPIRED
        return left


@dataclass(frozen=True)
class LaborEntrusted:
    entrustment: Entrustment
