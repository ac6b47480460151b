"""Small helpers every use case shares: ids, idempotent runs returning an id."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from ntb_scf_exchange.service.unit_of_work import NewUnit, ScfUnitOfWork
from ntbkit.storage.idempotency import run_idempotent

# Namespace of ids derived from business events (ledger transfers, anchors), so that a
# retry derives the same id and has no second effect.
DERIVED = uuid.UUID("6c0f5a53-1d7e-4d0b-9a57-5cf0e3a4b1c2")


def new_id() -> str:
    return str(uuid.uuid4())


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(DERIVED, ":".join(parts)))


async def once(new_unit: NewUnit, operation: str, request_id: str, command: Any,
               perform: Callable[[ScfUnitOfWork], Awaitable[str]]) -> str:
    """Run a command once per request id; its result is the id of what it made."""
    return await run_idempotent(new_unit, operation=operation, request_id=request_id,
                                command=command, perform=perform, encode=str.encode,
                                decode=bytes.decode)
