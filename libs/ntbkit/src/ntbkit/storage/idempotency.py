"""Idempotent commands: a retried request id returns the first result, once.

The first result is stored in the same transaction as the command's effect, so a
crash can never leave an effect without its record, or the reverse.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from ntbkit.storage.unit_of_work import UnitOfWork

ResultT = TypeVar("ResultT")
UnitT = TypeVar("UnitT", bound=UnitOfWork)


def fingerprint(command: Any) -> str:
    """SHA-256 of a command dataclass in canonical JSON: same id + other body differ.

    A command with a `fingerprint()` method (e.g. a large batch that already hashes
    its parts) supplies its own.
    """
    own = getattr(command, "fingerprint", None)
    if callable(own):
        return str(own())
    is_instance = dataclasses.is_dataclass(command) and not isinstance(command, type)
    body = dataclasses.asdict(command) if is_instance else command
    canonical = json.dumps(body, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def run_idempotent(
    new_unit: Callable[[], UnitT],
    *,
    operation: str,
    request_id: str,
    command: Any,
    perform: Callable[[UnitT], Awaitable[ResultT]],
    encode: Callable[[ResultT], bytes],
    decode: Callable[[bytes], ResultT],
) -> ResultT:
    """Run `perform` once per request id, inside one unit of work that it commits with.

    Two concurrent requests with one id: one wins the primary key, the loser
    rolls back and returns the winner's stored result.
    """
    hashed = fingerprint(command)
    for attempt in (1, 2, 3):
        async with new_unit() as unit:
            stored = await unit.previous_response(
                operation=operation, request_id=request_id, fingerprint=hashed
            )
            if stored is not None:
                return decode(stored)
            try:
                result = await perform(unit)
                await unit.remember_response(
                    operation=operation, request_id=request_id, fingerprint=hashed,
                    response=encode(result),
                )
                await unit.commit()
            except IntegrityError:
                if attempt == 3:
                    raise
                continue  # a concurrent twin (same request or same unique key) won: look again
            return result
    raise AssertionError("unreachable")
