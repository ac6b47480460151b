"""Reads: accounts, balances, transfers (each checks the caller may see them)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from ntb_laborcoin.domain.model import Account
from ntb_laborcoin.domain.transfers import BalanceChange, Transfer
from ntb_laborcoin.service.unit_of_work import NewUnit
from ntbkit.auth import Caller
from ntbkit.errors import NotFound, PermissionDenied


async def balances(
    new_unit: NewUnit, caller: Caller, *, account_ids: list[str], owner_id: str
) -> list[Account]:
    async with new_unit() as unit:
        if owner_id:
            caller.require_access_to(owner_id)
            return await unit.accounts.of_owner(owner_id)
        found = [await unit.accounts.get(account_id) for account_id in account_ids]
    missing = [i for i, a in zip(account_ids, found, strict=True) if a is None]
    if missing:
        raise NotFound("account", missing[0])
    accounts = [a for a in found if a is not None]
    for account in accounts:
        caller.require_access_to(account.owner_id)
    return accounts


async def get_transfer(new_unit: NewUnit, caller: Caller, transfer_id: str) -> Transfer:
    async with new_unit() as unit:
        transfer = await unit.transfers.get(transfer_id)
        if transfer is None:
            raise NotFound("transfer", transfer_id)
        if not caller.privileged:
            debit = await unit.accounts.get(transfer.debit_account_id)
            credit = await unit.accounts.get(transfer.credit_account_id)
            owners = {a.owner_id for a in (debit, credit) if a is not None}
            if caller.subject not in owners:
                caller.require_access_to(next(iter(owners)))
        leaf = await unit.log.leaf(transfer_id=transfer_id)
    return transfer if leaf is None else replace(transfer, log_index=leaf[0])


@dataclass(frozen=True)
class TransferFilter:
    account_id: str = ""
    start: datetime | None = None
    end: datetime | None = None
    code: str = ""
    reference: str = ""
    newest_first: bool = False


async def list_transfers(
    new_unit: NewUnit, caller: Caller, query: TransferFilter, *, after_seq: int, size: int
) -> list[tuple[int, Transfer]]:
    """Banks list their own accounts' transfers; operators and auditors any."""
    async with new_unit() as unit:
        if query.account_id:
            account = await unit.accounts.get(query.account_id)
            if account is None:
                raise NotFound("account", query.account_id)
            caller.require_access_to(account.owner_id)
        elif not caller.privileged:
            raise PermissionDenied("account_id is required unless you are an operator or auditor")
        return await unit.transfers.page(
            account_id=query.account_id, start=query.start, end=query.end, code=query.code,
            reference=query.reference, after_seq=after_seq, size=size,
            newest_first=query.newest_first)


async def account_history(
    new_unit: NewUnit, caller: Caller, account_id: str, *, after_version: int, size: int
) -> list[tuple[BalanceChange, Transfer]]:
    async with new_unit() as unit:
        account = await unit.accounts.get(account_id)
        if account is None:
            raise NotFound("account", account_id)
        caller.require_access_to(account.owner_id)
        return await unit.transfers.history(account_id, after_version=after_version, size=size)
