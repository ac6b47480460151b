"""Credit sharing: confirmation with an irrevocable payment undertaking, splits passed
down the chain, each anchored in laborcoin's verifiable log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from ntb_scf_exchange.domain.alliances import Role
from ntb_scf_exchange.domain.events import (
    AnchorRequest,
    PayableConfirmed,
    PayableTransferred,
)
from ntb_scf_exchange.domain.payables import (
    Operation,
    Payable,
    PayableStatus,
    Split,
    confirm_invoice,
    split_payable,
)
from ntb_scf_exchange.service.common import new_id, once
from ntb_scf_exchange.service.trade import invoice_of
from ntb_scf_exchange.service.unit_of_work import Clock, DueWork, NewUnit, ScfUnitOfWork
from ntbkit.auth import Caller
from ntbkit.errors import FailedPrecondition, NotFound, PermissionDenied

SETTLE_ROOT = "SETTLE_ROOT"


@dataclass(frozen=True)
class Confirm:
    request_id: str
    invoice_id: str
    maturity_date: date | None


@dataclass(frozen=True)
class Transfer:
    request_id: str
    payable_id: str
    splits: tuple[Split, ...]


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def anchor_of(operation: Operation, payable_id: str, anchor_id: str, at: datetime
              ) -> AnchorRequest:
    subject = f"payable/{operation.root_payable_id}/{operation.name}/{payable_id}"
    return AnchorRequest(anchor_id, subject, operation.digest(), at)


async def payable_of(unit: ScfUnitOfWork, payable_id: str, *, for_update: bool = False
                     ) -> Payable:
    found = await unit.payables.get(payable_id, for_update=for_update)
    if found is None:
        raise NotFound("payable", payable_id)
    return found


async def _shares_core_alliance(unit: ScfUnitOfWork, core_id: str, seller_id: str) -> bool:
    cores = [m for m in await unit.members.find({"member_id": core_id})
             if m.has(Role.CORE_ENTERPRISE)]
    for membership in cores:
        if await unit.members.get(membership.alliance_id, seller_id) is not None:
            return True
    return False


async def confirm(new_unit: NewUnit, command: Confirm, caller: Caller, clock: Clock) -> Payable:
    async def perform(unit: ScfUnitOfWork) -> str:
        invoice = await invoice_of(unit, command.invoice_id, for_update=True)
        caller.require_may_act_for(invoice.buyer_id)
        if not await _shares_core_alliance(unit, invoice.buyer_id, invoice.seller_id):
            raise FailedPrecondition("NOT_CORE_ENTERPRISE",
                                     "the buyer is no core enterprise of an alliance of the "
                                     "seller")
        maturity = command.maturity_date or invoice.due_date
        if maturity < invoice.due_date or maturity <= clock().date():
            raise FailedPrecondition("MATURITY_INVALID",
                                     "maturity is on or after the due date, in the future")
        now = clock()
        payable, operation = confirm_invoice(
            payable_id=new_id(), invoice_id=invoice.invoice_id, obligor_id=invoice.buyer_id,
            holder_id=invoice.seller_id, face=invoice.amount, maturity_date=maturity,
            anchor_id=new_id(), at=now)
        await unit.invoices.save(invoice.confirmed())
        await unit.payables.add(payable)
        await unit.due_work.schedule(DueWork(f"{SETTLE_ROOT}:{payable.payable_id}", SETTLE_ROOT,
                                             payable.payable_id, start_of(maturity)))
        unit.record(PayableConfirmed(payable))
        unit.record(anchor_of(operation, payable.payable_id, payable.anchor_id, now))
        return payable.payable_id

    payable_id = await once(new_unit, "ConfirmPayable", command.request_id, command, perform)
    return await get_payable(new_unit, payable_id, caller)


async def transfer(new_unit: NewUnit, command: Transfer, caller: Caller, clock: Clock
                   ) -> tuple[Payable, tuple[Payable, ...]]:
    async def perform(unit: ScfUnitOfWork) -> str:
        parent = await payable_of(unit, command.payable_id, for_update=True)
        caller.require_may_act_for(parent.holder_id)
        now = clock()
        anchor_id = new_id()
        split, children, operation = split_payable(
            parent, command.splits, child_ids=tuple(new_id() for _ in range(
                len(command.splits) + 1)), anchor_id=anchor_id, today=now.date(), at=now)
        await unit.payables.save(split)
        for child in children:
            await unit.payables.add(child)
        unit.record(PayableTransferred(split, children, now))
        unit.record(anchor_of(operation, parent.payable_id, anchor_id, now))
        return parent.payable_id

    await once(new_unit, "TransferPayable", command.request_id, command, perform)
    async with new_unit() as unit:
        parent = await payable_of(unit, command.payable_id)
        children = await unit.payables.find({"parent_payable_id": parent.payable_id},
                                            order=("created_at",))
    # children in split order, then the holder's rest (the anchored order)
    return parent, tuple(sorted(children, key=lambda c: _position(c, command.splits, parent)))


def _position(child: Payable, splits: tuple[Split, ...], parent: Payable) -> int:
    for index, split in enumerate(splits):
        if split.recipient_id == child.holder_id and split.units == child.face.units:
            return index
    return len(splits) if child.holder_id == parent.holder_id else len(splits) + 1


async def get_payable(new_unit: NewUnit, payable_id: str, caller: Caller) -> Payable:
    async with new_unit() as unit:
        payable = await payable_of(unit, payable_id)
        if not caller.privileged and caller.subject not in (payable.holder_id,
                                                            payable.obligor_id):
            funders = {f.funder_id for f in await unit.financings.find(
                {"collateral_id": payable_id})}
            if caller.subject not in funders:
                raise PermissionDenied("only the holder, the obligor and its funder see it")
    return payable


async def list_payables(new_unit: NewUnit, *, holder_id: str, obligor_id: str,
                        root_payable_id: str, status: PayableStatus | None, caller: Caller,
                        offset: int, limit: int) -> list[Payable]:
    where: dict[str, object] = {}
    if holder_id:
        where["holder_id"] = holder_id
    if obligor_id:
        where["obligor_id"] = obligor_id
    if root_payable_id:
        where["root_payable_id"] = root_payable_id
    if status is not None:
        where["status"] = status.value
    async with new_unit() as unit:
        if not caller.privileged and caller.subject not in (holder_id, obligor_id):
            if not root_payable_id:
                raise PermissionDenied("list your own payables (holder_id or obligor_id)")
            root = await payable_of(unit, root_payable_id)
            chain = await unit.payables.find({"root_payable_id": root_payable_id})
            if caller.subject not in {p.holder_id for p in chain} | {root.obligor_id}:
                raise PermissionDenied("only parties of the chain see it")
        return await unit.payables.find(where, order=("maturity_date", "created_at", "payable_id"),
                                        offset=offset, limit=limit)
