"""Protobuf <-> domain for orders, with request validation."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal, InvalidOperation

from ntb.common.v1 import common_pb2
from ntb.matching.v1 import matching_pb2 as pb
from ntb_matching.adapters.event_codec import settlement
from ntb_matching.domain.model import HOURS_MAX
from ntb_matching.domain.order import DisputeOutcome, Order, OrderStatus
from ntb_matching.service import orders
from ntbkit.timestamps import to_timestamp
from ntbkit.validation import Violations

_OUTCOMES = {pb.DISPUTE_OUTCOME_PAY_WORKER: DisputeOutcome.PAY_WORKER,
             pb.DISPUTE_OUTCOME_REFUND_BUYER: DisputeOutcome.REFUND_BUYER,
             pb.DISPUTE_OUTCOME_SPLIT: DisputeOutcome.SPLIT}


def _decimal(text: str, field: str, v: Violations, rule: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        v.add(field, rule)
        return None
    if not value.is_finite():
        v.add(field, rule)
        return None
    return value


def hours(text: str, field: str, v: Violations) -> Decimal:
    rule = f"> 0, <= {HOURS_MAX}, at most 2 decimal places"
    value = _decimal(text, field, v, rule)
    if value is None:
        return Decimal(0)
    ok = Decimal(0) < value <= HOURS_MAX and value == value.quantize(Decimal("0.01"))
    v.check(ok, field, rule)
    return value


def create(request: pb.CreateOrderRequest) -> orders.CreateOrder:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.demand_id, "demand_id")
    v.require_uuid(request.entrustment_id, "entrustment_id")
    agreed = hours(request.hours.value, "hours", v)
    v.check(request.hourly_price.asset == "CNY" and request.hourly_price.units > 0,
            "hourly_price", "CNY, units (fen) > 0")
    v.raise_if_any()
    due_at = request.due_at.ToDatetime(UTC) if request.HasField("due_at") else None
    return orders.CreateOrder(request.request_id, request.demand_id, request.entrustment_id,
                              agreed, request.hourly_price.units, due_at)


def pay(request: pb.PayOrderRequest) -> orders.PayOrder:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.order_id, "order_id")
    max_price = None
    if request.HasField("max_coin_price"):
        max_price = _decimal(request.max_coin_price.value, "max_coin_price", v,
                             "a decimal > 0, CNY per LBC")
        v.check(max_price is None or max_price > 0, "max_coin_price", "> 0")
    v.raise_if_any()
    return orders.PayOrder(request.request_id, request.order_id, request.buy_coins_if_needed,
                           max_price)


def deliver(request: pb.DeliverOrderRequest) -> orders.DeliverOrder:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.order_id, "order_id")
    v.check(len(request.evidence) <= 20, "evidence", "at most 20 documents")
    v.check_text(request.note, "note", length_max=2000)
    v.raise_if_any()
    return orders.DeliverOrder(request.request_id, request.order_id, request.note)


def confirm(request: pb.ConfirmOrderRequest) -> orders.ConfirmOrder:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.order_id, "order_id")
    v.check(1 <= request.rating <= 5, "rating", "1..5")
    v.check_text(request.comment, "comment", length_max=2000)
    v.raise_if_any()
    return orders.ConfirmOrder(request.request_id, request.order_id, request.rating,
                               request.comment)


def cancel(request: pb.CancelOrderRequest) -> orders.CancelOrder:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.order_id, "order_id")
    v.require_text(request.reason, "reason", length_max=500)
    v.raise_if_any()
    return orders.CancelOrder(request.request_id, request.order_id, request.reason.strip())


def dispute(request: pb.DisputeOrderRequest) -> orders.DisputeOrder:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.order_id, "order_id")
    v.require_text(request.reason, "reason", length_max=2000)
    v.check(len(request.evidence) <= 20, "evidence", "at most 20 documents")
    evidence = []
    for index, document in enumerate(request.evidence):
        v.check(len(document.sha256) == 32, f"evidence[{index}].sha256", "32 bytes")
        v.check(1 <= len(document.name) <= 200, f"evidence[{index}].name", "1..200 chars")
        evidence.append((document.name, document.sha256.hex()))
    v.raise_if_any()
    return orders.DisputeOrder(request.request_id, request.order_id, request.reason.strip(),
                               tuple(evidence))


def resolve(request: pb.ResolveDisputeRequest) -> orders.ResolveDispute:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.order_id, "order_id")
    outcome = _OUTCOMES.get(request.outcome)
    v.check(outcome is not None, "outcome", "PAY_WORKER, REFUND_BUYER or SPLIT")
    share = None
    if outcome is DisputeOutcome.SPLIT:
        share = _decimal(request.worker_share.value, "worker_share", v, "a decimal in (0, 1)")
        v.check(share is None or Decimal(0) < share < Decimal(1), "worker_share",
                "exclusive 0..1")
    else:
        v.check(not request.worker_share.value, "worker_share", "only for SPLIT")
    v.require_text(request.note, "note", length_max=2000)
    v.raise_if_any()
    assert outcome is not None
    return orders.ResolveDispute(request.request_id, request.order_id, outcome, share,
                                 request.note.strip())


def status(value: OrderStatus) -> pb.OrderStatus.ValueType:
    return pb.OrderStatus.Value(f"ORDER_STATUS_{value.value}")


def order(model: Order) -> pb.Order:
    message = pb.Order(
        order_id=model.order_id, demand_id=model.demand_id,
        entrustment_id=model.entrustment_id, buyer_id=model.buyer_id,
        worker_id=model.worker_id, hours=common_pb2.Decimal(value=str(model.hours)),
        hourly_price=common_pb2.Money(asset="CNY", units=model.hourly_price_fen),
        labor_value=common_pb2.Money(asset="CNY", units=model.labor_value_fen),
        escrow_transfer_id=model.escrow_transfer_id, status=status(model.status),
        due_at=to_timestamp(model.due_at), created_at=to_timestamp(model.created_at),
        late=model.late, rating=model.rating, cancel_reason=model.cancel_reason,
        cancelled_by=model.cancelled_by,
        step_in_progress=model.saga.value if model.saga else "")
    if model.escrow_units:
        message.escrow_amount.CopyFrom(common_pb2.Money(asset="LBC", units=model.escrow_units))
    if model.coin_price is not None:
        message.coin_price.CopyFrom(common_pb2.Decimal(value=str(model.coin_price)))
    for name in ("funded_at", "delivered_at", "completed_at", "cancelled_at",
                 "escrow_expires_at"):
        moment = getattr(model, name)
        if moment is not None:
            getattr(message, name).CopyFrom(to_timestamp(moment))
    if model.settlement is not None:
        message.settlement.CopyFrom(settlement(model.settlement))
    if model.dispute is not None:
        d = model.dispute
        message.dispute.CopyFrom(pb.Dispute(
            raised_by=d.raised_by, reason=d.reason, raised_at=to_timestamp(d.raised_at),
            evidence=[common_pb2.DocumentHash(name=e["name"], sha256=bytes.fromhex(e["sha256"]))
                      for e in d.evidence],
            outcome=pb.DisputeOutcome.Value(f"DISPUTE_OUTCOME_{d.outcome.value}")
            if d.outcome else pb.DISPUTE_OUTCOME_UNSPECIFIED,
            resolution_note=d.resolution_note, resolved_by=d.resolved_by))
        if d.worker_share is not None:
            message.dispute.worker_share.CopyFrom(common_pb2.Decimal(value=str(d.worker_share)))
        if d.resolved_at is not None:
            message.dispute.resolved_at.CopyFrom(to_timestamp(d.resolved_at))
    return message
