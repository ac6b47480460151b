"""Securitization of receivable pools: structure, subscribe (investors pay the sponsor
through the ledger), wind up through the waterfall at the end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ntb_scf_exchange.domain import securitization as sec
from ntb_scf_exchange.domain.events import SecuritizationStructured
from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.domain.payables import PayableStatus
from ntb_scf_exchange.service.common import derived_id, new_id, once
from ntb_scf_exchange.service.payables import payable_of, start_of
from ntb_scf_exchange.service.ports import Ledger, Payment, TransferCode
from ntb_scf_exchange.service.unit_of_work import Clock, DueWork, NewUnit, ScfUnitOfWork
from ntbkit.auth import Caller
from ntbkit.errors import NotFound, PermissionDenied

WIND_UP_POOL = "WIND_UP_POOL"


@dataclass(frozen=True)
class CreateSecuritization:
    request_id: str
    sponsor_id: str
    name: str
    payable_ids: tuple[str, ...]
    tranches: tuple[sec.TrancheSpec, ...]


@dataclass(frozen=True)
class SubscribeTranche:
    request_id: str
    tranche_id: str
    investor_id: str
    amount: Money


async def pool_of(unit: ScfUnitOfWork, securitization_id: str, *, for_update: bool = False
                  ) -> sec.Securitization:
    found = await unit.securitizations.get(securitization_id, for_update=for_update)
    if found is None:
        raise NotFound("securitization", securitization_id)
    return found


async def create(new_unit: NewUnit, command: CreateSecuritization, caller: Caller, clock: Clock,
                 *, grace_days: int) -> sec.Securitization:
    caller.require_may_act_for(command.sponsor_id)

    async def perform(unit: ScfUnitOfWork) -> str:
        pool = [await payable_of(unit, pid, for_update=True) for pid in command.payable_ids]
        now = clock()
        securitization_id = new_id()
        last = max(p.maturity_date for p in pool)
        made = sec.structure(
            securitization_id=securitization_id, sponsor_id=command.sponsor_id,
            name=command.name, pool=pool, specs=list(command.tranches),
            tranche_ids=[new_id() for _ in command.tranches], today=now.date(), at=now,
            wind_up_at=start_of(last + timedelta(days=grace_days + 1)))
        for payable in pool:
            await unit.payables.save(payable.encumbered(securitization_id))
        await unit.securitizations.add(made)
        await unit.due_work.schedule(DueWork(f"{WIND_UP_POOL}:{securitization_id}",
                                             WIND_UP_POOL, securitization_id, made.wind_up_at))
        unit.record(SecuritizationStructured(made))
        return securitization_id

    securitization_id = await once(new_unit, "CreateSecuritization", command.request_id,
                                   command, perform)
    return await get(new_unit, securitization_id, caller)


async def subscribe(new_unit: NewUnit, ledger: Ledger, command: SubscribeTranche,
                    caller: Caller) -> tuple[sec.Securitization, str]:
    """The investor pays the sponsor first (transfer id derived from the request: a
    retry pays once), then the subscription is recorded."""
    caller.require_may_act_for(command.investor_id)
    async with new_unit() as unit:
        securitization_id = await unit.securitizations.of_tranche(command.tranche_id)
        if securitization_id is None:
            raise NotFound("tranche", command.tranche_id)
        pool = await pool_of(unit, securitization_id)
    transfer_id = derived_id("subscribe", command.request_id)
    sec.subscribe(pool, tranche_id=command.tranche_id, investor_id=command.investor_id,
                  amount=command.amount, transfer_id=transfer_id)  # refuse before paying
    await ledger.pay([Payment(transfer_id, command.investor_id, pool.sponsor_id,
                              command.amount, TransferCode.FINANCING_DISBURSEMENT,
                              f"securitization:{securitization_id}")])

    async def perform(unit: ScfUnitOfWork) -> str:
        current = await pool_of(unit, securitization_id, for_update=True)
        await unit.securitizations.save(sec.subscribe(
            current, tranche_id=command.tranche_id, investor_id=command.investor_id,
            amount=command.amount, transfer_id=transfer_id))
        return securitization_id

    await once(new_unit, "SubscribeTranche", command.request_id, command, perform)
    return await get(new_unit, securitization_id, caller), transfer_id


async def wind_up(new_unit: NewUnit, ledger: Ledger, work: DueWork, now: datetime) -> None:
    """Collections = faces of the pool's payables its obligors paid (to the sponsor, the
    servicer); the rest is the pool's loss. The waterfall decides who gets what."""
    async with new_unit() as unit:
        pool = await pool_of(unit, work.subject_id)
        payables = [await payable_of(unit, pid) for pid in pool.payable_ids]
    if pool.status is sec.SecuritizationStatus.RETIRED:
        return
    collected = sum(p.face.units for p in payables if p.status is PayableStatus.SETTLED)
    retired, payments = sec.wind_up(pool, collections_units=collected)
    asset = pool.pool_face.asset
    await ledger.pay([Payment(derived_id("pool-payout", pool.securitization_id, tranche, who),
                              pool.sponsor_id, who, Money(asset, units),
                              TransferCode.FINANCING_SETTLEMENT,
                              f"securitization:{pool.securitization_id}")
                      for tranche, who, units in payments])
    async with new_unit() as unit:
        await unit.securitizations.save(retired)
        await unit.due_work.finish(work.work_id, now)
        await unit.commit()


async def get(new_unit: NewUnit, securitization_id: str, caller: Caller) -> sec.Securitization:
    async with new_unit() as unit:
        found = await pool_of(unit, securitization_id)
    investors = {s.investor_id for s in found.subscriptions}
    if not caller.privileged and caller.subject != found.sponsor_id and (
            caller.subject not in investors and found.status is not
            sec.SecuritizationStatus.SUBSCRIBING):
        raise PermissionDenied("only the sponsor and its investors see it once issued")
    return found


async def list_pools(new_unit: NewUnit, *, sponsor_id: str,
                     status: sec.SecuritizationStatus | None, offset: int, limit: int
                     ) -> list[sec.Securitization]:
    where: dict[str, object] = {}
    if sponsor_id:
        where["sponsor_id"] = sponsor_id
    if status is not None:
        where["status"] = status.value
    async with new_unit() as unit:
        return await unit.securitizations.find(where, order=("-created_at",),
                                               offset=offset, limit=limit)

