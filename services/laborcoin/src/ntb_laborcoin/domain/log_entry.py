"""Leaves of the verifiable log - a transfer or an anchored digest - as canonical bytes
anyone can re-derive."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from ntb_laborcoin.domain.transfers import Transfer

LOG_ORIGIN = "ntb.laborcoin/transfers"
_PREFIX = b"ntb-transfer-v1\n"
_ANCHOR_PREFIX = b"ntb-anchor-v1\n"


@dataclass(frozen=True)
class Anchor:
    """A digest another service sealed into the log (its record's SHA-256)."""

    anchor_id: str
    source: str
    subject: str
    digest: bytes
    recorded_at: datetime
    leaf_index: int | None = None  # None until sealed

    def same_request(self, other: Anchor) -> bool:
        return (self.anchor_id, self.source, self.subject, self.digest,
                _utc(self.recorded_at)) == (other.anchor_id, other.source, other.subject,
                                            other.digest, _utc(other.recorded_at))


@dataclass(frozen=True)
class LogCheckpoint:
    """A signed tree head as stored: the C2SP signed note and what it commits to."""

    tree_size: int
    root_hash: bytes
    note: str
    key_id: str
    signed_at: datetime


def canonical_bytes(transfer: Transfer) -> bytes:
    """Sorted-key JSON of every field of the transfer, times in UTC to the microsecond.

    A changed byte in any stored field changes the leaf hash, so the inclusion proof
    of the altered transfer no longer verifies against the signed checkpoint.
    """
    fields = {
        "transfer_id": transfer.transfer_id,
        "debit_account_id": transfer.debit_account_id,
        "credit_account_id": transfer.credit_account_id,
        "asset": transfer.asset,
        "amount": transfer.amount,
        "code": transfer.code,
        "kind": transfer.kind.value,
        "pending_id": transfer.pending_id,
        "timeout_s": transfer.timeout_s,
        "expires_at": _utc(transfer.expires_at),
        "reference": transfer.reference,
        "memo": transfer.memo,
        "created_at": _utc(transfer.created_at),
    }
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _PREFIX + body.encode()


def anchor_bytes(anchor: Anchor) -> bytes:
    """The anchor's leaf: what laborcoin.proto documents on `Anchor`."""
    fields = {
        "anchor_id": anchor.anchor_id,
        "source": anchor.source,
        "subject": anchor.subject,
        "digest_sha256": anchor.digest.hex(),
        "recorded_at": _utc(anchor.recorded_at),
    }
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _ANCHOR_PREFIX + body.encode()


LogLeaf = Transfer | Anchor


@dataclass(frozen=True)
class Committed:
    """A committed transfer or anchor the sealer may append, at its commit position."""

    txid: int  # committing transaction (0 where the database has none: SQLite)
    seq: int
    leaf: LogLeaf

    @property
    def order(self) -> tuple[int, int, int]:
        # Commit order; within one transaction transfers first, then anchors.
        return (self.txid, isinstance(self.leaf, Anchor), self.seq)


def leaf_bytes(leaf: LogLeaf) -> bytes:
    return canonical_bytes(leaf) if isinstance(leaf, Transfer) else anchor_bytes(leaf)


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
