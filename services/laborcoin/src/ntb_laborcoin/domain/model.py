"""Ledger accounts (pure rules). Balances are integers in the asset's smallest unit."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

LBC = "LBC"  # Labor Coin, in micro-coins (10^-6)
CNY = "CNY"  # yuan, in fen (0.01)
_ACCOUNT_NAMESPACE = uuid.UUID("5b0f6a52-3c1e-4d0a-9a57-6c1f3f1e2a10")


class AccountKind(enum.Enum):
    WALLET = "WALLET"
    ESCROW = "ESCROW"
    FIAT_RESERVE = "FIAT_RESERVE"
    ISSUANCE = "ISSUANCE"
    PLATFORM_REVENUE = "PLATFORM_REVENUE"
    DIVIDEND = "DIVIDEND"
    EXTERNAL_SETTLEMENT = "EXTERNAL_SETTLEMENT"  # where fiat enters and leaves the ledger


@dataclass(frozen=True)
class AccountFlags:
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False

    def __post_init__(self) -> None:
        assert not (self.debits_must_not_exceed_credits and self.credits_must_not_exceed_debits)


@dataclass
class Account:
    account_id: str
    owner_id: str
    asset: str
    kind: AccountKind
    flags: AccountFlags
    created_at: datetime
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0
    version: int = 1

    def __post_init__(self) -> None:
        for amount in (self.debits_posted, self.credits_posted,
                       self.debits_pending, self.credits_pending):
            assert amount >= 0, "ledger amounts are non-negative integers"
        assert self.version >= 1

    def copy(self) -> Account:
        """A shallow copy, without copy.copy's generic (slow) protocol: the engine takes
        one per linked chain to undo it."""
        twin = object.__new__(Account)
        twin.__dict__.update(self.__dict__)
        return twin


def account_id_for(owner_id: str, asset: str, kind: AccountKind) -> str:
    """One account per (owner, asset, kind): the id is derived, so opening it twice
    (a redelivered event, a retried request) names the same account."""
    return str(uuid.uuid5(_ACCOUNT_NAMESPACE, f"{owner_id}/{asset}/{kind.value}"))


def new_wallet(owner_id: str, asset: str, now: datetime) -> Account:
    """A principal's wallet may not be overdrawn."""
    return Account(
        account_id=account_id_for(owner_id, asset, AccountKind.WALLET),
        owner_id=owner_id,
        asset=asset,
        kind=AccountKind.WALLET,
        flags=AccountFlags(debits_must_not_exceed_credits=True),
        created_at=now,
    )
