"""What scf-exchange's use cases need from a unit of work (adapters provide it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from ntb_scf_exchange.domain.alliances import Alliance, Application, Member
from ntb_scf_exchange.domain.events import Event
from ntb_scf_exchange.domain.financing import Bid, Financing
from ntb_scf_exchange.domain.letters_of_credit import LetterOfCredit
from ntb_scf_exchange.domain.logistics import Device, Shipment, WarehouseReceipt
from ntb_scf_exchange.domain.payables import Payable
from ntb_scf_exchange.domain.securitization import Securitization
from ntb_scf_exchange.domain.trade import Invoice, PurchaseOrder
from ntbkit.storage.unit_of_work import UnitOfWork

T = TypeVar("T")


class Store(Protocol[T]):
    async def add(self, item: T) -> None: ...

    async def save(self, item: T) -> None: ...

    async def get(self, *key: str, for_update: bool = False) -> T | None: ...

    async def delete(self, *key: str) -> None: ...

    async def find(self, where: dict[str, Any] | None = None, *, order: tuple[str, ...] = (),
                   offset: int = 0, limit: int = ...) -> list[T]: ...


@dataclass(frozen=True)
class DueWork:
    work_id: str
    kind: str  # "SETTLE_ROOT" | "SETTLE_FINANCING" | "WIND_UP_POOL"
    subject_id: str
    due_at: datetime
    attempts: int = 0


class DueWorkStore(Protocol):
    async def schedule(self, work: DueWork) -> None: ...

    async def due(self, now: datetime, limit: int) -> list[DueWork]: ...

    async def finish(self, work_id: str, at: datetime) -> None: ...

    async def postpone(self, work_id: str, *, until: datetime, error: str) -> None: ...


class SecuritizationStore(Store[Securitization], Protocol):
    async def of_tranche(self, tranche_id: str) -> str | None: ...


class ScfUnitOfWork(UnitOfWork):
    alliances: Store[Alliance]
    members: Store[Member]
    applications: Store[Application]
    orders: Store[PurchaseOrder]
    invoices: Store[Invoice]
    payables: Store[Payable]
    financings: Store[Financing]
    bids: Store[Bid]
    securitizations: SecuritizationStore
    devices: Store[Device]
    receipts: Store[WarehouseReceipt]
    shipments: Store[Shipment]
    letters_of_credit: Store[LetterOfCredit]
    due_work: DueWorkStore

    def record(self, event: Event) -> None:
        raise NotImplementedError


NewUnit = Callable[[], ScfUnitOfWork]
Clock = Callable[[], datetime]
