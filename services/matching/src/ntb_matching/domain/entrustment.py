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


@dataclass(frozen=True)
class LaborEntrusted:
    entrustment: Entrustment
