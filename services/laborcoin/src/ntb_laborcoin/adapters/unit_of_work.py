"""laborcoin's unit of work: ntbkit's transaction plus the ledger's repositories."""

from __future__ import annotations

from ntb_laborcoin.adapters import event_codec
from ntb_laborcoin.adapters.repository import AccountRepository
from ntb_laborcoin.domain.events import AccountOpened
from ntbkit.storage.unit_of_work import UnitOfWork


class LaborCoinUnitOfWork(UnitOfWork):
    accounts: AccountRepository

    async def __aenter__(self) -> LaborCoinUnitOfWork:
        await super().__aenter__()
        self.accounts = AccountRepository(self.session)
        return self

    def record(self, event: AccountOpened) -> None:
        topic, key, message = event_codec.encode(event)
        self.emit(topic=topic, key=key, message=message)
