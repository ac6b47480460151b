"""Labor Coin use cases: mint under the cap, buy coins, settle escrow with the fee,
set the policy, and keep the cap's labor basis current from events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ntb_laborcoin.domain import coin
from ntb_laborcoin.domain.events import (
    CoinMinted,
    CoinRetired,
    PricePoint,
    PriceUpdated,
)
from ntb_laborcoin.domain.model import CNY, LBC, Account, AccountFlags, AccountKind, account_id_for
from ntb_laborcoin.domain.transfers import BatchMode, Transfer, TransferRequest, TransferResult
from ntb_laborcoin.service.ledger import apply_transfers
from ntb_laborcoin.service.unit_of_work import LaborCoinUnitOfWork, NewUnit
from ntbkit.auth import ROLE_OPERATOR, Caller
from ntbkit.errors import FailedPrecondition

PLATFORM = "platform"
ISSUANCE = account_id_for(PLATFORM, LBC, AccountKind.ISSUANCE)
FIAT_RESERVE = account_id_for(PLATFORM, CNY, AccountKind.FIAT_RESERVE)
PLATFORM_REVENUE = account_id_for(PLATFORM, LBC, AccountKind.PLATFORM_REVENUE)
ESCROW = account_id_for(PLATFORM, LBC, AccountKind.ESCROW)
CNY_SETTLEMENT = account_id_for(PLATFORM, CNY, AccountKind.EXTERNAL_SETTLEMENT)
_PLATFORM_ACCOUNTS = (
    (ISSUANCE, LBC, AccountKind.ISSUANCE, AccountFlags()),
    (FIAT_RESERVE, CNY, AccountKind.FIAT_RESERVE, AccountFlags()),
    (PLATFORM_REVENUE, LBC, AccountKind.PLATFORM_REVENUE,
     AccountFlags(debits_must_not_exceed_credits=True)),
    (ESCROW, LBC, AccountKind.ESCROW, AccountFlags(debits_must_not_exceed_credits=True)),
    (CNY_SETTLEMENT, CNY, AccountKind.EXTERNAL_SETTLEMENT, AccountFlags()),
)
_DERIVED = uuid.UUID("8f0c7c2a-51b4-4b8e-a7a4-0f6f1d0b3c55")
SYSTEM = Caller("laborcoin", frozenset({ROLE_OPERATOR}), frozenset())


def derived_id(request_id: str, part: str) -> str:
    """Transfer ids of a multi-transfer operation, derived from its request id."""
    return str(uuid.uuid5(_DERIVED, f"{request_id}/{part}"))


async def ensure_platform_accounts(new_unit: NewUnit) -> None:
    async with new_unit() as unit:
        for account_id, asset, kind, flags in _PLATFORM_ACCOUNTS:
            if await unit.accounts.get(account_id) is None:
                await unit.accounts.add(Account(
                    account_id=account_id, owner_id=PLATFORM, asset=asset, kind=kind,
                    flags=flags, created_at=datetime.now(UTC)))
        await unit.commit()


@dataclass(frozen=True)
class Economy:
    """Supply, reserve and price as of the locks this transaction holds."""

    policy: coin.Policy
    cap: coin.IssuanceCap
    reserve_fen: int
    price: Decimal


async def economy(unit: LaborCoinUnitOfWork, *, exclusive_basis: bool = False) -> Economy:
    """Locks the issuance and reserve accounts: mints and purchases serialise here."""
    return await _economy(unit, await unit.ledger.accounts([ISSUANCE, FIAT_RESERVE]),
                          basis_lock=exclusive_basis)


async def economy_as_read(unit: LaborCoinUnitOfWork) -> Economy:
    """For display (RPC reads, gauges): no locks, so reads never queue behind mints and
    purchases; supply and reserve still come from one moment (one statement)."""
    return await _economy(unit, await unit.accounts.snapshot([ISSUANCE, FIAT_RESERVE]),
                          basis_lock=None)


async def _economy(
    unit: LaborCoinUnitOfWork, accounts: dict[str, Account], *, basis_lock: bool | None
) -> Economy:
    issuance, reserve = accounts[ISSUANCE], accounts[FIAT_RESERVE]
    outstanding = issuance.debits_posted + issuance.debits_pending - issuance.credits_posted
    reserve_fen = reserve.credits_posted - reserve.debits_posted
    policy = await unit.coin.policy()
    basis = await unit.coin.weighted_basis(exclusive=basis_lock)
    cap = coin.issuance_cap(weighted_fen_milli_hours=basis, outstanding_units=outstanding,
                            policy=policy)
    price = coin.coin_price(reserve_fen=reserve_fen, outstanding_units=outstanding,
                            policy=policy)
    return Economy(policy, cap, reserve_fen, price)


async def record_price(
    unit: LaborCoinUnitOfWork, before: Economy, *, cause: str, cause_ref: str
) -> Economy:
    after = await economy(unit)
    point = PricePoint(after.price, after.reserve_fen, after.cap.outstanding_units, cause,
                       cause_ref, datetime.now(UTC))
    sequence = await unit.coin.add_price_point(point)
    unit.record(PriceUpdated(point, before.price, sequence))
    return after


def require_ok(results: list[TransferResult], what: str) -> list[Transfer]:
    failed = [r for r in results if not r.code.succeeded]
    if failed:
        first = next((r for r in failed if r.code.value != "LINKED_EVENT_FAILED"), failed[0])
        raise FailedPrecondition(first.code.value, f"{what}: {first.code.value}",
                                 {"transfer_id": first.transfer_id})
    return [r.transfer for r in results if r.transfer is not None]


async def mint_in(
    unit: LaborCoinUnitOfWork, *, transfer_id: str, credit_account_id: str, amount_units: int,
    reference: str, memo: str, purchase_id: str = "",
) -> Transfer:
    """Issue coins inside the caller's transaction, refused beyond the cap."""
    before = await economy(unit)
    coin.require_headroom(before.cap, amount_units)
    [transfer] = require_ok(await apply_transfers(unit, [TransferRequest(
        transfer_id=transfer_id, debit_account_id=ISSUANCE, credit_account_id=credit_account_id,
        asset=LBC, amount=amount_units, code="MINT", reference=reference, memo=memo,
    )], BatchMode.ATOMIC, SYSTEM, issuance_allowed=True), "mint")
    owner = (await unit.ledger.accounts([credit_account_id]))[credit_account_id].owner_id
    unit.record(CoinMinted(transfer, owner, before.cap.outstanding_units + amount_units,
                           before.cap.cap_units, purchase_id))
    return transfer


async def retire_in(
    unit: LaborCoinUnitOfWork, *, transfer_id: str, amount_units: int, reference: str
) -> Transfer:
    """Burn coins from platform revenue back into issuance: fewer coins, same reserve."""
    [transfer] = require_ok(await apply_transfers(unit, [TransferRequest(
        transfer_id=transfer_id, debit_account_id=PLATFORM_REVENUE, credit_account_id=ISSUANCE,
        asset=LBC, amount=amount_units, code="RETIREMENT", reference=reference,
    )], BatchMode.ATOMIC, SYSTEM), "retirement")
    after = await economy(unit)
    unit.record(CoinRetired(transfer, after.cap.outstanding_units))
    return transfer


