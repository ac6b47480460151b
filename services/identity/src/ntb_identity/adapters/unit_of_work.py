"""identity's unit of work: ntbkit's transaction plus identity's repositories."""

from __future__ import annotations

from typing import Self

from ntb_identity.adapters import event_codec
from ntb_identity.adapters.contract_key_repository import ContractKeyRepository
from ntb_identity.adapters.repository import ApiClientRepository, PrincipalRepository
from ntb_identity.adapters.wave_repository import BehaviourRepository, WaveRepository
from ntb_identity.domain.events import IdentityEvent
from ntb_identity.service import unit_of_work


class SqlIdentityUnitOfWork(unit_of_work.IdentityUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.principals = PrincipalRepository(self.session)
        self.clients = ApiClientRepository(self.session)
        self.waves = WaveRepository(self.session)
        self.behaviour = BehaviourRepository(self.session)
        self.contract_keys = ContractKeyRepository(self.session)
        return self

    def record(self, event: IdentityEvent) -> None:
        topic, key, message = event_codec.encode(event)
        self.emit(topic=topic, key=key, message=message)
