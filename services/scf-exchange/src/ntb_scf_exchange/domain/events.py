"""What scf-exchange tells the others (encoded to ntb.events.v1 by adapters/event_codec)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ntb_scf_exchange.domain.financing import Bid, Financing
from ntb_scf_exchange.domain.payables import Payable
from ntb_scf_exchange.domain.securitization import Securitization


@dataclass(frozen=True)
class AnchorRequest:
    """Seal this digest of one of our records into laborcoin's verifiable log."""

    anchor_id: str
    subject: str
    digest: bytes
    recorded_at: datetime


@dataclass(frozen=True)
class PayableConfirmed:
    payable: Payable


@dataclass(frozen=True)
class PayableTransferred:
    parent: Payable
    children: tuple[Payable, ...]
    at: datetime


@dataclass(frozen=True)
class PayableSettled:
    payable: Payable
    payee_id: str
    on_time: bool
    transfer_id: str
    at: datetime


@dataclass(frozen=True)
class PayableOverdue:
    payable: Payable
    at: datetime


@dataclass(frozen=True)
class FinancingRequested:
    financing: Financing


@dataclass(frozen=True)
class BidPlaced:
    bid: Bid


@dataclass(frozen=True)
class FinancingFunded:
    financing: Financing


@dataclass(frozen=True)
class FinancingSettled:
    financing: Financing


@dataclass(frozen=True)
class FinancingDefaulted:
    financing: Financing


@dataclass(frozen=True)
class SecuritizationStructured:
    securitization: Securitization


Event = (AnchorRequest | PayableConfirmed | PayableTransferred | PayableSettled | PayableOverdue
         | FinancingRequested | BidPlaced | FinancingFunded | FinancingSettled
         | FinancingDefaulted | SecuritizationStructured)
