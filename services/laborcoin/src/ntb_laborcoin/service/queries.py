"""Reads: accounts, balances, transfers (each checks the caller may see them)."""

from __future__ import annotations

from ntb_laborcoin.domain.model import Account
from ntb_laborcoin.domain.transfers import Transfer
from ntb_laborcoin.service.unit_of_work import NewUnit
from ntbkit.auth import Caller
from ntbkit.errors import NotFound


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
    return transfer
