"""Orders (paper 3.3 steps 2-4): a match becomes an order; the buyer pays LBC into
escrow (buying it with CNY first when short); delivery, confirmation and rating; the
escrow settles to the worker minus the fee, or is voided; disputes wait for an operator.

A command that moves money runs in two parts: its own transaction (idempotent by the
client's request id) records the decision and the saga step; then the saga drives the
ledger call (order_saga.advance). The answer is the step's outcome: a retry with the
same request id gets the same outcome, and an unanswered ledger call is UNAVAILABLE
(the recovery worker finishes it; retrying the same request id shows the result).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ntb_matching.domain.order import (
    DisputeOutcome,
    Order,
    OrderStatus,
    Saga,
    StepKind,
    StepStatus,
    derived_id,
    labor_value_fen,
)
from ntb_matching.domain.order_events import (
    LaborReleased,
    OrderCancelled,
    OrderCreated,
    OrderDelivered,
    OrderDisputed,
)
from ntb_matching.service import order_saga
from ntb_matching.service.ledger_gateway import LedgerGateway
from ntb_matching.service.unit_of_work import MatchingUnitOfWork, NewUnit
from ntbkit.auth import ROLE_OPERATOR, Caller
from ntbkit.errors import FailedPrecondition, NotFound, PermissionDenied, Unavailable
from ntbkit.storage.idempotency import run_idempotent


@dataclass(frozen=True)
class OrderServices:
    """What order commands need besides the unit of work."""

    new_unit: NewUnit
    ledger: LedgerGateway
    saga: order_saga.SagaSettings = order_saga.SagaSettings()


@dataclass(frozen=True)
class CreateOrder:
    request_id: str
    demand_id: str
    entrustment_id: str
    hours: Decimal
    hourly_price_fen: int
    due_at: datetime | None = None


@dataclass(frozen=True)
class PayOrder:
    request_id: str
    order_id: str
    buy_coins_if_needed: bool
    max_coin_price: Decimal | None = None


@dataclass(frozen=True)
class DeliverOrder:
    request_id: str
    order_id: str
    note: str


@dataclass(frozen=True)
class ConfirmOrder:
    request_id: str
    order_id: str
    rating: int
    comment: str


@dataclass(frozen=True)
class CancelOrder:
    request_id: str
    order_id: str
    reason: str


@dataclass(frozen=True)
class DisputeOrder:
    request_id: str
    order_id: str
    reason: str
    evidence: tuple[tuple[str, str], ...] = ()  # (name, sha256 hex)


@dataclass(frozen=True)
class ResolveDispute:
    request_id: str
    order_id: str
    outcome: DisputeOutcome
    worker_share: Decimal | None
    note: str


async def create_order_in(unit: MatchingUnitOfWork, command: CreateOrder, caller: Caller,
                          order_id: str) -> Order:
    """Inside the caller's transaction (CreateOrder, MatchDemands): reserve the hours."""
    posted = await unit.demands.get(command.demand_id, for_update=True)
    if posted is None:
        raise NotFound("demand", command.demand_id)
    caller.require_may_act_for(posted.demand.buyer_id)
    if posted.status != "OPEN":
        raise FailedPrecondition("DEMAND_NOT_OPEN", f"the demand is {posted.status}")
    if command.hours > posted.open_hours:
        raise FailedPrecondition("HOURS_ABOVE_DEMAND", f"the demand has {posted.open_hours} "
                                 "open hours", {"open_hours": str(posted.open_hours)})
    entrustment = await unit.entrustments.get(command.entrustment_id, for_update=True)
    if entrustment is None:
        raise NotFound("entrustment", command.entrustment_id)
    if entrustment.person_id == posted.demand.buyer_id:
        raise FailedPrecondition("SELF_DEALING", "a buyer cannot hire their own hours")
    if not (entrustment.min_price_units <= command.hourly_price_fen
            <= posted.demand.max_hourly_price):
        raise FailedPrecondition(
            "PRICE_OUT_OF_RANGE", "the price must lie between the entrustment's minimum and "
            "the demand's maximum", {"min_units": str(entrustment.min_price_units),
                                     "max_units": str(posted.demand.max_hourly_price)})
    due_at = command.due_at or posted.demand.window.end
    if not posted.demand.window.start < due_at <= posted.demand.window.end:
        raise FailedPrecondition("DUE_OUTSIDE_WINDOW", "due_at must lie in the demand's window")
    entrustment.reserve(command.hours)
    await unit.entrustments.save(entrustment)
    left = posted.open_hours - command.hours
    await unit.demands.set_open_hours(command.demand_id, left, "OPEN" if left else "FILLED")
    now = datetime.now(UTC)
    order = Order(
        order_id=order_id, demand_id=command.demand_id,
        entrustment_id=command.entrustment_id, buyer_id=posted.demand.buyer_id,
        worker_id=entrustment.person_id, hours=command.hours,
        hourly_price_fen=command.hourly_price_fen,
        labor_value_fen=labor_value_fen(command.hours, command.hourly_price_fen),
        due_at=due_at, created_at=now)
    await unit.orders.add(order)
    unit.record(OrderCreated(order))
    unit.record(LaborReleased(entrustment, command.hours, "RESERVED_BY_ORDER", order_id, now))
    return order


async def create_order(services: OrderServices, command: CreateOrder, caller: Caller) -> Order:
    async def perform(unit: MatchingUnitOfWork) -> str:
        return (await create_order_in(unit, command, caller, str(uuid.uuid4()))).order_id

    order_id = await run_idempotent(
        services.new_unit, operation="CreateOrder", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_order(services.new_unit, order_id, caller)


async def _locked_order(unit: MatchingUnitOfWork, order_id: str) -> Order:
    order = await unit.orders.get(order_id, for_update=True)
    if order is None:
        raise NotFound("order", order_id)
    return order


def _ticket(order: Order, kind: str, number: int) -> str:
    return f"{order.order_id}|{kind}|{number}"


_DRIVES_MAX = 3  # the step may be mid-flight in the recovery worker: look again, briefly
_DRIVE_PAUSE_S = 0.3


async def _saga_outcome(services: OrderServices, ticket: str, caller: Caller) -> Order:
    """Drive the saga the command started; answer with that step's outcome."""
    order_id, kind, number = ticket.split("|")
    for drive in range(1, _DRIVES_MAX + 1):
        await order_saga.advance_guarded(services.new_unit, services.ledger, order_id,
                                         services.saga)
        async with services.new_unit() as unit:
            order = await unit.orders.get(order_id)
            steps = await unit.orders.steps(order_id)
        assert order is not None
        if kind == "payment":
            mine = [s for s in steps if s.attempt == int(number)
                    and s.kind in (StepKind.PURCHASE, StepKind.ESCROW)]
        else:
            mine = [s for s in steps if s.step_no == int(number)]
        failed = next((s for s in mine if s.status is StepStatus.FAILED), None)
        if failed is not None:
            if order.status is OrderStatus.CANCELLED and order.cancel_reason == "ESCROW_EXPIRED":
                raise FailedPrecondition("ESCROW_EXPIRED", "the escrow timed out and went back "
                                         "to the buyer; the order is cancelled")
            raise FailedPrecondition(failed.reason, f"laborcoin refused the {failed.kind.value} "
                                     f"step: {failed.reason}", {"order_id": order_id})
        pending = kind != "none" and (
            not mine or any(s.status is StepStatus.STARTED for s in mine)
            or (kind == "payment" and order.saga is Saga.FUND))
        if not pending:
            return _visible(order, caller)
        if drive < _DRIVES_MAX:
            await asyncio.sleep(_DRIVE_PAUSE_S)
    raise Unavailable("laborcoin is not answering; the order's step is recorded and will "
                      "complete - retry with the same request_id to see it")


async def pay_order(services: OrderServices, command: PayOrder, caller: Caller) -> Order:
    async def perform(unit: MatchingUnitOfWork) -> str:
        order = await _locked_order(unit, command.order_id)
        caller.require_may_act_for(order.buyer_id)
        attempt = order.start_payment(buy_coins_if_needed=command.buy_coins_if_needed,
                                      max_coin_price=command.max_coin_price)
        await unit.orders.save(order)
        return _ticket(order, "payment", attempt)

    ticket = await run_idempotent(
        services.new_unit, operation="PayOrder", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await _saga_outcome(services, ticket, caller)


async def deliver_order(services: OrderServices, command: DeliverOrder, caller: Caller
                        ) -> Order:
    async def perform(unit: MatchingUnitOfWork) -> str:
        order = await _locked_order(unit, command.order_id)
        caller.require_may_act_for(order.worker_id)
        order.deliver(command.note, datetime.now(UTC))
        await unit.orders.save(order)
        unit.record(OrderDelivered(order))
        return order.order_id

    order_id = await run_idempotent(
        services.new_unit, operation="DeliverOrder", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_order(services.new_unit, order_id, caller)


async def _start_step(unit: MatchingUnitOfWork, order: Order, kind: StepKind,
                      detail: dict[str, str]) -> str:
    steps = await unit.orders.steps(order.order_id)
    part = "settle" if kind is StepKind.SETTLE else "void"
    step = order_saga.new_step(order, steps, kind, part=part, detail=detail,
                               transfer_id=derived_id(order.order_id, part))
    await unit.orders.add_step(step)
    await unit.orders.save(order)
    return _ticket(order, kind.value.lower(), step.step_no)


async def confirm_order(services: OrderServices, command: ConfirmOrder, caller: Caller
                        ) -> Order:
    async def perform(unit: MatchingUnitOfWork) -> str:
        order = await _locked_order(unit, command.order_id)
        caller.require_may_act_for(order.buyer_id)
        order.start_confirmation(command.rating, command.comment)
        return await _start_step(unit, order, StepKind.SETTLE, {"gross_units": "0"})

    ticket = await run_idempotent(
        services.new_unit, operation="ConfirmOrder", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await _saga_outcome(services, ticket, caller)


async def cancel_order(services: OrderServices, command: CancelOrder, caller: Caller) -> Order:
    async def perform(unit: MatchingUnitOfWork) -> str:
        order = await _locked_order(unit, command.order_id)
        _require_party(caller, order)
        now = datetime.now(UTC)
        if order.start_cancellation(caller.subject, command.reason, now):
            return await _start_step(unit, order, StepKind.VOID, {"reason": command.reason})
        unit.record(OrderCancelled(order, 0))
        await order_saga.return_hours(unit, order, now)
        await unit.orders.save(order)
        return _ticket(order, "none", 0)

    ticket = await run_idempotent(
        services.new_unit, operation="CancelOrder", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await _saga_outcome(services, ticket, caller)


async def dispute_order(services: OrderServices, command: DisputeOrder, caller: Caller
                        ) -> Order:
    async def perform(unit: MatchingUnitOfWork) -> str:
        order = await _locked_order(unit, command.order_id)
        _require_party(caller, order)
        evidence = [{"name": n, "sha256": h} for n, h in command.evidence]
        order.raise_dispute(caller.subject, command.reason, evidence, datetime.now(UTC))
        await unit.orders.save(order)
        unit.record(OrderDisputed(order))
        return order.order_id

    order_id = await run_idempotent(
        services.new_unit, operation="DisputeOrder", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_order(services.new_unit, order_id, caller)


async def resolve_dispute(services: OrderServices, command: ResolveDispute, caller: Caller
                          ) -> Order:
    caller.require_role(ROLE_OPERATOR)

    async def perform(unit: MatchingUnitOfWork) -> str:
        order = await _locked_order(unit, command.order_id)
        order.start_resolution(outcome=command.outcome, worker_share=command.worker_share,
                               note=command.note, by=caller.subject, at=datetime.now(UTC))
        if command.outcome is DisputeOutcome.REFUND_BUYER:
            return await _start_step(unit, order, StepKind.VOID, {"reason": command.note})
        return await _start_step(unit, order, StepKind.SETTLE,
                                 {"gross_units": str(order.settle_gross_units())})

    ticket = await run_idempotent(
        services.new_unit, operation="ResolveDispute", request_id=command.request_id,
        command=command, perform=perform, encode=str.encode, decode=bytes.decode)
    return await _saga_outcome(services, ticket, caller)


def _require_party(caller: Caller, order: Order) -> None:
    if caller.subject in (order.buyer_id, order.worker_id) or caller.acts_for_others:
        return
    raise PermissionDenied("only the order's buyer or worker may do this")


def _visible(order: Order, caller: Caller) -> Order:
    if caller.subject in (order.buyer_id, order.worker_id) or caller.privileged:
        return order
    raise PermissionDenied("only the order's buyer or worker may read it")


async def get_order(new_unit: NewUnit, order_id: str, caller: Caller) -> Order:
    async with new_unit() as unit:
        order = await unit.orders.get(order_id)
    if order is None:
        raise NotFound("order", order_id)
    return _visible(order, caller)


@dataclass(frozen=True)
class OrderQuery:
    buyer_id: str = ""
    worker_id: str = ""
    status: OrderStatus | None = None
    created_from: datetime | None = None
    created_until: datetime | None = None


async def list_orders(new_unit: NewUnit, query: OrderQuery, caller: Caller, *,
                      offset: int, size: int) -> list[Order]:
    """Newest first; `offset` rows skipped (the page token's position)."""
    if not caller.privileged:
        if not (query.buyer_id or query.worker_id):
            raise PermissionDenied("give buyer_id or worker_id (your own)")
        for owner in filter(None, (query.buyer_id, query.worker_id)):
            caller.require_access_to(owner)
    async with new_unit() as unit:
        return await unit.orders.search(query, offset=offset, size=size)
