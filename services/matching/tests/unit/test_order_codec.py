"""Order requests are validated in the codec: every bad field is reported at once
(INVALID_ARGUMENT with one violation per field), good requests become commands."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from ntb.common.v1 import common_pb2
from ntb.matching.v1 import matching_pb2 as pb
from ntb_matching.domain.order import DisputeOutcome
from ntb_matching.entrypoints import order_codec
from ntbkit.errors import InvalidArgument


def fields_of(error: InvalidArgument) -> set[str]:
    return {v.field for v in error.violations}


def test_a_bad_create_request_lists_every_bad_field() -> None:
    with pytest.raises(InvalidArgument) as raised:
        order_codec.create(pb.CreateOrderRequest(
            request_id="x", demand_id="", entrustment_id=str(uuid.uuid4()),
            hours=common_pb2.Decimal(value="1.234"),
            hourly_price=common_pb2.Money(asset="LBC", units=100)))
    assert fields_of(raised.value) == {"request_id", "demand_id", "hours", "hourly_price"}


def test_a_good_create_request_becomes_a_command() -> None:
    ids = [str(uuid.uuid4()) for _ in range(3)]
    command = order_codec.create(pb.CreateOrderRequest(
        request_id=ids[0], demand_id=ids[1], entrustment_id=ids[2],
        hours=common_pb2.Decimal(value="12.5"),
        hourly_price=common_pb2.Money(asset="CNY", units=6_000)))
    assert (command.hours, command.hourly_price_fen, command.due_at) == (
        Decimal("12.5"), 6_000, None)


def test_ratings_reasons_and_dispute_outcomes_are_checked() -> None:
    order_id = str(uuid.uuid4())
    with pytest.raises(InvalidArgument) as raised:
        order_codec.confirm(pb.ConfirmOrderRequest(request_id=str(uuid.uuid4()),
                                                   order_id=order_id, rating=6))
    assert fields_of(raised.value) == {"rating"}
    with pytest.raises(InvalidArgument) as raised:
        order_codec.cancel(pb.CancelOrderRequest(request_id=str(uuid.uuid4()),
                                                 order_id=order_id, reason=" "))
    assert fields_of(raised.value) == {"reason"}
    with pytest.raises(InvalidArgument) as raised:
        order_codec.resolve(pb.ResolveDisputeRequest(
            request_id=str(uuid.uuid4()), order_id=order_id,
            outcome=pb.DISPUTE_OUTCOME_SPLIT, worker_share=common_pb2.Decimal(value="1"),
            note="split"))
    assert fields_of(raised.value) == {"worker_share"}
    split = order_codec.resolve(pb.ResolveDisputeRequest(
        request_id=str(uuid.uuid4()), order_id=order_id, outcome=pb.DISPUTE_OUTCOME_SPLIT,
        worker_share=common_pb2.Decimal(value="0.25"), note="half done"))
    assert (split.outcome, split.worker_share) == (DisputeOutcome.SPLIT, Decimal("0.25"))
    with pytest.raises(InvalidArgument) as raised:
        order_codec.pay(pb.PayOrderRequest(request_id=str(uuid.uuid4()), order_id=order_id,
                                           max_coin_price=common_pb2.Decimal(value="-1")))
    assert fields_of(raised.value) == {"max_coin_price"}
