"""scf-exchange's unit of work: ntbkit's transaction plus scf-exchange's repositories."""

from __future__ import annotations

from typing import Self

from ntb_scf_exchange.adapters import event_codec, repository
from ntb_scf_exchange.domain.events import Event
from ntb_scf_exchange.service import unit_of_work


class SqlScfUnitOfWork(unit_of_work.ScfUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        session = self.session
        self.alliances = repository.alliances(session)
        self.members = repository.members(session)
        self.applications = repository.applications(session)
        self.orders = repository.orders(session)
        self.invoices = repository.invoices(session)
        self.payables = repository.payables(session)
        self.financings = repository.financings(session)
        self.bids = repository.bids(session)
        self.securitizations = repository.SecuritizationRepository(session)
        self.devices = repository.devices(session)
        self.receipts = repository.receipts(session)
        self.shipments = repository.shipments(session)
        self.letters_of_credit = repository.letters_of_credit(session)
        self.due_work = repository.DueWorkRepository(session)
        return self

    def record(self, event: Event) -> None:
        topic, key, message = event_codec.encode(event)
        self.emit(topic=topic, key=key, message=message)
