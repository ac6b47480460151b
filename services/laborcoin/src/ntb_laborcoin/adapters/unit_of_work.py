"""laborcoin's unit of work: ntbkit's transaction plus the ledger's repositories."""

from __future__ import annotations

from typing import Self

from ntb_laborcoin.adapters import event_codec
from ntb_laborcoin.adapters.coin_store import CoinStore
from ntb_laborcoin.adapters.ledger_store import LedgerStore, TransferRepository
from ntb_laborcoin.adapters.ledger_store_pg import PostgresLedgerStore
from ntb_laborcoin.adapters.log_store import LogStore
from ntb_laborcoin.adapters.repository import AccountRepository
from ntb_laborcoin.service import unit_of_work


class SqlLaborCoinUnitOfWork(unit_of_work.LaborCoinUnitOfWork):

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.accounts = AccountRepository(self.session)
        postgres = self.session.sync_session.get_bind().dialect.name == "postgresql"
        self.ledger = PostgresLedgerStore(self.session) if postgres else LedgerStore(self.session)
        self.transfers = TransferRepository(self.session)
        self.coin = CoinStore(self.session)
        self.log = LogStore(self.session)
        return self

    def record(self, event: unit_of_work.Event) -> None:
        topic, key, message = event_codec.encode(event)
        self.emit(topic=topic, key=key, message=message)
