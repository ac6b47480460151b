"""What laborcoin tells the other services happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ntb_laborcoin.domain.coin import Policy
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


@dataclass(frozen=True)
class PricePoint:
    """One point of the market return wave: the coin's net asset value per coin."""

    price: Decimal
    reserve_fen: int
    outstanding_units: int
    cause: str  # GENESIS, RETIREMENT, PURCHASE, MINT, ADJUSTMENT
    cause_ref: str
    effective_at: datetime


@dataclass(frozen=True)
class PriceUpdated:
    point: PricePoint
    previous_price: Decimal
    sequence: int


@dataclass(frozen=True)
class CoinMinted:
    transfer: Transfer
    owner_id: str
    outstanding_units: int
    cap_units: int
    purchase_id: str = ""


@dataclass(frozen=True)
class CoinRetired:
    transfer: Transfer
    outstanding_units: int


@dataclass(frozen=True)
class PolicyChanged:
    policy: Policy
    previous_version: int


@dataclass(frozen=True)
class CheckpointSigned:
    checkpoint: Any  # service.unit_of_work.LogCheckpoint (kept untyped: domain stays below)
