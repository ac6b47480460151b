"""What scf-exchange needs from other services (gRPC adapters in adapters/clients;
fakes in the unit tests behind the same Protocols)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from ntb_scf_exchange.domain.financing import FxUsed
from ntb_scf_exchange.domain.money import Money


class TransferCode(enum.Enum):
    FINANCING_DISBURSEMENT = "FINANCING_DISBURSEMENT"
    FINANCING_SETTLEMENT = "FINANCING_SETTLEMENT"


@dataclass(frozen=True)
class Payment:
    """Move `amount` from the payer's wallet of that asset to the payee's."""

    transfer_id: str  # derived from the business event, so a retry is the same transfer
    payer_id: str
    payee_id: str
    amount: Money
    code: TransferCode
    reference: str  # "financing:<id>" or "payable:<id>"


class InsufficientFunds(Exception):
    """The payer's wallet cannot cover the payments; nothing moved."""


class Ledger(Protocol):
    async def pay(self, payments: list[Payment]) -> None:
        """Commit the payments all or none (a retry of committed ones is a no-op);
        InsufficientFunds when a payer's wallet is short."""


class Ratings(Protocol):
    async def rating(self, enterprise_id: str) -> str:
        """identity's enterprise rating ("AAA".."C"), "" when unrated."""


class FxRates(Protocol):
    async def rate(self, *, base_asset: str, quote_asset: str) -> FxUsed:
        """fx-model's rate: quote-asset units per base-asset unit, and its source."""


@dataclass(frozen=True)
class PrincipalInfo:
    kind: str  # identity's PrincipalKind name: ENTERPRISE, FINANCIAL_INSTITUTION, PERSON, ...
    kyc_verified: bool


class Directory(Protocol):
    async def principal(self, principal_id: str) -> PrincipalInfo | None:
        """identity's record of a principal; None when identity has none."""
