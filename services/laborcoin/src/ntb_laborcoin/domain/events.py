"""What laborcoin tells the other services happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ntb_laborcoin.domain.model import AccountKind


@dataclass(frozen=True)
class AccountOpened:
    account_id: str
    owner_id: str
    asset: str
    kind: AccountKind
    opened_at: datetime
