"""Domain events -> protobuf payloads of ntb.events.v1 and their topics."""

from __future__ import annotations

from decimal import Decimal

from google.protobuf.message import Message

from ntb.common.v1 import common_pb2
from ntb.events.v1 import matching_events_pb2 as events
from ntb.matching.v1 import matching_pb2 as mpb
from ntb_matching.domain import order_events as oe
from ntb_matching.domain.entrustment import LaborEntrusted
from ntb_matching.domain.order import Settlement
from ntbkit.timestamps import to_timestamp

LABOR_TOPIC = "ntb.matching.labor.v1"
ORDER_TOPIC = "ntb.matching.order.v1"


def _decimal(value: Decimal) -> common_pb2.Decimal:
    return common_pb2.Decimal(value=str(value))


def _lbc(units: int) -> common_pb2.Money:
    return common_pb2.Money(asset="LBC", units=units)


def _cny(fen: int) -> common_pb2.Money:
    return common_pb2.Money(asset="CNY", units=fen)


def settlement(s: Settlement) -> mpb.OrderSettlement:
    return mpb.OrderSettlement(
        gross=_lbc(s.gross_units),
        fee=_lbc(s.fee_units),
        net=_lbc(s.net_units),
        retired=_lbc(s.retired_units),
        refunded=_lbc(s.refunded_units),
        transfer_ids=list(s.transfer_ids),
    )


def _entrusted(event: LaborEntrusted) -> Message:
    e = event.entrustment
    assert e.signed_at is not None
    return events.LaborEntrusted(
        entrustment_id=e.entrustment_id,
        person_id=e.person_id,
        hours=_decimal(e.hours),
        available_hours=_decimal(e.available_hours),
        availability=common_pb2.TimeRange(
            start_time=to_timestamp(e.availability.start), end_time=to_timestamp(e.availability.end)
        ),
        min_hourly_price=common_pb2.Money(asset=e.min_price_asset, units=e.min_price_units),
        skills=list(e.skills),
        contract_id=e.contract_id,
        terms_sha256=e.terms_sha256,
        entrusted_at=to_timestamp(e.signed_at),
    )


def _order_message(event: oe.OrderEvent) -> Message:
    if isinstance(event, oe.LaborReleased):
        e = event.entrustment
        return events.LaborReleased(
            entrustment_id=e.entrustment_id,
            person_id=e.person_id,
            available_hours=_decimal(e.available_hours),
            hours=_decimal(event.hours),
            reason=mpb.ReleaseReason.Value(f"RELEASE_REASON_{event.reason}"),
            order_id=event.order_id,
            released_at=to_timestamp(event.at),
        )
    if isinstance(event, oe.LaborReturned):
        e = event.entrustment
        return events.LaborReturned(
            entrustment_id=e.entrustment_id,
            person_id=e.person_id,
            available_hours=_decimal(e.available_hours),
            hours=_decimal(event.hours),
            order_id=event.order_id,
            returned_at=to_timestamp(event.at),
        )
    o = event.order
    if isinstance(event, oe.OrderCreated):
        return events.OrderCreated(
            order_id=o.order_id,
            buyer_id=o.buyer_id,
            worker_id=o.worker_id,
            demand_id=o.demand_id,
            entrustment_id=o.entrustment_id,
            hours=_decimal(o.hours),
            hourly_price=_cny(o.hourly_price_fen),
            labor_value=_cny(o.labor_value_fen),
            due_at=to_timestamp(o.due_at),
            created_at=to_timestamp(o.created_at),
        )
    if isinstance(event, oe.OrderFunded):
        assert o.funded_at is not None and o.coin_price is not None
        return events.OrderFunded(
            order_id=o.order_id,
            buyer_id=o.buyer_id,
            worker_id=o.worker_id,
            escrow_amount=_lbc(o.escrow_units),
            escrow_transfer_id=o.escrow_transfer_id,
            coin_price=_decimal(o.coin_price),
            funded_at=to_timestamp(o.funded_at),
        )
    if isinstance(event, oe.OrderDelivered):
        assert o.delivered_at is not None
        return events.OrderDelivered(
            order_id=o.order_id,
            buyer_id=o.buyer_id,
            worker_id=o.worker_id,
            delivered_at=to_timestamp(o.delivered_at),
            late=o.late,
        )
    if isinstance(event, oe.OrderCompleted):
        assert o.completed_at is not None and o.settlement is not None
        message = events.OrderCompleted(
            order_id=o.order_id,
            buyer_id=o.buyer_id,
            worker_id=o.worker_id,
            hours=_decimal(o.hours),
            hourly_price=_cny(o.hourly_price_fen),
            labor_value=_cny(o.labor_value_fen),
            rating=o.rating,
            late=o.late,
            due_at=to_timestamp(o.due_at),
            completed_at=to_timestamp(o.completed_at),
            settlement=settlement(o.settlement),
            after_dispute=o.dispute is not None,
        )
        if o.delivered_at is not None:
            message.delivered_at.CopyFrom(to_timestamp(o.delivered_at))
        return message
    if isinstance(event, oe.OrderCancelled):
        assert o.cancelled_at is not None
        return events.OrderCancelled(
            order_id=o.order_id,
            buyer_id=o.buyer_id,
            worker_id=o.worker_id,
            cancelled_by=o.cancelled_by,
            reason=o.cancel_reason,
            refunded=_lbc(event.refunded_units),
            after_dispute=o.dispute is not None and o.dispute.outcome is not None,
            cancelled_at=to_timestamp(o.cancelled_at),
        )
    if isinstance(event, oe.OrderDisputed):
        assert o.dispute is not None
        return events.OrderDisputed(
            order_id=o.order_id,
            buyer_id=o.buyer_id,
            worker_id=o.worker_id,
            raised_by=o.dispute.raised_by,
            reason=o.dispute.reason,
            disputed_at=to_timestamp(o.dispute.raised_at),
        )
    assert isinstance(event, oe.OrderDisputeResolved)
    d = o.dispute
    assert d is not None and d.outcome is not None and d.resolved_at is not None
    resolved = events.OrderDisputeResolved(
        order_id=o.order_id,
        buyer_id=o.buyer_id,
        worker_id=o.worker_id,
        outcome=mpb.DisputeOutcome.Value(f"DISPUTE_OUTCOME_{d.outcome.value}"),
        resolved_by=d.resolved_by,
        resolved_at=to_timestamp(d.resolved_at),
    )
    if d.worker_share is not None:
        resolved.worker_share.CopyFrom(_decimal(d.worker_share))
    return resolved


def encode(event: LaborEntrusted | oe.OrderEvent) -> tuple[str, str, Message]:
    """(topic, key, payload): labor events keyed by person, order events by order."""
    if isinstance(event, LaborEntrusted):
        return LABOR_TOPIC, event.entrustment.person_id, _entrusted(event)
    if isinstance(event, oe.LaborReleased | oe.LaborReturned):
        return LABOR_TOPIC, event.entrustment.person_id, _order_message(event)
    return ORDER_TOPIC, event.order.order_id, _order_message(event)
