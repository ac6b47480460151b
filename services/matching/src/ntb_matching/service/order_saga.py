"""The order saga: money moves in laborcoin, the order knows it, and a crash in between
is resumed from the recorded steps.

Protocol, per step: (1) record the step STARTED with every id and amount of its
ledger call, in matching's database; (2) make the call; (3) record the outcome and the
order's transition in one transaction with its events. A crash after (1) or (2) leaves
a STARTED step: `advance` repeats exactly the same call - laborcoin answers the first
result (request ids and transfer ids derive from the order) - and goes on to (3).
A refused call (a rule) is definitive and moved nothing; an unanswered call is
repeated until answered. Nothing is guessed, so money never moves twice or unseen.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import structlog
from sqlalchemy.exc import IntegrityError, OperationalError

from ntb_matching.domain.order import (
    Order,
    OrderStatus,
    Saga,
    SagaStep,
    Settlement,
    StepKind,
    StepStatus,
    derived_id,
    escrow_units_for,
    fen_to_buy,
)
from ntb_matching.domain.order_events import (
    LaborReturned,
    OrderCancelled,
    OrderCompleted,
    OrderDisputeResolved,
    OrderFunded,
)
from ntb_matching.service.ledger_gateway import (
    LedgerGateway,
    LedgerRefused,
    LedgerUnavailable,
    Quote,
)
from ntb_matching.service.unit_of_work import MatchingUnitOfWork, NewUnit

log = structlog.get_logger(__name__)

# The escrow reservation lasts until the order is due plus this long (confirmation and
# disputes); then laborcoin releases it to the buyer and the order learns it.
ESCROW_GRACE_S = 14 * 86_400
ESCROW_TIMEOUT_MIN_S = 3_600
_TRANSITIONS_MAX = 4  # quote, purchase, escrow: a saga never needs more rounds
# Refusals of a void that still leave the escrow void: the goal is reached.
_ALREADY_VOID = frozenset({"PENDING_TRANSFER_ALREADY_VOIDED", "PENDING_TRANSFER_EXPIRED"})


@dataclass(frozen=True)
class SagaSettings:
    escrow_grace_s: int = ESCROW_GRACE_S
    escrow_timeout_min_s: int = ESCROW_TIMEOUT_MIN_S
    # The recovery worker leaves a step this young to the request driving it (fewer
    # concurrent drivers; both would be correct, the database sorts them out).
    resume_after_s: float = 3.0


def reference(order_id: str) -> str:
    return f"order:{order_id}"


def new_step(order: Order, unit_steps: list[SagaStep], kind: StepKind, *, part: str,
             detail: dict[str, str], transfer_id: str = "") -> SagaStep:
    return SagaStep(
        order_id=order.order_id, step_no=len(unit_steps) + 1, kind=kind,
        attempt=order.payment_attempt, request_id=derived_id(order.order_id, part),
        transfer_id=transfer_id, status=StepStatus.STARTED, detail=detail,
        started_at=datetime.now(UTC))


async def advance(new_unit: NewUnit, ledger: LedgerGateway, order_id: str,
                  settings: SagaSettings = SagaSettings()) -> None:
    """Drive the order's step in flight to its outcome, or stop where laborcoin stops
    answering. Safe to run any number of times, also concurrently (the outcome is
    recorded once: under the order's row lock, only over a STARTED step)."""
    for _ in range(_TRANSITIONS_MAX):
        async with new_unit() as unit:
            order = await unit.orders.get(order_id)
            steps = await unit.orders.steps(order_id)
        if order is None or order.saga is None:
            return
        step = next((s for s in steps if s.status is StepStatus.STARTED), None)
        try:
            if step is None and order.saga is not Saga.FUND:
                continue  # read between a concurrent driver's two statements: read again
            if step is None:
                await _plan_payment(new_unit, ledger, order, settings)
                continue
            result = await _call(ledger, order, step)
        except LedgerUnavailable as error:
            log.info("laborcoin did not answer; the saga resumes later", order_id=order_id,
                     error=str(error))
            return
        except LedgerRefused as refused:
            assert step is not None
            await _record_refusal(new_unit, step, refused)
            continue
        await _record_success(new_unit, step, result)


async def _plan_payment(new_unit: NewUnit, ledger: LedgerGateway, order: Order,
                        settings: SagaSettings) -> None:
    """First step of a payment attempt: price the escrow now, buy the shortfall first."""
    refusal: str | None = None
    try:
        quote = await ledger.quote(order.buyer_id)
    except LedgerRefused as refused:  # e.g. the buyer has no LBC wallet
        quote, refusal = Quote(Decimal(1), 0, ""), refused.reason
    units = escrow_units_for(order.labor_value_fen, quote.coin_price)
    now = datetime.now(UTC)
    expires_at = max(order.due_at + timedelta(seconds=settings.escrow_grace_s),
                     now + timedelta(seconds=settings.escrow_timeout_min_s))
    plan = {"escrow_units": str(units), "coin_price": str(quote.coin_price),
            "payer_wallet_id": quote.lbc_wallet_id, "expires_at": expires_at.isoformat(),
            "timeout_s": str(int((expires_at - now).total_seconds()))}
    shortfall = units - quote.lbc_available_units
    attempt = order.payment_attempt
    async with new_unit() as unit:
        current = await unit.orders.get(order.order_id, for_update=True)
        steps = await unit.orders.steps(order.order_id)
        if (current is None or current.saga is not Saga.FUND
                or current.payment_attempt != attempt
                or any(s.attempt == attempt for s in steps)):
            return  # a concurrent driver planned it first
        refusal = refusal or _payment_refusal(current, quote.coin_price, shortfall)
        if refusal is not None:
            failed = new_step(current, steps, StepKind.ESCROW, part=f"escrow/{attempt}",
                              detail=plan)
            await unit.orders.add_step(failed)
            assert await unit.orders.finish_step(failed, StepStatus.FAILED, reason=refusal)
            current.payment_failed()
            await unit.orders.save(current)
        elif shortfall > 0:
            pay_fen = fen_to_buy(shortfall, quote.coin_price)
            await unit.orders.add_step(new_step(
                current, steps, StepKind.PURCHASE, part=f"purchase/{attempt}",
                detail={**plan, "pay_fen": str(pay_fen), "shortfall_units": str(shortfall)}))
        else:
            await unit.orders.add_step(_escrow_step(current, steps, plan))
        await unit.commit()


def _payment_refusal(order: Order, price: Decimal, shortfall: int) -> str | None:
    if shortfall > 0 and not order.buy_coins_if_needed:
        return "EXCEEDS_CREDITS"
    if shortfall > 0 and order.max_coin_price is not None and price > order.max_coin_price:
        return "PRICE_ABOVE_LIMIT"
    return None


def _escrow_step(order: Order, steps: list[SagaStep], plan: dict[str, str]) -> SagaStep:
    attempt = order.payment_attempt
    return new_step(order, steps, StepKind.ESCROW, part=f"escrow-request/{attempt}",
                    detail={k: plan[k] for k in ("escrow_units", "coin_price",
                                                 "payer_wallet_id", "expires_at",
                                                 "timeout_s")},
                    transfer_id=derived_id(order.order_id, f"escrow/{attempt}"))


async def _call(ledger: LedgerGateway, order: Order, step: SagaStep) -> dict[str, str]:
    """The step's ledger call, with exactly the recorded ids and amounts."""
    d, ref = step.detail, reference(order.order_id)
    if step.kind is StepKind.PURCHASE:
        bought = await ledger.purchase_for_order(
            request_id=step.request_id, buyer_id=order.buyer_id, pay_fen=int(d["pay_fen"]),
            order_id=order.order_id, max_price=Decimal(d["coin_price"]))
        return {"paid_fen": str(bought.paid_fen), "received_units": str(bought.received_units),
                "price": str(bought.price)}
    if step.kind is StepKind.ESCROW:
        await ledger.create_escrow(
            request_id=step.request_id, transfer_id=step.transfer_id,
            payer_wallet_id=d["payer_wallet_id"], units=int(d["escrow_units"]),
            timeout_s=int(d["timeout_s"]), reference=ref)
        return {}
    if step.kind is StepKind.SETTLE:
        payee = await ledger.lbc_wallet(order.worker_id)
        s = await ledger.settle_escrow(
            request_id=step.request_id, pending_id=order.escrow_transfer_id,
            payee_wallet_id=payee, gross_units=int(d["gross_units"]), reference=ref)
        return {"gross": str(s.gross_units), "fee": str(s.fee_units), "net": str(s.net_units),
                "retired": str(s.retired_units), "refunded": str(s.refunded_units),
                "transfer_ids": ",".join(s.transfer_ids), "price_after": str(s.price_after)}
    assert step.kind is StepKind.VOID
    try:
        await ledger.void_escrow(request_id=step.request_id, pending_id=order.escrow_transfer_id,
                                 reason=d.get("reason", ""))
    except LedgerRefused as refused:
        if refused.reason not in _ALREADY_VOID:
            raise
        return {"escrow": refused.reason}
    return {}


async def _locked(unit: MatchingUnitOfWork, step: SagaStep) -> Order | None:
    """The order, locked, if this step is still waiting for its outcome."""
    order = await unit.orders.get(step.order_id, for_update=True)
    current = next((s for s in await unit.orders.steps(step.order_id)
                    if s.step_no == step.step_no), None)
    if order is None or current is None or current.status is not StepStatus.STARTED:
        return None
    return order


async def _record_success(new_unit: NewUnit, step: SagaStep, result: dict[str, str]) -> None:
    async with new_unit() as unit:
        order = await _locked(unit, step)
        if order is None:
            return
        if not await unit.orders.finish_step(step, StepStatus.DONE, result=result):
            return  # a concurrent driver recorded it first (SQLite has no row locks)
        now = datetime.now(UTC)
        if step.kind is StepKind.PURCHASE:
            steps = await unit.orders.steps(order.order_id)
            await unit.orders.add_step(_escrow_step(order, steps, step.detail))
        elif step.kind is StepKind.ESCROW:
            order.funded(escrow_units=int(step.detail["escrow_units"]),
                         coin_price=Decimal(step.detail["coin_price"]),
                         transfer_id=step.transfer_id,
                         expires_at=datetime.fromisoformat(step.detail["expires_at"]), at=now)
            unit.record(OrderFunded(order))
        elif step.kind is StepKind.SETTLE:
            settlement = Settlement(
                int(result["gross"]), int(result["fee"]), int(result["net"]),
                int(result["retired"]), int(result["refunded"]),
                tuple(filter(None, result["transfer_ids"].split(","))), result["price_after"])
            order.completed(settlement, now)
            if order.dispute is not None:
                unit.record(OrderDisputeResolved(order))
            unit.record(OrderCompleted(order))
        else:
            await _cancel_in(unit, order, now)
        await unit.orders.save(order)
        await unit.commit()


async def _cancel_in(unit: MatchingUnitOfWork, order: Order, now: datetime, *,
                     reason: str = "", by: str = "") -> None:
    """The escrow is void: the order is cancelled; undelivered hours go back on sale."""
    was_funded = bool(order.escrow_transfer_id)
    order.cancelled(now, reason=reason, by=by)
    if order.dispute is not None and order.dispute.outcome is not None:
        unit.record(OrderDisputeResolved(order))
    unit.record(OrderCancelled(order, order.escrow_units if was_funded else 0))
    if order.hours_return_on_cancel:
        await return_hours(unit, order, now)


async def return_hours(unit: MatchingUnitOfWork, order: Order, now: datetime) -> None:
    entrustment = await unit.entrustments.get(order.entrustment_id, for_update=True)
    if entrustment is not None and entrustment.give_back(order.hours):
        await unit.entrustments.save(entrustment)
        unit.record(LaborReturned(entrustment, order.hours, order.order_id, now))
    posted = await unit.demands.get(order.demand_id, for_update=True)
    if posted is not None and posted.status in ("OPEN", "FILLED"):
        await unit.demands.set_open_hours(order.demand_id, posted.open_hours + order.hours,
                                          "OPEN")


async def _record_refusal(new_unit: NewUnit, step: SagaStep, refused: LedgerRefused) -> None:
    async with new_unit() as unit:
        order = await _locked(unit, step)
        if order is None:
            return
        if not await unit.orders.finish_step(step, StepStatus.FAILED, reason=refused.reason):
            return
        log.warning("laborcoin refused a saga step", order_id=order.order_id,
                    step=step.kind.value, reason=refused.reason)
        if step.kind in (StepKind.PURCHASE, StepKind.ESCROW):
            order.payment_failed()
        elif step.kind is StepKind.SETTLE and refused.reason in _ALREADY_VOID:
            await _cancel_in(unit, order, datetime.now(UTC), reason="ESCROW_EXPIRED",
                             by="platform")
        else:
            # Cannot happen unless someone moved the escrow outside this saga: the order
            # keeps its state with the failed step on record for an operator.
            order.saga = None
            order.check()
        await unit.orders.save(order)
        await unit.commit()


async def advance_guarded(new_unit: NewUnit, ledger: LedgerGateway, order_id: str,
                          settings: SagaSettings = SagaSettings()) -> None:
    """`advance`, where losing a race to a concurrent driver is no error: its
    transaction rolled back, the step stays as recorded, the winner goes on."""
    try:
        await advance(new_unit, ledger, order_id, settings)
    except (IntegrityError, OperationalError) as error:
        log.info("a concurrent driver moved the saga first", order_id=order_id,
                 error=type(error).__name__)


async def learn_expiry(new_unit: NewUnit, ledger: LedgerGateway, order_id: str) -> bool:
    """An escrow past its timeout that laborcoin released: the order is cancelled."""
    async with new_unit() as unit:
        order = await unit.orders.get(order_id)
    if order is None or order.saga is not None or not order.escrow_transfer_id:
        return False
    if await ledger.pending_status(order.escrow_transfer_id) != "EXPIRED":
        return False
    async with new_unit() as unit:
        order = await unit.orders.get(order_id, for_update=True)
        if order is None or order.saga is not None or order.status not in (
                OrderStatus.FUNDED, OrderStatus.DELIVERED, OrderStatus.DISPUTED):
            return False
        await _cancel_in(unit, order, datetime.now(UTC), reason="ESCROW_EXPIRED",
                         by="platform")
        await unit.orders.save(order)
        await unit.commit()
    return True


async def recover_once(new_unit: NewUnit, ledger: LedgerGateway, *,
                       settings: SagaSettings = SagaSettings(), batch_size_max: int = 100
                       ) -> int:
    """One pass: resume every saga in flight, learn of escrows that timed out."""
    async with new_unit() as unit:
        in_flight = await unit.orders.in_flight(batch_size_max)
        due = await unit.orders.escrows_due(datetime.now(UTC), batch_size_max)
    resume_before = datetime.now(UTC) - timedelta(seconds=settings.resume_after_s)
    for order_id in in_flight:
        async with new_unit() as unit:
            steps = await unit.orders.steps(order_id)
        if any(s.status is StepStatus.STARTED and s.started_at > resume_before for s in steps):
            continue
        await advance_guarded(new_unit, ledger, order_id, settings)
    learned = 0
    for order_id in due:
        with contextlib.suppress(LedgerUnavailable):
            learned += await learn_expiry(new_unit, ledger, order_id)
    return len(in_flight) + learned


async def run_recovery(new_unit: NewUnit, ledger: LedgerGateway, stop: asyncio.Event, *,
                       period_s: float = 2.0, settings: SagaSettings = SagaSettings()) -> None:
    """Background task: after a restart (or laborcoin's return) unfinished sagas finish."""
    while not stop.is_set():
        try:
            await recover_once(new_unit, ledger, settings=settings)
        except Exception:  # one bad order must not stop the others' recovery
            log.exception("order recovery pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), period_s)
