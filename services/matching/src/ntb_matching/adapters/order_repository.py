"""Orders and their saga steps in SQL (SQL lives only in adapters)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_matching.adapters.tables import order_saga_steps, orders
from ntb_matching.domain.order import (
    Dispute,
    DisputeOutcome,
    Order,
    OrderStatus,
    Saga,
    SagaStep,
    Settlement,
    StepKind,
    StepStatus,
)
from ntbkit.timestamps import as_utc

if TYPE_CHECKING:
    from ntb_matching.service.orders import OrderQuery


def _settlement(s: Settlement | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {"gross": s.gross_units, "fee": s.fee_units, "net": s.net_units,
            "retired": s.retired_units, "refunded": s.refunded_units,
            "transfer_ids": list(s.transfer_ids), "price_after": s.price_after}


def _dispute(d: Dispute | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"raised_by": d.raised_by, "reason": d.reason, "raised_at": d.raised_at.isoformat(),
            "evidence": d.evidence, "outcome": d.outcome.value if d.outcome else None,
            "worker_share": None if d.worker_share is None else str(d.worker_share),
            "resolution_note": d.resolution_note, "resolved_by": d.resolved_by,
            "resolved_at": d.resolved_at.isoformat() if d.resolved_at else None}


def _row(o: Order) -> dict[str, Any]:
    return {
        "demand_id": o.demand_id, "entrustment_id": o.entrustment_id, "buyer_id": o.buyer_id,
        "worker_id": o.worker_id, "hours": str(o.hours), "hourly_price_fen": o.hourly_price_fen,
        "labor_value_fen": o.labor_value_fen, "due_at": o.due_at, "created_at": o.created_at,
        "status": o.status.value, "saga": o.saga.value if o.saga else None,
        "payment_attempt": o.payment_attempt, "buy_coins_if_needed": o.buy_coins_if_needed,
        "max_coin_price": None if o.max_coin_price is None else str(o.max_coin_price),
        "escrow_units": o.escrow_units,
        "coin_price": None if o.coin_price is None else str(o.coin_price),
        "escrow_transfer_id": o.escrow_transfer_id, "escrow_expires_at": o.escrow_expires_at,
        "funded_at": o.funded_at, "delivered_at": o.delivered_at,
        "completed_at": o.completed_at, "cancelled_at": o.cancelled_at, "late": o.late,
        "rating": o.rating, "comment": o.comment, "delivery_note": o.delivery_note,
        "cancel_reason": o.cancel_reason, "cancelled_by": o.cancelled_by,
        "settlement": _settlement(o.settlement), "dispute": _dispute(o.dispute),
        "version": o.version,
    }


def _when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _order(row: Any) -> Order:
    s, d = row["settlement"], row["dispute"]
    due_at, created_at = as_utc(row["due_at"]), as_utc(row["created_at"])
    assert due_at is not None and created_at is not None
    dispute = None
    if d is not None:
        raised_at = _when(d["raised_at"])
        assert raised_at is not None
        dispute = Dispute(
            d["raised_by"], d["reason"], raised_at, d["evidence"],
            DisputeOutcome(d["outcome"]) if d["outcome"] else None,
            None if d["worker_share"] is None else Decimal(d["worker_share"]),
            d["resolution_note"], d["resolved_by"], _when(d["resolved_at"]))
    return Order(
        order_id=row["order_id"], demand_id=row["demand_id"],
        entrustment_id=row["entrustment_id"], buyer_id=row["buyer_id"],
        worker_id=row["worker_id"], hours=Decimal(row["hours"]),
        hourly_price_fen=row["hourly_price_fen"], labor_value_fen=row["labor_value_fen"],
        due_at=due_at, created_at=created_at, status=OrderStatus(row["status"]),
        saga=Saga(row["saga"]) if row["saga"] else None,
        payment_attempt=row["payment_attempt"], buy_coins_if_needed=row["buy_coins_if_needed"],
        max_coin_price=None if row["max_coin_price"] is None else Decimal(row["max_coin_price"]),
        escrow_units=row["escrow_units"],
        coin_price=None if row["coin_price"] is None else Decimal(row["coin_price"]),
        escrow_transfer_id=row["escrow_transfer_id"],
        escrow_expires_at=as_utc(row["escrow_expires_at"]), funded_at=as_utc(row["funded_at"]),
        delivered_at=as_utc(row["delivered_at"]), completed_at=as_utc(row["completed_at"]),
        cancelled_at=as_utc(row["cancelled_at"]), late=row["late"], rating=row["rating"],
        comment=row["comment"], delivery_note=row["delivery_note"],
        cancel_reason=row["cancel_reason"], cancelled_by=row["cancelled_by"],
        settlement=None if s is None else Settlement(
            s["gross"], s["fee"], s["net"], s["retired"], s["refunded"],
            tuple(s["transfer_ids"]), s["price_after"]),
        dispute=dispute, version=row["version"])


def _step(row: Any) -> SagaStep:
    started_at = as_utc(row["started_at"])
    assert started_at is not None
    return SagaStep(
        order_id=row["order_id"], step_no=row["step_no"], kind=StepKind(row["kind"]),
        attempt=row["attempt"], request_id=row["request_id"], transfer_id=row["transfer_id"],
        status=StepStatus(row["status"]), detail=dict(row["detail"]),
        started_at=started_at, reason=row["reason"], result=dict(row["result"]),
        finished_at=as_utc(row["finished_at"]))


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _lockable(self, query: sa.Select[Any]) -> sa.Select[Any]:
        if self._session.sync_session.get_bind().dialect.name == "postgresql":
            return query.with_for_update()
        return query  # SQLite: one writer at a time anyway

    async def add(self, order: Order) -> None:
        await self._session.execute(orders.insert().values(order_id=order.order_id,
                                                           **_row(order)))

    async def get(self, order_id: str, *, for_update: bool = False) -> Order | None:
        query = sa.select(orders).where(orders.c.order_id == order_id)
        if for_update:
            query = self._lockable(query)
        row = (await self._session.execute(query)).mappings().first()
        return None if row is None else _order(row)

    async def save(self, order: Order) -> None:
        """Optimistic check on top of the row lock: a lost update would be a bug."""
        order.check()
        updated = await self._session.execute(orders.update().where(
            orders.c.order_id == order.order_id, orders.c.version == order.version
        ).values(**{**_row(order), "version": order.version + 1}))
        assert updated.rowcount == 1, "order changed concurrently"  # type: ignore[attr-defined]
        order.version += 1

    async def steps(self, order_id: str) -> list[SagaStep]:
        rows = (await self._session.execute(
            sa.select(order_saga_steps).where(order_saga_steps.c.order_id == order_id)
            .order_by(order_saga_steps.c.step_no))).mappings()
        return [_step(r) for r in rows]

    async def add_step(self, step: SagaStep) -> None:
        await self._session.execute(order_saga_steps.insert().values(
            order_id=step.order_id, step_no=step.step_no, kind=step.kind.value,
            attempt=step.attempt, request_id=step.request_id, transfer_id=step.transfer_id,
            status=step.status.value, detail=step.detail, reason=step.reason,
            result=step.result, started_at=step.started_at, finished_at=step.finished_at))

    async def finish_step(self, step: SagaStep, status: StepStatus, *, reason: str = "",
                          result: dict[str, str] | None = None) -> bool:
        """False if the step's outcome was recorded already (by a concurrent driver)."""
        updated = await self._session.execute(order_saga_steps.update().where(
            order_saga_steps.c.order_id == step.order_id,
            order_saga_steps.c.step_no == step.step_no,
            order_saga_steps.c.status == StepStatus.STARTED.value,
        ).values(status=status.value, reason=reason, result=result or {},
                 finished_at=datetime.now(UTC)))
        return bool(updated.rowcount == 1)  # type: ignore[attr-defined]

    async def in_flight(self, limit: int) -> list[str]:
        return list((await self._session.execute(
            sa.select(orders.c.order_id).where(orders.c.saga.is_not(None))
            .order_by(orders.c.created_at).limit(limit))).scalars())

    async def escrows_due(self, now: datetime, limit: int) -> list[str]:
        held = (OrderStatus.FUNDED.value, OrderStatus.DELIVERED.value,
                OrderStatus.DISPUTED.value)
        return list((await self._session.execute(
            sa.select(orders.c.order_id).where(
                orders.c.status.in_(held), orders.c.saga.is_(None),
                orders.c.escrow_expires_at <= now)
            .order_by(orders.c.escrow_expires_at).limit(limit))).scalars())

    async def search(self, query: OrderQuery, *, offset: int, size: int) -> list[Order]:
        select = sa.select(orders)
        if query.buyer_id:
            select = select.where(orders.c.buyer_id == query.buyer_id)
        if query.worker_id:
            select = select.where(orders.c.worker_id == query.worker_id)
        if query.status is not None:
            select = select.where(orders.c.status == query.status.value)
        if query.created_from is not None:
            select = select.where(orders.c.created_at >= query.created_from)
        if query.created_until is not None:
            select = select.where(orders.c.created_at < query.created_until)
        rows = (await self._session.execute(select.order_by(
            orders.c.created_at.desc(), orders.c.order_id.desc()).offset(offset).limit(size)
        )).mappings()
        return [_order(r) for r in rows]
