"""An order: a worker's hours sold to a buyer, paid through laborcoin's escrow.

The money moves in laborcoin; the order records which step of its saga is in flight
(`saga`) so a crash between the two services is resumed, never guessed. The public
status only changes when a step's outcome is known.
Units: CNY prices and values in fen, LBC in micro-coins, coin price in CNY per LBC.
"""

from __future__ import annotations

import enum
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Context, Decimal

from ntbkit.errors import FailedPrecondition

MICRO_PER_LBC = 1_000_000
FEN_PER_CNY = 100
CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN)
_DERIVED = uuid.UUID("3b1f7f52-8d0e-4c55-9a52-5f0d6a7c2e11")


class OrderStatus(enum.Enum):
    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    FUNDED = "FUNDED"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    DISPUTED = "DISPUTED"


class Saga(enum.Enum):
    """The money movement in flight for an order (at most one at a time)."""

    FUND = "FUND"  # [purchase coins,] then the pending transfer into escrow
    SETTLE = "SETTLE"  # SettleEscrow to the worker (confirmation or dispute outcome)
    VOID = "VOID"  # void the escrow back to the buyer (cancellation or refund)


class StepKind(enum.Enum):
    PURCHASE = "PURCHASE"
    ESCROW = "ESCROW"
    SETTLE = "SETTLE"
    VOID = "VOID"


class StepStatus(enum.Enum):
    STARTED = "STARTED"  # recorded before the call: the call may or may not have happened
    DONE = "DONE"
    FAILED = "FAILED"  # laborcoin refused it (a definitive answer): no money moved


class DisputeOutcome(enum.Enum):
    PAY_WORKER = "PAY_WORKER"
    REFUND_BUYER = "REFUND_BUYER"
    SPLIT = "SPLIT"


def derived_id(order_id: str, part: str) -> str:
    """Ids of the order's ledger requests and transfers: the same on every retry."""
    return str(uuid.uuid5(_DERIVED, f"{order_id}/{part}"))


def labor_value_fen(hours: Decimal, hourly_price_fen: int) -> int:
    """V0 = hours x hourly price, rounded half-even to the fen."""
    return int(CONTEXT.multiply(hours, Decimal(hourly_price_fen)).to_integral_value(
        rounding=ROUND_HALF_EVEN))


def escrow_units_for(value_fen: int, coin_price: Decimal) -> int:
    """LBC for a CNY value at a coin price, rounded up to the micro-coin."""
    assert coin_price > 0 and value_fen > 0
    lbc = CONTEXT.divide(CONTEXT.divide(Decimal(value_fen), Decimal(FEN_PER_CNY)), coin_price)
    return int(CONTEXT.multiply(lbc, Decimal(MICRO_PER_LBC)).to_integral_value(
        rounding=ROUND_CEILING))


def fen_to_buy(units: int, coin_price: Decimal) -> int:
    """CNY that buys at least `units` at `coin_price` (laborcoin floors what it issues)."""
    assert units > 0 and coin_price > 0
    fen = CONTEXT.multiply(CONTEXT.divide(Decimal(units), Decimal(MICRO_PER_LBC)),
                           CONTEXT.multiply(coin_price, Decimal(FEN_PER_CNY)))
    return int(fen.to_integral_value(rounding=ROUND_CEILING))


def split_gross(escrow_units: int, worker_share: Decimal) -> int:
    """The worker's part of a split escrow, rounded down to the micro-coin (>= 1)."""
    assert Decimal(0) < worker_share < Decimal(1)
    return max(1, math.floor(CONTEXT.multiply(Decimal(escrow_units), worker_share)))


@dataclass(frozen=True)
class SagaStep:
    order_id: str
    step_no: int
    kind: StepKind
    attempt: int
    request_id: str
    transfer_id: str
    status: StepStatus
    detail: dict[str, str]  # what the call carries (amounts, ids), fixed when recorded
    started_at: datetime
    reason: str = ""
    result: dict[str, str] = field(default_factory=dict)
    finished_at: datetime | None = None


@dataclass(frozen=True)
class Settlement:
    gross_units: int
    fee_units: int
    net_units: int
    retired_units: int
    refunded_units: int
    transfer_ids: tuple[str, ...]
    price_after: str = ""


@dataclass
class Dispute:
    raised_by: str
    reason: str
    raised_at: datetime
    evidence: list[dict[str, str]] = field(default_factory=list)
    outcome: DisputeOutcome | None = None
    worker_share: Decimal | None = None
    resolution_note: str = ""
    resolved_by: str = ""
    resolved_at: datetime | None = None


@dataclass
class Order:
    order_id: str
    demand_id: str
    entrustment_id: str
    buyer_id: str
    worker_id: str
    hours: Decimal
    hourly_price_fen: int
    labor_value_fen: int
    due_at: datetime
    created_at: datetime
    status: OrderStatus = OrderStatus.AWAITING_PAYMENT
    saga: Saga | None = None
    payment_attempt: int = 0
    buy_coins_if_needed: bool = False
    max_coin_price: Decimal | None = None
    escrow_units: int = 0
    coin_price: Decimal | None = None
    escrow_transfer_id: str = ""
    escrow_expires_at: datetime | None = None
    funded_at: datetime | None = None
    delivered_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    late: bool = False
    rating: int = 0
    comment: str = ""
    delivery_note: str = ""
    cancel_reason: str = ""
    cancelled_by: str = ""
    settlement: Settlement | None = None
    dispute: Dispute | None = None
    version: int = 0

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Invariants after every change."""
        assert self.hours > 0 and self.hourly_price_fen > 0 and self.labor_value_fen > 0
        funded = self.status in (OrderStatus.FUNDED, OrderStatus.DELIVERED,
                                 OrderStatus.DISPUTED, OrderStatus.COMPLETED)
        assert not funded or (self.escrow_units > 0 and self.escrow_transfer_id)
        assert (self.status is OrderStatus.COMPLETED) == (self.settlement is not None
                                                          and self.completed_at is not None)
        assert self.saga is not Saga.FUND or self.status is OrderStatus.AWAITING_PAYMENT
        assert self.status not in (OrderStatus.COMPLETED, OrderStatus.CANCELLED) or (
            self.saga is None)

    def _require(self, *allowed: OrderStatus, saga_free: bool = True) -> None:
        if self.status not in allowed:
            raise FailedPrecondition("ORDER_STATUS", f"the order is {self.status.value}",
                                     {"status": self.status.value})
        if saga_free and self.saga is not None:
            raise FailedPrecondition("ORDER_BUSY", f"the order's {self.saga.value} step is "
                                     "still in progress; retry later")

    def start_payment(self, *, buy_coins_if_needed: bool, max_coin_price: Decimal | None
                      ) -> int:
        self._require(OrderStatus.AWAITING_PAYMENT)
        self.saga = Saga.FUND
        self.payment_attempt += 1
        self.buy_coins_if_needed, self.max_coin_price = buy_coins_if_needed, max_coin_price
        self.check()
        return self.payment_attempt

    def funded(self, *, escrow_units: int, coin_price: Decimal, transfer_id: str,
               expires_at: datetime, at: datetime) -> None:
        assert self.saga is Saga.FUND
        self.status, self.saga = OrderStatus.FUNDED, None
        self.escrow_units, self.coin_price = escrow_units, coin_price
        self.escrow_transfer_id, self.escrow_expires_at, self.funded_at = (
            transfer_id, expires_at, at)
        self.check()

    def payment_failed(self) -> None:
        assert self.saga is Saga.FUND
        self.saga = None
        self.check()

    def deliver(self, note: str, at: datetime) -> None:
        self._require(OrderStatus.FUNDED)
        self.status, self.delivered_at, self.delivery_note = OrderStatus.DELIVERED, at, note
        self.late = at > self.due_at
        self.check()

    def start_confirmation(self, rating: int, comment: str) -> None:
        assert 1 <= rating <= 5
        self._require(OrderStatus.DELIVERED)
        self.saga, self.rating, self.comment = Saga.SETTLE, rating, comment
        self.check()

    def start_cancellation(self, by: str, reason: str, at: datetime) -> bool:
        """True when money must move back (a funded escrow to void); else done now."""
        self._require(OrderStatus.AWAITING_PAYMENT, OrderStatus.FUNDED)
        self.cancelled_by, self.cancel_reason = by, reason
        if self.status is OrderStatus.FUNDED:
            self.saga = Saga.VOID
            self.check()
            return True
        self.status, self.cancelled_at = OrderStatus.CANCELLED, at
        self.check()
        return False

    def raise_dispute(self, by: str, reason: str, evidence: list[dict[str, str]],
                      at: datetime) -> None:
        self._require(OrderStatus.FUNDED, OrderStatus.DELIVERED)
        self.status = OrderStatus.DISPUTED
        self.dispute = Dispute(by, reason, at, evidence)
        self.check()

    def start_resolution(self, *, outcome: DisputeOutcome, worker_share: Decimal | None,
                         note: str, by: str, at: datetime) -> None:
        self._require(OrderStatus.DISPUTED)
        assert self.dispute is not None
        d = self.dispute
        d.outcome, d.worker_share, d.resolution_note, d.resolved_by, d.resolved_at = (
            outcome, worker_share, note, by, at)
        if outcome is DisputeOutcome.REFUND_BUYER:
            self.saga, self.cancelled_by, self.cancel_reason = Saga.VOID, by, note
        else:
            self.saga = Saga.SETTLE
        self.check()

    def settle_gross_units(self) -> int:
        """0 (the whole escrow) unless a dispute was split."""
        d = self.dispute
        if d is not None and d.outcome is DisputeOutcome.SPLIT and d.worker_share is not None:
            return split_gross(self.escrow_units, d.worker_share)
        return 0

    def completed(self, settlement: Settlement, at: datetime) -> None:
        assert self.saga is Saga.SETTLE
        self.status, self.saga, self.settlement, self.completed_at = (
            OrderStatus.COMPLETED, None, settlement, at)
        self.check()

    def cancelled(self, at: datetime, *, reason: str = "", by: str = "") -> None:
        """The escrow is void (voided, refunded or expired), or there never was one."""
        self.status, self.saga, self.cancelled_at = OrderStatus.CANCELLED, None, at
        if reason:
            self.cancel_reason, self.cancelled_by = reason, by
        self.check()

    @property
    def hours_return_on_cancel(self) -> bool:
        """Cancelled before any work was declared: the hours go back on the market."""
        return self.delivered_at is None
