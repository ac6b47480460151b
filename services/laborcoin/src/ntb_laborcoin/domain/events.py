"""What laborcoin tells the other services happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ntb_laborcoin.domain.model import AccountKind
from ntb_laborcoin.domain.transfers import Transfer


@dataclass(frozen=True)
class AccountOpened:
    account_id: str
    owner_id: str
    asset: str
    kind: AccountKind
    opened_at: datetime


@dataclass(frozen=True)
class TransferPosted:
    """A transfer committed (any kind: posted, pending, post or void of a pending one)."""

    transfer: Transfer
    debit_owner_id: str
    credit_owner_id: str
