"""The four separable rights and their confirmation workflow:
SUBMITTED -> EXAMINED -> CONFIRMED | REJECTED; a confirmed right whose term ended
reads as EXPIRED. Exclusivity: a right is never granted twice beyond it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ntbkit.errors import FailedPrecondition


class RightKind(StrEnum):
    OWNERSHIP = "OWNERSHIP"
    USAGE = "USAGE"
    COLLECTION = "COLLECTION"
    OPERATION = "OPERATION"


class ConfirmationStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    EXAMINED = "EXAMINED"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"


@dataclass
class RightsConfirmation:
    confirmation_id: str
    asset_id: str
    right_kind: RightKind
    holder_id: str
    scope: str
    territories: tuple[str, ...]
    term_start: datetime
    term_end: datetime | None
    evidence_sha256s: tuple[str, ...]
    exclusive: bool
    status: ConfirmationStatus
    submitted_at: datetime
    examination_notes: str = ""
    examiner_id: str = ""
    decision_reason: str = ""
    examined_at: datetime | None = None
    decided_at: datetime | None = None

    def status_at(self, now: datetime) -> ConfirmationStatus:
        if (self.status is ConfirmationStatus.CONFIRMED and self.term_end is not None
                and self.term_end <= now):
            return ConfirmationStatus.EXPIRED
        return self.status

    def in_force(self, now: datetime) -> bool:
        return self.status_at(now) is ConfirmationStatus.CONFIRMED

    def examine(self, *, examiner_id: str, notes: str, at: datetime) -> None:
        if self.status is not ConfirmationStatus.SUBMITTED:
            raise FailedPrecondition("CONFIRMATION_NOT_SUBMITTED",
                                     f"the confirmation is {self.status.value}, not SUBMITTED")
        self.status = ConfirmationStatus.EXAMINED
        self.examiner_id, self.examination_notes, self.examined_at = examiner_id, notes, at

    def decide(self, *, confirm: bool, examiner_id: str, reason: str, at: datetime) -> None:
        if self.status is not ConfirmationStatus.EXAMINED:
            raise FailedPrecondition("CONFIRMATION_NOT_EXAMINED",
                                     f"the confirmation is {self.status.value}, not EXAMINED")
        self.status = ConfirmationStatus.CONFIRMED if confirm else ConfirmationStatus.REJECTED
        self.examiner_id, self.decision_reason, self.decided_at = examiner_id, reason, at

    def overlaps(self, other: RightsConfirmation) -> bool:
        """Same kind, overlapping terms and territories (empty = everywhere)."""
        if self.right_kind is not other.right_kind:
            return False
        far = datetime.max.replace(tzinfo=self.term_start.tzinfo)
        terms = (self.term_start < (other.term_end or far)
                 and other.term_start < (self.term_end or far))
        places = (not self.territories or not other.territories
                  or bool(set(self.territories) & set(other.territories)))
        return terms and places


def check_exclusivity(candidate: RightsConfirmation, granted: list[RightsConfirmation],
                      now: datetime) -> None:
    """An exclusive right admits no overlapping grant; non-exclusive ones admit only
    other non-exclusive ones. Ownership is per holder: one confirmed per holder."""
    for other in granted:
        if other.confirmation_id == candidate.confirmation_id or not other.in_force(now):
            continue
        if not candidate.overlaps(other):
            continue
        if candidate.right_kind is RightKind.OWNERSHIP:
            if other.holder_id == candidate.holder_id:
                raise FailedPrecondition(
                    "RIGHT_ALREADY_GRANTED", "this holder's ownership is already confirmed",
                    {"confirmation_id": other.confirmation_id})
            continue
        if candidate.exclusive or other.exclusive:
            raise FailedPrecondition(
                "RIGHT_ALREADY_GRANTED",
                f"an overlapping {candidate.right_kind.value} right is already confirmed and "
                "one of them is exclusive", {"confirmation_id": other.confirmation_id})
