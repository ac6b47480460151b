"""Protobuf <-> domain for the Labor Coin economy, with request validation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from ntb.common.v1 import common_pb2
from ntb.laborcoin.v1 import laborcoin_pb2 as pb
from ntb_laborcoin.adapters.event_codec import policy_message
from ntb_laborcoin.domain.events import PricePoint
from ntb_laborcoin.service.coin import Economy
from ntb_laborcoin.service.coin_commands import Mint, Purchase, SetPolicy, SettleEscrow
from ntb_laborcoin.service.coin_queries import CapReport
from ntbkit.timestamps import to_timestamp
from ntbkit.validation import Violations

__all__ = ["policy_message"]



def _decimal(value: common_pb2.Decimal, field: str, v: Violations) -> Decimal | None:
    if not value.value:
        return None
    try:
        parsed = Decimal(value.value)
    except InvalidOperation:
        v.add(field, "not a decimal number")
        return None
    v.check(parsed.is_finite(), field, "must be finite")
    return parsed


def lbc(units: int) -> common_pb2.Money:
    return common_pb2.Money(asset="LBC", units=units)


def mint(request: pb.MintRequest) -> Mint:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.credit_account_id, "credit_account_id")
    v.check(request.amount.asset == "LBC", "amount.asset", "must be LBC")
    v.check(request.amount.units > 0, "amount.units", "must be > 0")
    v.require_text(request.reason, "reason", length_max=500)
    v.check_text(request.reference, "reference", length_max=128)
    v.raise_if_any()
    return Mint(request.request_id, request.credit_account_id, request.amount.units,
                request.reason, request.reference)


def purchase(request: pb.PurchaseCoinsRequest) -> Purchase:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_text(request.buyer_id, "buyer_id", length_max=64)
    v.check(request.WhichOneof("quantity") == "pay", "pay",
            "give the CNY to spend (receive is not supported yet)")
    v.check(request.pay.asset == "CNY" and request.pay.units > 0, "pay",
            "CNY, units (fen) > 0")
    purposes = {pb.PURCHASE_PURPOSE_INVESTMENT: "INVESTMENT",
                pb.PURCHASE_PURPOSE_ORDER_PAYMENT: "ORDER_PAYMENT"}
    v.check(request.purpose in purposes, "purpose", "INVESTMENT or ORDER_PAYMENT")
    order_payment = request.purpose == pb.PURCHASE_PURPOSE_ORDER_PAYMENT
    if order_payment:
        v.require_uuid(request.order_id, "order_id")
    else:
        v.check(not request.order_id, "order_id", "only for ORDER_PAYMENT")
    max_price = _decimal(request.max_price, "max_price", v)
    v.check(not (request.pay_account_id or request.receive_account_id), "pay_account_id",
            "purchases use the buyer's wallets")
    v.raise_if_any()
    return Purchase(request.request_id, request.buyer_id, request.pay.units,
                    purposes[request.purpose], request.order_id, max_price)


def settle(request: pb.SettleEscrowRequest) -> SettleEscrow:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.require_uuid(request.pending_id, "pending_id")
    v.require_uuid(request.payee_account_id, "payee_account_id")
    if request.HasField("payee_gross"):
        v.check(request.payee_gross.asset == "LBC" and request.payee_gross.units > 0,
                "payee_gross", "LBC, units > 0")
    v.check_text(request.reference, "reference", length_max=128)
    v.raise_if_any()
    return SettleEscrow(request.request_id, request.pending_id, request.payee_account_id,
                        request.payee_gross.units, request.reference)


def set_policy(request: pb.SetPolicyRequest) -> SetPolicy:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    k = _decimal(request.k, "k", v)
    p0 = _decimal(request.p0, "p0", v)
    share = _decimal(request.retired_share, "retired_share", v)
    rate = _decimal(request.fee_rate, "fee_rate", v)
    v.check(k is None or Decimal(0) < k <= Decimal(10), "k", "0 < k <= 10")
    v.check(p0 is None or p0 > 0, "p0", "must be > 0")
    v.check(share is None or Decimal(0) <= share <= Decimal(1), "retired_share", "0..1")
    v.check(rate is None or Decimal(0) <= rate <= Decimal("0.2"), "fee_rate", "0..0.2")
    v.check(request.expected_version >= 1, "expected_version", "the current version, >= 1")
    v.require_text(request.reason, "reason", length_max=500)
    v.raise_if_any()
    return SetPolicy(request.request_id, request.expected_version, request.reason, k, p0, share,
                     rate)


def price_point(sequence: int, point: PricePoint) -> pb.PricePoint:
    return pb.PricePoint(
        sequence=sequence, price=common_pb2.Decimal(value=str(point.price)),
        reserve=common_pb2.Money(asset="CNY", units=point.reserve_fen),
        outstanding_supply=lbc(point.outstanding_units), effective_at=to_timestamp(
            point.effective_at),
        cause=pb.PriceCause.Value(f"PRICE_CAUSE_{point.cause}"), cause_ref=point.cause_ref)


def live_price(now: Economy) -> pb.PricePoint:
    point = PricePoint(now.price, now.reserve_fen, now.cap.outstanding_units, "GENESIS", "",
                       datetime.now(UTC))
    return price_point(0, point)


def issuance_cap(report: CapReport) -> pb.IssuanceCap:
    cap, policy = report.economy.cap, report.economy.policy
    hours = Decimal(report.milli_hours) / Decimal(1000)
    return pb.IssuanceCap(
        cap=lbc(cap.cap_units), outstanding_supply=lbc(cap.outstanding_units),
        headroom=lbc(cap.headroom_units),
        labor_value_total=common_pb2.Money(asset="CNY", units=cap.labor_value_fen),
        entrusted_hours_total=common_pb2.Decimal(value=str(hours)),
        persons_count=report.persons, k=common_pb2.Decimal(value=str(policy.k)),
        p0=common_pb2.Decimal(value=str(policy.p0)), policy_version=policy.version,
        computed_at=to_timestamp(datetime.now(UTC)))
