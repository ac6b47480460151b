"""Transfers: what a client asks the ledger to do, and what the ledger recorded."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

TIMEOUT_MAX_S = 365 * 24 * 3600
BATCH_SIZE_MAX = 8190


class ResultCode(enum.Enum):
    """Per-transfer outcome; OK and EXISTS are successes."""

    OK = "OK"
    EXISTS = "EXISTS"
    LINKED_EVENT_FAILED = "LINKED_EVENT_FAILED"
    EXISTS_WITH_DIFFERENT_FIELDS = "EXISTS_WITH_DIFFERENT_FIELDS"
    DEBIT_ACCOUNT_NOT_FOUND = "DEBIT_ACCOUNT_NOT_FOUND"
    CREDIT_ACCOUNT_NOT_FOUND = "CREDIT_ACCOUNT_NOT_FOUND"
    ASSET_MISMATCH = "ASSET_MISMATCH"
    EXCEEDS_CREDITS = "EXCEEDS_CREDITS"
    EXCEEDS_DEBITS = "EXCEEDS_DEBITS"
    PENDING_TRANSFER_NOT_FOUND = "PENDING_TRANSFER_NOT_FOUND"
    PENDING_TRANSFER_NOT_PENDING = "PENDING_TRANSFER_NOT_PENDING"
    PENDING_TRANSFER_ALREADY_POSTED = "PENDING_TRANSFER_ALREADY_POSTED"
    PENDING_TRANSFER_ALREADY_VOIDED = "PENDING_TRANSFER_ALREADY_VOIDED"
    PENDING_TRANSFER_EXPIRED = "PENDING_TRANSFER_EXPIRED"
    PENDING_TRANSFER_MISMATCH = "PENDING_TRANSFER_MISMATCH"
    EXCEEDS_PENDING_TRANSFER_AMOUNT = "EXCEEDS_PENDING_TRANSFER_AMOUNT"
    ISSUANCE_ACCOUNT_RESTRICTED = "ISSUANCE_ACCOUNT_RESTRICTED"
    DEBIT_NOT_PERMITTED = "DEBIT_NOT_PERMITTED"

    @property
    def succeeded(self) -> bool:
        return self in (ResultCode.OK, ResultCode.EXISTS)


class TransferKind(enum.Enum):
    POSTED = "POSTED"  # moves posted balances at once
    PENDING = "PENDING"  # reserves; posted, voided or expired later
    POST_PENDING = "POST_PENDING"
    VOID_PENDING = "VOID_PENDING"


class PendingState(enum.Enum):
    PENDING = "PENDING"
    POSTED = "POSTED"
    VOIDED = "VOIDED"
    EXPIRED = "EXPIRED"


class BatchMode(enum.Enum):
    ATOMIC = "ATOMIC"  # every transfer or none
    CHAINS = "CHAINS"  # each linked chain (or lone transfer) on its own


@dataclass(frozen=True)
class TransferRequest:
    """One transfer as the client asked for it (validated for shape at the edge).

    For POST_PENDING, amount 0 means the whole pending amount; the accounts and
    asset of post/void requests may be left empty and are taken from the pending one.
    """

    transfer_id: str
    debit_account_id: str
    credit_account_id: str
    asset: str
    amount: int
    code: str
    kind: TransferKind = TransferKind.POSTED
    pending_id: str = ""
    timeout_s: int = 0
    linked: bool = False
    reference: str = ""
    memo: str = ""

    def __post_init__(self) -> None:
        assert self.amount >= 0
        assert 0 <= self.timeout_s <= TIMEOUT_MAX_S


@dataclass(frozen=True)
class Transfer:
    """A committed transfer; never changed afterwards (corrections are new transfers)."""

    transfer_id: str
    debit_account_id: str
    credit_account_id: str
    asset: str
    amount: int
    code: str
    kind: TransferKind
    created_at: datetime
    pending_id: str = ""
    timeout_s: int = 0
    expires_at: datetime | None = None
    reference: str = ""
    memo: str = ""
    log_index: int | None = None

    def __post_init__(self) -> None:
        assert self.amount >= 0
        assert self.debit_account_id != self.credit_account_id


@dataclass
class PendingTransfer:
    """The live state of a pending transfer (the transfer row itself stays immutable)."""

    transfer: Transfer
    state: PendingState = PendingState.PENDING
    amount_posted: int = 0
    resolved_by: str = ""


@dataclass(frozen=True)
class TransferResult:
    index: int
    transfer_id: str
    code: ResultCode
    transfer: Transfer | None = None


@dataclass
class BalanceChange:
    """An account's balances right after one transfer (for the account history)."""

    account_id: str
    transfer_id: str
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int
    version: int


@dataclass
class BatchOutcome:
    results: list[TransferResult]
    committed: list[Transfer] = field(default_factory=list)
    history: list[BalanceChange] = field(default_factory=list)
    touched_accounts: set[str] = field(default_factory=set)
    touched_pendings: set[str] = field(default_factory=set)
