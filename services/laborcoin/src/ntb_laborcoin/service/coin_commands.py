"""Labor Coin commands over gRPC: Mint, PurchaseCoins, SettleEscrow, SetPolicy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from ntb_laborcoin.domain import coin
from ntb_laborcoin.domain.events import PolicyChanged
from ntb_laborcoin.domain.model import CNY, LBC, AccountKind
from ntb_laborcoin.domain.snapshots import transfer_from_dict, transfer_to_dict
from ntb_laborcoin.domain.transfers import BatchMode, Transfer, TransferKind, TransferRequest
from ntb_laborcoin.service.coin import (
    ESCROW,
    FIAT_RESERVE,
    PLATFORM_REVENUE,
    SYSTEM,
    derived_id,
    economy,
    mint_in,
    record_price,
    require_ok,
    retire_in,
)
from ntb_laborcoin.service.ledger import apply_transfers
from ntb_laborcoin.service.unit_of_work import LaborCoinUnitOfWork, NewUnit
from ntbkit.auth import ROLE_OPERATOR, ROLE_SERVICE, Caller
from ntbkit.errors import FailedPrecondition, NotFound
from ntbkit.storage.idempotency import run_idempotent


@dataclass(frozen=True)
class Mint:
    request_id: str
    credit_account_id: str
    amount_units: int
    reason: str
    reference: str = ""


async def mint(new_unit: NewUnit, command: Mint, caller: Caller) -> Transfer:
    """Operators mint; never beyond M_cap, also when 50 mint at once (issuance row lock)."""
    caller.require_role(ROLE_OPERATOR)

    async def perform(unit: LaborCoinUnitOfWork) -> Transfer:
        before = await economy(unit)
        transfer = await mint_in(
            unit, transfer_id=command.request_id, credit_account_id=command.credit_account_id,
            amount_units=command.amount_units, reference=command.reference, memo=command.reason)
        await record_price(unit, before, cause="MINT", cause_ref=transfer.transfer_id)
        return transfer

    return await run_idempotent(
        new_unit, operation="Mint", request_id=command.request_id, command=command,
        perform=perform, encode=lambda t: json.dumps(transfer_to_dict(t)).encode(),
        decode=lambda b: transfer_from_dict(json.loads(b)))


@dataclass(frozen=True)
class Purchase:
    request_id: str
    buyer_id: str
    pay_fen: int
    purpose: str  # INVESTMENT or ORDER_PAYMENT
    order_id: str = ""
    max_price: Decimal | None = None


@dataclass(frozen=True)
class PurchaseDone:
    paid_fen: int
    received_units: int
    price: Decimal
    transfer_ids: tuple[str, ...]


async def purchase(new_unit: NewUnit, command: Purchase, caller: Caller) -> PurchaseDone:
    """CNY -> LBC at the current price; the only way in. There is no way back to CNY."""
    caller.require_may_act_for(command.buyer_id)

    async def perform(unit: LaborCoinUnitOfWork) -> PurchaseDone:
        before = await economy(unit)
        price = before.price
        if command.max_price is not None and price > command.max_price:
            raise FailedPrecondition("PRICE_ABOVE_LIMIT", f"price {price} > {command.max_price}")
        received = coin.coins_for(command.pay_fen, price)
        pay_from = await _wallet(unit, command.buyer_id, CNY)
        receive_to = await _wallet(unit, command.buyer_id, LBC)
        if command.purpose == "INVESTMENT":
            await _require_within_own_value(unit, command.buyer_id, receive_to, received, price)
        reference = f"order:{command.order_id}" if command.order_id else (
            f"purchase:{command.request_id}")
        pay_id = derived_id(command.request_id, "pay")
        require_ok(await apply_transfers(unit, [TransferRequest(
            transfer_id=pay_id, debit_account_id=pay_from, credit_account_id=FIAT_RESERVE,
            asset=CNY, amount=command.pay_fen, code="COIN_PURCHASE", reference=reference)],
            BatchMode.ATOMIC, SYSTEM), "payment")
        mint_id = derived_id(command.request_id, "mint")
        await mint_in(unit, transfer_id=mint_id, credit_account_id=receive_to,
                      amount_units=received, reference=reference, memo="purchase",
                      purchase_id=command.request_id)
        await record_price(unit, before, cause="PURCHASE", cause_ref=command.request_id)
        return PurchaseDone(command.pay_fen, received, price, (pay_id, mint_id))

    return await run_idempotent(
        new_unit, operation="PurchaseCoins", request_id=command.request_id, command=command,
        perform=perform, encode=_encode_purchase, decode=_decode_purchase)


async def _wallet(unit: LaborCoinUnitOfWork, owner_id: str, asset: str) -> str:
    account = await unit.accounts.find(owner_id, asset, AccountKind.WALLET)
    if account is None:
        raise NotFound("account", f"{owner_id}/{asset}/WALLET")
    return account.account_id


async def _require_within_own_value(
    unit: LaborCoinUnitOfWork, buyer_id: str, wallet_id: str, received: int, price: Decimal
) -> None:
    """An investor holds at most their own value: P x their entrusted hours, in LBC."""
    value_fen, _ = await unit.coin.person_value(buyer_id)
    milli_hours = await unit.coin.person_hours(buyer_id)
    own_value_units = coin.coins_for(value_fen * milli_hours // coin.MILLI_PER_HOUR, price)
    wallet = (await unit.ledger.accounts([wallet_id]))[wallet_id]
    holding = wallet.credits_posted - wallet.debits_posted
    if holding + received > own_value_units:
        raise FailedPrecondition(
            "INVESTOR_LIMIT_EXCEEDED",
            f"holdings would be {holding + received} micro-LBC, above the investor's own value "
            f"{own_value_units}", {"limit_units": str(own_value_units)})


def _encode_purchase(done: PurchaseDone) -> bytes:
    return json.dumps([done.paid_fen, done.received_units, str(done.price),
                       list(done.transfer_ids)]).encode()


def _decode_purchase(stored: bytes) -> PurchaseDone:
    paid, received, price, ids = json.loads(stored)
    return PurchaseDone(paid, received, Decimal(price), tuple(ids))


@dataclass(frozen=True)
class SettleEscrow:
    request_id: str
    pending_id: str
    payee_account_id: str
    gross_units: int = 0  # 0: the whole escrow
    reference: str = ""


@dataclass(frozen=True)
class Settlement:
    split: coin.FeeSplit
    refunded_units: int
    transfer_ids: tuple[str, ...]
    price_after: Decimal
    policy_version: int


async def settle_escrow(new_unit: NewUnit, command: SettleEscrow, caller: Caller) -> Settlement:
    """Post the escrow; pay the payee gross minus the fee; retire the policy's share.

    Operators, and matching settling an order it confirmed (role service)."""
    caller.require_role(ROLE_OPERATOR, ROLE_SERVICE)

    async def perform(unit: LaborCoinUnitOfWork) -> Settlement:
        before = await economy(unit)
        pending = (await unit.ledger.pendings([command.pending_id])).get(command.pending_id)
        if pending is None or pending.transfer.credit_account_id != ESCROW:
            raise FailedPrecondition("NOT_AN_ESCROW", "the pending transfer is not into escrow")
        gross = command.gross_units or pending.transfer.amount
        split = coin.split_fee(gross, before.policy)
        ids = [derived_id(command.request_id, part) for part in ("post", "net", "fee")]
        require_ok(await apply_transfers(unit, [
            TransferRequest(ids[0], "", "", LBC, gross, "", TransferKind.POST_PENDING,
                            pending_id=command.pending_id, linked=True,
                            reference=command.reference),
            TransferRequest(ids[1], ESCROW, command.payee_account_id, LBC, split.net,
                            "ORDER_SETTLEMENT", linked=split.fee > 0,
                            reference=command.reference),
            *([TransferRequest(ids[2], ESCROW, PLATFORM_REVENUE, LBC, split.fee,
                               "PLATFORM_FEE", reference=command.reference)]
              if split.fee else []),
        ], BatchMode.ATOMIC, SYSTEM), "settlement")
        transfer_ids = ids if split.fee else ids[:2]
        if split.retired:
            retired = await retire_in(unit, transfer_id=derived_id(command.request_id, "retire"),
                                      amount_units=split.retired, reference=command.reference)
            transfer_ids.append(retired.transfer_id)
        after = await record_price(unit, before, cause="RETIREMENT", cause_ref=command.request_id)
        return Settlement(split, pending.transfer.amount - gross, tuple(transfer_ids),
                          after.price, before.policy.version)

    return await run_idempotent(
        new_unit, operation="SettleEscrow", request_id=command.request_id, command=command,
        perform=perform, encode=_encode_settlement, decode=_decode_settlement)


def _encode_settlement(s: Settlement) -> bytes:
    return json.dumps([s.split.gross, s.split.fee, s.split.net, s.split.retired,
                       s.refunded_units, list(s.transfer_ids), str(s.price_after),
                       s.policy_version]).encode()


def _decode_settlement(stored: bytes) -> Settlement:
    gross, fee, net, retired, refunded, ids, price, version = json.loads(stored)
    return Settlement(coin.FeeSplit(gross, fee, net, retired), refunded, tuple(ids),
                      Decimal(price), version)


@dataclass(frozen=True)
class SetPolicy:
    request_id: str
    expected_version: int
    reason: str
    k: Decimal | None = None
    p0: Decimal | None = None
    retired_share: Decimal | None = None
    fee_rate: Decimal | None = None


async def set_policy(new_unit: NewUnit, command: SetPolicy, caller: Caller) -> coin.Policy:
    """A new version, never an edit: the versions table is the audit trail."""
    caller.require_role(ROLE_OPERATOR)

    async def perform(unit: LaborCoinUnitOfWork) -> coin.Policy:
        current = await unit.coin.policy(for_update=True)
        if current.version != command.expected_version:
            raise FailedPrecondition("VERSION_MISMATCH", f"current version is {current.version}",
                                     {"current_version": str(current.version)})
        policy = coin.Policy(
            version=current.version + 1, k=command.k or current.k, p0=command.p0 or current.p0,
            retired_share=current.retired_share if command.retired_share is None
            else command.retired_share,
            fee_rate=current.fee_rate if command.fee_rate is None else command.fee_rate,
            effective_at=datetime.now(UTC), set_by=caller.subject, reason=command.reason)
        await unit.coin.add_policy(policy)
        unit.record(PolicyChanged(policy, current.version))
        return policy

    return await run_idempotent(
        new_unit, operation="SetPolicy", request_id=command.request_id, command=command,
        perform=perform, encode=_encode_policy, decode=_decode_policy)


def _encode_policy(p: coin.Policy) -> bytes:
    return json.dumps([p.version, str(p.k), str(p.p0), str(p.retired_share), str(p.fee_rate),
                       p.effective_at.isoformat(), p.set_by, p.reason]).encode()


def _decode_policy(stored: bytes) -> coin.Policy:
    version, k, p0, share, rate, at, by, reason = json.loads(stored)
    return coin.Policy(version, Decimal(k), Decimal(p0), Decimal(share), Decimal(rate),
                       datetime.fromisoformat(at), by, reason)


__all__ = ["Mint", "Purchase", "SetPolicy", "SettleEscrow", "mint", "purchase", "set_policy",
           "settle_escrow"]
