"""A crash point for tests of the saga in real processes: the process dies right after a
named ledger call returned (laborcoin did the work; matching recorded nothing yet).

Enabled only by NTB_MATCHING_FAILPOINT="exit-after:<call>" (e.g.
"exit-after:create_escrow"); empty by default. The e2e crash tests restart matching
without it and check that the recovery worker finishes the order with the money moved
once.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

from ntb_matching.service.ledger_gateway import LedgerGateway

log = structlog.get_logger(__name__)
EXIT_CODE = 86


class FailpointLedgerGateway:
    def __init__(self, inner: LedgerGateway, failpoint: str) -> None:
        kind, _, call = failpoint.partition(":")
        assert kind == "exit-after" and call, f"unknown failpoint {failpoint!r}"
        self._inner, self._call = inner, call

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        method = getattr(self._inner, name)
        if name != self._call:
            return method  # type: ignore[no-any-return]

        async def then_exit(*args: Any, **kwargs: Any) -> Any:
            await method(*args, **kwargs)
            log.warning("failpoint: exiting after a ledger call", call=name)
            os._exit(EXIT_CODE)

        return then_exit
