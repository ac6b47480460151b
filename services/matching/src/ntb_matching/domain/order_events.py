"""What happened to orders and to the hours they reserve (published via the outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ntb_matching.domain.entrustment import Entrustment
from ntb_matching.domain.order import Order


@dataclass(frozen=True)
class OrderCreated:
    order: Order


@dataclass(frozen=True)
class OrderFunded:
    order: Order


@dataclass(frozen=True)
class OrderDelivered:
    order: Order


@dataclass(frozen=True)
class OrderCompleted:
    order: Order


@dataclass(frozen=True)
class OrderCancelled:
    order: Order
    refunded_units: int


@dataclass(frozen=True)
class OrderDisputed:
    order: Order


@dataclass(frozen=True)
class OrderDisputeResolved:
    order: Order


@dataclass(frozen=True)
class LaborReleased:
    """Hours left the market: reserved by an order, withdrawn or expired."""

    entrustment: Entrustment
    hours: Decimal
    reason: str  # WITHDRAWN, EXPIRED, RESERVED_BY_ORDER
    order_id: str
    at: datetime


@dataclass(frozen=True)
class LaborReturned:
    """An order cancelled before the work gave its hours back."""

    entrustment: Entrustment
    hours: Decimal
    order_id: str
    at: datetime


OrderEvent = (OrderCreated | OrderFunded | OrderDelivered | OrderCompleted | OrderCancelled
              | OrderDisputed | OrderDisputeResolved | LaborReleased | LaborReturned)
