"""What orders need from laborcoin (the port; adapters/laborcoin_gateway.py is the
gRPC adapter, tests use an in-memory fake).

Every call is idempotent on laborcoin's side by the request and transfer ids the
saga derives from the order, so a call repeated after a crash or a lost answer
moves no money twice. Two kinds of failure:
- `LedgerRefused`: laborcoin answered no (a rule): nothing moved, definitively;
- `LedgerUnavailable`: no answer (down, timeout): the call may or may not have
  happened; the saga repeats the very same call later.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class LedgerRefused(Exception):
    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason = reason


class LedgerUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Quote:
    coin_price: Decimal  # CNY per LBC
    lbc_available_units: int  # the buyer's LBC wallet, available (posted - pending debits)
    lbc_wallet_id: str


@dataclass(frozen=True)
class PurchaseResult:
    paid_fen: int
    received_units: int
    price: Decimal


@dataclass(frozen=True)
class EscrowSettled:
    gross_units: int
    fee_units: int
    net_units: int
    retired_units: int
    refunded_units: int
    transfer_ids: tuple[str, ...]
    price_after: Decimal


class LedgerGateway(Protocol):
    async def quote(self, buyer_id: str) -> Quote: ...

    async def lbc_wallet(self, owner_id: str) -> str: ...

    async def purchase_for_order(
        self, *, request_id: str, buyer_id: str, pay_fen: int, order_id: str,
        max_price: Decimal,
    ) -> PurchaseResult: ...

    async def create_escrow(
        self, *, request_id: str, transfer_id: str, payer_wallet_id: str, units: int,
        timeout_s: int, reference: str,
    ) -> None: ...

    async def settle_escrow(
        self, *, request_id: str, pending_id: str, payee_wallet_id: str, gross_units: int,
        reference: str,
    ) -> EscrowSettled: ...

    async def void_escrow(self, *, request_id: str, pending_id: str, reason: str) -> None: ...

    async def pending_status(self, transfer_id: str) -> str:
        """PENDING, POSTED, VOIDED or EXPIRED; NOT_FOUND if laborcoin has no such transfer."""
        ...
