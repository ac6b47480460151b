"""scf-exchange's aggregates in SQL: one generic document repository per table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from ntb_scf_exchange.adapters import tables
from ntb_scf_exchange.domain.alliances import Alliance, Application, Member
from ntb_scf_exchange.domain.financing import Bid, Financing
from ntb_scf_exchange.domain.letters_of_credit import LetterOfCredit
from ntb_scf_exchange.domain.logistics import Device, Shipment, WarehouseReceipt
from ntb_scf_exchange.domain.payables import Payable, PayableStatus
from ntb_scf_exchange.domain.securitization import Securitization
from ntb_scf_exchange.domain.trade import Invoice, PurchaseOrder
from ntb_scf_exchange.service.unit_of_work import DueWork
from ntbkit.documents import dump, load_as

T = TypeVar("T")
LIST_LIMIT_MAX = 10_000


class Documents(Generic[T]):
    """Rows of `table` holding one `cls` each: key columns, index columns, JSON body."""

    def __init__(self, session: AsyncSession, table: sa.Table, cls: type[T],
                 keys: tuple[str, ...], index: Callable[[T], dict[str, Any]]) -> None:
        self._session, self._table, self._cls = session, table, cls
        self._keys, self._index = keys, index

    def _row(self, item: T) -> dict[str, Any]:
        return {**{k: getattr(item, k) for k in self._keys}, **self._index(item),
                "body": dump(item)}

    async def add(self, item: T) -> None:
        await self._session.execute(self._table.insert().values(**self._row(item)))

    async def save(self, item: T) -> None:
        row = self._row(item)
        where = [self._table.c[k] == row.pop(k) for k in self._keys]
        await self._session.execute(self._table.update().where(*where).values(**row))

    async def delete(self, *key: str) -> None:
        await self._session.execute(self._table.delete().where(
            *[self._table.c[k] == v for k, v in zip(self._keys, key, strict=True)]))

    async def get(self, *key: str, for_update: bool = False) -> T | None:
        query = sa.select(self._table.c.body).where(
            *[self._table.c[k] == v for k, v in zip(self._keys, key, strict=True)])
        if for_update:
            query = query.with_for_update()
        body = (await self._session.execute(query)).scalar_one_or_none()
        return None if body is None else load_as(self._cls, body)

    async def find(self, where: dict[str, Any] | None = None, *, order: tuple[str, ...] = (),
                   offset: int = 0, limit: int = LIST_LIMIT_MAX) -> list[T]:
        """Rows whose columns equal `where`'s values (a list or tuple: any of them),
        ordered by columns ("-name" descending)."""
        c = self._table.c
        conditions = [c[k].in_(list(v)) if isinstance(v, list | tuple | frozenset | set)
                      else c[k] == v for k, v in (where or {}).items()]
        ordering = [c[o[1:]].desc() if o.startswith("-") else c[o] for o in order]
        query = sa.select(c.body).where(*conditions).order_by(*ordering).offset(
            offset).limit(min(limit, LIST_LIMIT_MAX))
        return [load_as(self._cls, b) for b in (await self._session.execute(query)).scalars()]


def alliances(session: AsyncSession) -> Documents[Alliance]:
    return Documents(session, tables.alliances, Alliance, ("alliance_id",), lambda a: {
        "parent_alliance_id": a.parent_alliance_id, "name": a.name,
        "created_at": a.created_at})


def members(session: AsyncSession) -> Documents[Member]:
    return Documents(session, tables.alliance_members, Member, ("alliance_id", "member_id"),
                     lambda m: {"joined_at": m.joined_at})


def applications(session: AsyncSession) -> Documents[Application]:
    return Documents(session, tables.membership_applications, Application, ("application_id",),
                     lambda a: {"alliance_id": a.alliance_id, "applicant_id": a.applicant_id,
                                "status": a.status.value, "created_at": a.applied_at})


def orders(session: AsyncSession) -> Documents[PurchaseOrder]:
    return Documents(session, tables.purchase_orders, PurchaseOrder, ("purchase_order_id",),
                     lambda o: {"buyer_id": o.buyer_id, "seller_id": o.seller_id,
                                "alliance_id": o.alliance_id, "number": o.number,
                                "created_at": o.created_at})


def invoices(session: AsyncSession) -> Documents[Invoice]:
    return Documents(session, tables.invoices, Invoice, ("invoice_id",), lambda i: {
        "seller_id": i.seller_id, "buyer_id": i.buyer_id,
        "purchase_order_id": i.purchase_order_id, "status": i.status.value,
        "number": i.number, "created_at": i.created_at})


def payables(session: AsyncSession) -> Documents[Payable]:
    return Documents(session, tables.payables, Payable, ("payable_id",), lambda p: {
        "root_payable_id": p.root_payable_id, "parent_payable_id": p.parent_payable_id,
        "holder_id": p.holder_id, "obligor_id": p.obligor_id, "status": p.status.value,
        "maturity_date": p.maturity_date, "created_at": p.created_at})


def financings(session: AsyncSession) -> Documents[Financing]:
    return Documents(session, tables.financings, Financing, ("financing_id",), lambda f: {
        "applicant_id": f.applicant_id, "funder_id": f.funder_id, "product": f.product.value,
        "status": f.status.value, "alliance_id": f.alliance_id,
        "collateral_id": f.collateral_id, "created_at": f.created_at})


def bids(session: AsyncSession) -> Documents[Bid]:
    return Documents(session, tables.bids, Bid, ("bid_id",), lambda b: {
        "financing_id": b.financing_id, "funder_id": b.funder_id, "status": b.status.value,
        "created_at": b.created_at})


def devices(session: AsyncSession) -> Documents[Device]:
    return Documents(session, tables.devices, Device, ("device_id",), lambda d: {
        "owner_id": d.owner_id, "public_key": d.public_key.hex(),
        "created_at": d.registered_at})


def receipts(session: AsyncSession) -> Documents[WarehouseReceipt]:
    return Documents(session, tables.warehouse_receipts, WarehouseReceipt, ("receipt_id",),
                     lambda r: {"warehouse_id": r.warehouse_id, "depositor_id": r.depositor_id,
                                "status": r.status.value, "created_at": r.issued_at})


def shipments(session: AsyncSession) -> Documents[Shipment]:
    return Documents(session, tables.shipments, Shipment, ("shipment_id",), lambda x: {
        "purchase_order_id": x.purchase_order_id, "carrier_id": x.carrier_id,
        "created_at": x.created_at})


def letters_of_credit(session: AsyncSession) -> Documents[LetterOfCredit]:
    return Documents(session, tables.letters_of_credit, LetterOfCredit,
                     ("letter_of_credit_id",), lambda c: {
                         "applicant_id": c.applicant_id, "beneficiary_id": c.beneficiary_id,
                         "issuing_bank_id": c.issuing_bank_id, "status": c.status.value,
                         "created_at": c.issued_at})


class SecuritizationRepository(Documents[Securitization]):
    """Securitizations, found also by one of their tranches."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, tables.securitizations, Securitization,
                         ("securitization_id",), lambda s: {
                             "sponsor_id": s.sponsor_id, "status": s.status.value,
                             "created_at": s.created_at})
        self._s = session

    async def add(self, item: Securitization) -> None:
        await super().add(item)
        await self._s.execute(tables.securitization_tranches.insert(), [
            {"tranche_id": t.tranche_id, "securitization_id": item.securitization_id}
            for t in item.tranches])

    async def of_tranche(self, tranche_id: str) -> str | None:
        t = tables.securitization_tranches
        return (await self._s.execute(sa.select(t.c.securitization_id).where(
            t.c.tranche_id == tranche_id))).scalar_one_or_none()


class DueWorkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def schedule(self, work: DueWork) -> None:
        """Add the work unless the same work id is already scheduled."""
        t = tables.due_work
        exists = (await self._session.execute(
            sa.select(t.c.work_id).where(t.c.work_id == work.work_id))).first()
        if exists is None:
            await self._session.execute(t.insert().values(
                work_id=work.work_id, kind=work.kind, subject_id=work.subject_id,
                due_at=work.due_at, attempts=0))

    async def due(self, now: datetime, limit: int) -> list[DueWork]:
        t = tables.due_work
        rows = await self._session.execute(
            sa.select(t.c.work_id, t.c.kind, t.c.subject_id, t.c.due_at, t.c.attempts)
            .where(t.c.done_at.is_(None), t.c.due_at <= now)
            .order_by(t.c.due_at, t.c.work_id).limit(limit))
        return [DueWork(r.work_id, r.kind, r.subject_id, r.due_at, r.attempts) for r in rows]

    async def finish(self, work_id: str, at: datetime) -> None:
        t = tables.due_work
        await self._session.execute(t.update().where(t.c.work_id == work_id).values(done_at=at))

    async def postpone(self, work_id: str, *, until: datetime, error: str) -> None:
        t = tables.due_work
        await self._session.execute(t.update().where(t.c.work_id == work_id).values(
            due_at=until, attempts=t.c.attempts + 1, last_error=error[:500]))


async def leaf_payables_due(session: AsyncSession, on_or_before: date) -> list[str]:
    """Roots with held pieces maturing by that date (used by tests and repair)."""
    t = tables.payables
    rows = await session.execute(sa.select(sa.distinct(t.c.root_payable_id)).where(
        t.c.maturity_date <= on_or_before,
        t.c.status.in_([PayableStatus.OUTSTANDING.value, PayableStatus.ENCUMBERED.value])))
    return [r[0] for r in rows]
