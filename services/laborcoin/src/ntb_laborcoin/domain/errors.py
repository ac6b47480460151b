"""Rules of the ledger that a request can break."""

from __future__ import annotations

from ntbkit.errors import NotFound


class AccountNotFound(NotFound):
    def __init__(self, account: str) -> None:
        super().__init__("account", account)
