"""Opening accounts: wallets by their owners, platform accounts by operators."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from ntb_laborcoin.domain.events import AccountOpened
from ntb_laborcoin.domain.model import Account, AccountFlags, AccountKind
from ntb_laborcoin.service.unit_of_work import LaborCoinUnitOfWork, NewUnit
from ntbkit.auth import Caller
from ntbkit.errors import PermissionDenied
from ntbkit.storage.idempotency import run_idempotent

SUPPORTED_ASSETS = frozenset({"LBC", "CNY", "USD"})
PLATFORM_OWNER = "platform"


class AccountResultCode(enum.Enum):
    OK = "OK"
    EXISTS = "EXISTS"
    EXISTS_WITH_DIFFERENT_FIELDS = "EXISTS_WITH_DIFFERENT_FIELDS"
    OWNER_KEY_TAKEN = "OWNER_KEY_TAKEN"
    ASSET_NOT_SUPPORTED = "ASSET_NOT_SUPPORTED"


AccountSpec = tuple[str, str, str, AccountKind, AccountFlags]


@dataclass(frozen=True)
class CreateAccounts:
    request_id: str
    accounts: tuple[AccountSpec, ...]


@dataclass(frozen=True)
class AccountResult:
    index: int
    account_id: str
    code: AccountResultCode


async def create_accounts(
    new_unit: NewUnit, command: CreateAccounts, caller: Caller
) -> list[AccountResult]:
    for _, owner_id, _, kind, flags in command.accounts:
        own_wallet = owner_id == caller.subject and kind is AccountKind.WALLET and (
            flags.debits_must_not_exceed_credits)
        if not (caller.acts_for_others or own_wallet):
            raise PermissionDenied("principals open only their own non-overdraft wallets; "
                                   "platform accounts are for operators")

    async def perform(unit: LaborCoinUnitOfWork) -> list[AccountResult]:
        return [await _create_one(unit, index, spec)
                for index, spec in enumerate(command.accounts)]

    return await run_idempotent(
        new_unit, operation="CreateAccounts", request_id=command.request_id, command=command,
        perform=perform, encode=_encode, decode=_decode,
    )


async def _create_one(unit: LaborCoinUnitOfWork, index: int, spec: AccountSpec) -> AccountResult:
    account_id, owner_id, asset, kind, flags = spec
    if asset not in SUPPORTED_ASSETS:
        return AccountResult(index, account_id, AccountResultCode.ASSET_NOT_SUPPORTED)
    existing = await unit.accounts.get(account_id)
    if existing is not None:
        same = (existing.owner_id, existing.asset, existing.kind, existing.flags) == (
            owner_id, asset, kind, flags)
        code = AccountResultCode.EXISTS if same else AccountResultCode.EXISTS_WITH_DIFFERENT_FIELDS
        return AccountResult(index, account_id, code)
    if await unit.accounts.find(owner_id, asset, kind) is not None:
        return AccountResult(index, account_id, AccountResultCode.OWNER_KEY_TAKEN)
    account = Account(account_id=account_id, owner_id=owner_id, asset=asset, kind=kind,
                      flags=flags, created_at=datetime.now(UTC))
    await unit.accounts.add(account)
    unit.record(AccountOpened(account_id, owner_id, asset, kind, account.created_at))
    return AccountResult(index, account_id, AccountResultCode.OK)


def _encode(results: list[AccountResult]) -> bytes:
    return json.dumps([[r.index, r.account_id, r.code.value] for r in results]).encode()


def _decode(stored: bytes) -> list[AccountResult]:
    return [AccountResult(i, a, AccountResultCode(c)) for i, a, c in json.loads(stored)]
