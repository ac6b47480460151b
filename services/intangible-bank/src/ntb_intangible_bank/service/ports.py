"""What intangible-bank needs from other services, as ports (adapters implement them)."""

from __future__ import annotations

import uuid
from typing import Protocol

LOAN_DISBURSEMENT = "LOAN_DISBURSEMENT"
LOAN_REPAYMENT = "LOAN_REPAYMENT"
ROYALTY = "ROYALTY"
ASSET_SALE = "ASSET_SALE"
_TRANSFERS = uuid.UUID("0b7c2a52-8f0e-4a57-9d8e-3f1b1e7a0c11")


def transfer_id_for(request_id: str, purpose: str) -> str:
    """The ledger transfer of one request: a retry names the same transfer."""
    return str(uuid.uuid5(_TRANSFERS, f"{request_id}/{purpose}"))


class Ledger(Protocol):
    """CNY payments between principals' wallets on laborcoin's ledger.

    `transfer_id` is derived from the request id, so a retried request names the
    same transfer and laborcoin moves the money once. Raises FailedPrecondition
    INSUFFICIENT_FUNDS when the payer's wallet cannot cover it, and
    FailedPrecondition WALLET_NOT_FOUND when a CNY wallet is missing.
    """

    async def pay(self, *, transfer_id: str, payer_id: str, payee_id: str, amount_fen: int,
                  code: str, reference: str) -> str: ...
