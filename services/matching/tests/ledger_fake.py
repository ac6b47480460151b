"""An in-memory laborcoin behind matching's LedgerGateway port, for unit tests.

It keeps laborcoin's contract where the saga depends on it: a request id returns its
first result or first refusal forever; a transfer id is used once; pending transfers
reserve the payer's coins until posted, voided or expired; settlement takes the fee
(half-even), retires the share of it, and prices the coin as reserve / outstanding.
Faults are injected per call: `down` (no answer, nothing done) and `lose_answers`
(done, then no answer - the case a retry must not repeat), `crash_after` (done, then
the caller dies: an exception the saga does not catch).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal

from ntb_matching.service.ledger_gateway import (
    EscrowSettled,
    LedgerRefused,
    LedgerUnavailable,
    PurchaseResult,
    Quote,
)

CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN)
ESCROW = "escrow"
REVENUE = "revenue"


class Crash(Exception):
    """The matching process died right after laborcoin did the work."""


@dataclass
class Pending:
    payer: str
    units: int
    status: str = "PENDING"


@dataclass
class FakeLedger:
    fee_rate: Decimal = Decimal("0.02")
    retired_share: Decimal = Decimal("0.5")
    reserve_fen: int = 0
    outstanding_units: int = 0
    lbc: dict[str, int] = field(default_factory=dict)  # wallet -> posted balance
    cny: dict[str, int] = field(default_factory=dict)  # owner -> CNY balance (fen)
    pendings: dict[str, Pending] = field(default_factory=dict)
    answers: dict[str, object] = field(default_factory=dict)  # request id -> first outcome
    down: bool = False
    lose_answers: set[str] = field(default_factory=set)  # method names, once each
    crash_after: set[str] = field(default_factory=set)  # method names, once each
    calls: list[str] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)  # what really happened, in order

    # -- test set-up and reading --------------------------------------------------
    def open_wallets(self, owner_id: str, *, cny_fen: int = 0) -> None:
        self.lbc.setdefault(self.wallet_of(owner_id), 0)
        self.cny[owner_id] = self.cny.get(owner_id, 0) + cny_fen

    @staticmethod
    def wallet_of(owner_id: str) -> str:
        return f"lbc:{owner_id}"

    def available(self, wallet: str) -> int:
        held = sum(p.units for p in self.pendings.values()
                   if p.payer == wallet and p.status == "PENDING")
        return self.lbc[wallet] - held

    @property
    def price(self) -> Decimal:
        if self.outstanding_units == 0:
            return Decimal(1).quantize(Decimal("1e-12"))
        return CONTEXT.divide(Decimal(self.reserve_fen) / 100,
                              Decimal(self.outstanding_units) / 1_000_000
                              ).quantize(Decimal("1e-12"), context=CONTEXT)

    def mint(self, owner_id: str, units: int, fen: int) -> None:
        """Coins bought earlier (reserve and supply grow together)."""
        self.lbc[self.wallet_of(owner_id)] += units
        self.outstanding_units += units
        self.reserve_fen += fen

    def expire(self, transfer_id: str) -> None:
        assert self.pendings[transfer_id].status == "PENDING"
        self.pendings[transfer_id].status = "EXPIRED"
        self.effects.append(f"expire:{transfer_id}")

    def total_lbc(self) -> int:
        return sum(self.lbc.values())

    # -- fault injection ------------------------------------------------------------
    def _enter(self, method: str) -> None:
        self.calls.append(method)
        if self.down:
            raise LedgerUnavailable(f"{method}: laborcoin is down")

    def _leave(self, method: str) -> None:
        if method in self.lose_answers:
            self.lose_answers.discard(method)
            raise LedgerUnavailable(f"{method}: the answer was lost")
        if method in self.crash_after:
            self.crash_after.discard(method)
            raise Crash(method)

    def _once(self, request_id: str, fingerprint: tuple[object, ...], work):  # type: ignore[no-untyped-def]
        if request_id in self.answers:
            stored_print, outcome = self.answers[request_id]  # type: ignore[misc]
            if stored_print != fingerprint:
                raise LedgerRefused("ALREADY_EXISTS")
        else:
            try:
                outcome = work()
            except LedgerRefused as refused:
                outcome = refused
            self.answers[request_id] = (fingerprint, outcome)
        if isinstance(outcome, LedgerRefused):
            raise outcome
        return outcome

    # -- the port -------------------------------------------------------------------
    async def quote(self, buyer_id: str) -> Quote:
        self._enter("quote")
        wallet = self.wallet_of(buyer_id)
        if wallet not in self.lbc:
            raise LedgerRefused("NOT_FOUND")
        return Quote(self.price, self.available(wallet), wallet)

    async def lbc_wallet(self, owner_id: str) -> str:
        self._enter("lbc_wallet")
        if self.wallet_of(owner_id) not in self.lbc:
            raise LedgerRefused("NOT_FOUND")
        return self.wallet_of(owner_id)

    async def purchase_for_order(self, *, request_id: str, buyer_id: str, pay_fen: int,
                                 order_id: str, max_price: Decimal) -> PurchaseResult:
        self._enter("purchase_for_order")

        def work() -> PurchaseResult:
            price = self.price
            if price > max_price:
                raise LedgerRefused("PRICE_ABOVE_LIMIT")
            if self.cny.get(buyer_id, 0) < pay_fen:
                raise LedgerRefused("EXCEEDS_CREDITS")
            units = int(CONTEXT.multiply(CONTEXT.divide(Decimal(pay_fen) / 100, price),
                                         Decimal(1_000_000)).to_integral_value(ROUND_FLOOR))
            self.cny[buyer_id] -= pay_fen
            self.mint(buyer_id, units, pay_fen)
            self.effects.append(f"purchase:{order_id}:{pay_fen}")
            return PurchaseResult(pay_fen, units, price)

        result = self._once(request_id, (buyer_id, pay_fen, order_id, max_price), work)
        self._leave("purchase_for_order")
        return result  # type: ignore[no-any-return]

    async def create_escrow(self, *, request_id: str, transfer_id: str, payer_wallet_id: str,
                            units: int, timeout_s: int, reference: str) -> None:
        self._enter("create_escrow")

        def work() -> None:
            if transfer_id in self.pendings:
                return
            if self.available(payer_wallet_id) < units:
                raise LedgerRefused("EXCEEDS_CREDITS")
            self.pendings[transfer_id] = Pending(payer_wallet_id, units)
            self.effects.append(f"escrow:{transfer_id}:{units}")

        self._once(request_id, (transfer_id, payer_wallet_id, units, timeout_s, reference),
                   work)
        self._leave("create_escrow")

    async def settle_escrow(self, *, request_id: str, pending_id: str, payee_wallet_id: str,
                            gross_units: int, reference: str) -> EscrowSettled:
        self._enter("settle_escrow")

        def work() -> EscrowSettled:
            pending = self.pendings.get(pending_id)
            if pending is None:
                raise LedgerRefused("NOT_AN_ESCROW")
            if pending.status == "EXPIRED":
                raise LedgerRefused("PENDING_TRANSFER_EXPIRED")
            if pending.status != "PENDING":
                raise LedgerRefused(f"PENDING_TRANSFER_ALREADY_{pending.status}")
            gross = gross_units or pending.units
            fee = int(CONTEXT.multiply(Decimal(gross), self.fee_rate).to_integral_value())
            retired = int(CONTEXT.multiply(Decimal(fee), self.retired_share).to_integral_value())
            pending.status = "POSTED"
            self.lbc[pending.payer] -= gross
            self.lbc[payee_wallet_id] = self.lbc.get(payee_wallet_id, 0) + gross - fee
            self.lbc[REVENUE] = self.lbc.get(REVENUE, 0) + fee - retired
            self.outstanding_units -= retired
            self.effects.append(f"settle:{pending_id}:{gross}")
            ids = tuple(str(uuid.uuid5(uuid.NAMESPACE_URL, f"{request_id}/{p}"))
                        for p in ("post", "net", "fee", "retire"))
            return EscrowSettled(gross, fee, gross - fee, retired, pending.units - gross, ids,
                                 self.price)

        result = self._once(request_id, (pending_id, payee_wallet_id, gross_units, reference),
                            work)
        self._leave("settle_escrow")
        return result  # type: ignore[no-any-return]

    async def void_escrow(self, *, request_id: str, pending_id: str, reason: str) -> None:
        self._enter("void_escrow")

        def work() -> None:
            pending = self.pendings.get(pending_id)
            if pending is None:
                raise LedgerRefused("PENDING_TRANSFER_NOT_FOUND")
            if pending.status == "EXPIRED":
                raise LedgerRefused("PENDING_TRANSFER_EXPIRED")
            if pending.status != "PENDING":
                raise LedgerRefused(f"PENDING_TRANSFER_ALREADY_{pending.status}")
            pending.status = "VOIDED"
            self.effects.append(f"void:{pending_id}")

        self._once(request_id, (pending_id, reason), work)
        self._leave("void_escrow")

    async def pending_status(self, transfer_id: str) -> str:
        self._enter("pending_status")
        pending = self.pendings.get(transfer_id)
        return "NOT_FOUND" if pending is None else pending.status
