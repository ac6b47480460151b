"""The gene map: an asset's changes in order, each entry hash-chained to the one
before. entry_sha256 is what gets anchored in laborcoin's verifiable log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

ZERO_SHA256 = bytes(32)


class GeneEventKind(StrEnum):
    CREATED = "CREATED"
    LEGAL_STATUS_CHANGED = "LEGAL_STATUS_CHANGED"
    RIGHTS_SUBMITTED = "RIGHTS_SUBMITTED"
    RIGHTS_CONFIRMED = "RIGHTS_CONFIRMED"
    RIGHTS_REJECTED = "RIGHTS_REJECTED"
    VALUED = "VALUED"
    RATED = "RATED"
    LISTED = "LISTED"
    LICENSED = "LICENSED"
    PLEDGED = "PLEDGED"
    PLEDGE_RELEASED = "PLEDGE_RELEASED"
    PLEDGE_ENFORCED = "PLEDGE_ENFORCED"
    TRANSFERRED = "TRANSFERRED"
    ROYALTY_PAID = "ROYALTY_PAID"
    LOAN_DISBURSED = "LOAN_DISBURSED"
    LOAN_REPAYMENT = "LOAN_REPAYMENT"
    LOAN_DEFAULTED = "LOAN_DEFAULTED"
    LISTING_WITHDRAWN = "LISTING_WITHDRAWN"


@dataclass(frozen=True)
class GeneEntry:
    asset_id: str
    sequence: int
    kind: GeneEventKind
    occurred_at: datetime
    actor_id: str
    summary: str
    subject_id: str
    subject_sha256: bytes
    previous_entry_sha256: bytes
    anchor_id: str

    def __post_init__(self) -> None:
        assert self.sequence >= 1
        assert len(self.subject_sha256) == 32 and len(self.previous_entry_sha256) == 32
        assert self.sequence > 1 or self.previous_entry_sha256 == ZERO_SHA256

    def canonical(self) -> bytes:
        """The documented canonical JSON of the entry (see GeneMapEntry in the proto)."""
        body = {
            "actor_id": self.actor_id, "asset_id": self.asset_id, "kind": self.kind.value,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "previous_entry_sha256": self.previous_entry_sha256.hex(),
            "sequence": self.sequence, "subject_id": self.subject_id,
            "subject_sha256": self.subject_sha256.hex(), "summary": self.summary,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()

    @property
    def entry_sha256(self) -> bytes:
        return hashlib.sha256(self.canonical()).digest()

    @property
    def anchor_subject(self) -> str:
        return f"asset/{self.asset_id}/gene/{self.sequence}"


def chain_is_valid(entries: list[GeneEntry]) -> bool:
    """Entries 1..n of one asset, each pointing at the hash of the one before."""
    previous = ZERO_SHA256
    for expected, entry in enumerate(entries, start=1):
        if entry.sequence != expected or entry.previous_entry_sha256 != previous:
            return False
        previous = entry.entry_sha256
    return True


def subject_digest(document: object) -> bytes:
    """SHA-256 of a record's canonical JSON (what a gene entry says it was)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).digest()
