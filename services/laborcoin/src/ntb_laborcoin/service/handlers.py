"""laborcoin's use cases: one function per command, each its own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ntb_laborcoin.domain.errors import AccountNotFound
from ntb_laborcoin.domain.events import AccountOpened
from ntb_laborcoin.domain.model import LBC, Account, AccountKind, new_wallet
from ntb_laborcoin.service.unit_of_work import LaborCoinUnitOfWork, NewUnit
from ntbkit.auth import Caller

WALLET_OPENER_GROUP = "laborcoin.wallet-opener"
# Operators hold no wallet: they move nothing of their own.
WALLET_KINDS = frozenset({"PERSON", "ENTERPRISE", "FINANCIAL_INSTITUTION"})


@dataclass(frozen=True)
class OpenWallet:
    """From identity's principal.registered: every non-operator principal gets an LBC wallet."""

    owner_id: str
    principal_kind: str


@dataclass(frozen=True)
class AccountSelector:
    account_id: str | None = None
    owner_id: str | None = None
    asset: str | None = None
    kind: AccountKind | None = None


async def open_wallet(unit: LaborCoinUnitOfWork, command: OpenWallet) -> None:
    """Runs inside the consumer's transaction, which also holds the event's inbox mark,
    so a redelivered event never gets here twice; the derived account id makes even
    a second, different event for the same principal a no-op."""
    if command.principal_kind not in WALLET_KINDS:
        return
    if await unit.accounts.find(command.owner_id, LBC, AccountKind.WALLET) is not None:
        return
    wallet = new_wallet(command.owner_id, LBC, datetime.now(UTC))
    await unit.accounts.add(wallet)
    unit.record(
        AccountOpened(
            account_id=wallet.account_id, owner_id=wallet.owner_id,
            asset=wallet.asset, kind=wallet.kind, opened_at=wallet.created_at,
        )
    )


async def get_account(new_unit: NewUnit, selector: AccountSelector, caller: Caller) -> Account:
    async with new_unit() as unit:
        if selector.account_id is not None:
            account = await unit.accounts.get(selector.account_id)
            label = selector.account_id
        else:
            assert selector.owner_id and selector.asset and selector.kind
            account = await unit.accounts.find(selector.owner_id, selector.asset, selector.kind)
            label = f"{selector.owner_id}/{selector.asset}/{selector.kind.value}"
    if account is None:
        raise AccountNotFound(label)
    caller.require_access_to(account.owner_id)
    return account
