"""Points of the personal value and credit waves, each with what produced it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ntb_identity.domain.scorecard import Attribute, Reason
from ntb_identity.domain.value_model import ValueInputs


class WaveCause(enum.Enum):
    REGISTERED = "REGISTERED"
    PROFILE_UPDATED = "PROFILE_UPDATED"
    ORDER_COMPLETED = "ORDER_COMPLETED"
    ORDER_DISPUTED = "ORDER_DISPUTED"
    LOAN_REPAID = "LOAN_REPAID"
    LOAN_DEFAULTED = "LOAN_DEFAULTED"
    MODEL_PUBLISHED = "MODEL_PUBLISHED"
    SCHEDULED = "SCHEDULED"
    ORDER_CANCELLED = "ORDER_CANCELLED"


@dataclass(frozen=True)
class ValuePoint:
    principal_id: str
    sequence: int
    hourly_value_fen: int
    effective_at: datetime
    inputs: ValueInputs
    cause: WaveCause
    cause_ref: str

    def __post_init__(self) -> None:
        assert self.sequence >= 1 and self.hourly_value_fen > 0


@dataclass(frozen=True)
class CreditPoint:
    principal_id: str
    sequence: int
    score: int
    effective_at: datetime
    scorecard_version: int
    features: dict[str, Decimal | None]  # the stored inputs of the score
    base_points: int
    attributes: tuple[Attribute, ...]
    reasons: tuple[Reason, ...]
    cause: WaveCause
    cause_ref: str

    def __post_init__(self) -> None:
        assert self.sequence >= 1 and 350 <= self.score <= 950
