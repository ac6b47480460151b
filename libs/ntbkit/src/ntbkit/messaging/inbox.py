"""Consumers whose effects commit together with their inbox marks.

A batch of events is applied in one transaction (one commit for the batch, then the
offsets): a redelivered event finds its mark and has no second effect. When the
batch fails, the consumer loop retries its events one by one, so a poison event is
isolated, dead-lettered, and the rest still apply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from ntbkit.messaging.envelope import EventEnvelope
from ntbkit.storage.unit_of_work import UnitOfWork

UnitT = TypeVar("UnitT", bound=UnitOfWork)


class InboxHandler(Generic[UnitT]):
    def __init__(
        self,
        new_unit: Callable[[], UnitT],
        *,
        group: str,
        apply: Callable[[UnitT, EventEnvelope], Awaitable[None]],
    ) -> None:
        self.group = group
        self._new_unit = new_unit
        self._apply = apply

    async def handle_batch(self, envelopes: Sequence[EventEnvelope]) -> None:
        async with self._new_unit() as unit:
            for envelope in envelopes:
                if await unit.first_handling(group=self.group, envelope=envelope):
                    await self._apply(unit, envelope)
            await unit.commit()

    async def handle_one(self, envelope: EventEnvelope) -> None:
        await self.handle_batch([envelope])
