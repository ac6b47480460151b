"""Settlement at maturity, by itself: the obligor pays every held piece of a credit
chain (to the funder a piece is assigned to, else to its holder); unpaid pieces turn
OVERDUE and accrue a late fee day by day; after the grace period their financings
default. Due work lives in the database, so a restart loses none; money moves with
transfer ids derived from the piece (a retry after a crash pays once)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

import structlog

from ntb_scf_exchange.domain import pricing
from ntb_scf_exchange.domain.events import (
    FinancingDefaulted,
    FinancingSettled,
    PayableOverdue,
    PayableSettled,
)
from ntb_scf_exchange.domain.financing import CollateralKind, Financing, FinancingStatus
from ntb_scf_exchange.domain.letters_of_credit import LcStatus
from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.domain.payables import Payable, PayableStatus
from ntb_scf_exchange.domain.trade import InvoiceStatus
from ntb_scf_exchange.service import letters_of_credit, securitizations
from ntb_scf_exchange.service.common import derived_id, once
from ntb_scf_exchange.service.financing import (
    CLOSE_BIDDING,
    Ports,
    close_bidding,
    financing_of,
)
from ntb_scf_exchange.service.payables import SETTLE_ROOT, start_of
from ntb_scf_exchange.service.ports import InsufficientFunds, Ledger, Payment, TransferCode
from ntb_scf_exchange.service.unit_of_work import Clock, DueWork, NewUnit, ScfUnitOfWork
from ntbkit.errors import FailedPrecondition
from ntbkit.storage.idempotency import fingerprint

log = structlog.get_logger(__name__)
HELD = [PayableStatus.OUTSTANDING.value, PayableStatus.ENCUMBERED.value,
        PayableStatus.OVERDUE.value]
LIVE = (FinancingStatus.FUNDED, FinancingStatus.OVERDUE)


@dataclass(frozen=True)
class Terms:
    late_fee_rate: Decimal  # annual, on face, per day late / 360
    grace_days: int  # days past maturity before an unpaid financing defaults


@dataclass(frozen=True)
class Piece:
    """One thing the obligor owes at maturity: a held payable, or a financing on an
    invoice, with the financing that has a claim on it, if any."""

    key: str
    obligor_id: str
    holder_id: str
    face: Money
    maturity: datetime
    payable: Payable | None
    financing: Financing | None
    letter_of_credit_id: str = ""

    @property
    def payee_id(self) -> str:
        if self.financing is not None and self.financing.status in LIVE:
            return self.financing.funder_id
        return self.holder_id


async def _root_pieces(unit: ScfUnitOfWork, root_id: str) -> list[Piece]:
    pieces = []
    for payable in await unit.payables.find({"root_payable_id": root_id, "status": HELD},
                                            order=("created_at", "payable_id")):
        financing = None
        if payable.encumbrance_id:
            financing = await unit.financings.get(payable.encumbrance_id)
        pieces.append(Piece(payable.payable_id, payable.obligor_id, payable.holder_id,
                            payable.face, start_of(payable.maturity_date), payable, financing))
    return pieces


async def _lc_pieces(unit: ScfUnitOfWork, lc_id: str) -> list[Piece]:
    lc = await letters_of_credit.lc_of(unit, lc_id)
    if lc.status is not LcStatus.ACCEPTED or lc.maturity_date is None:
        return []
    live = [f for f in await unit.financings.find({"collateral_id": lc_id})
            if f.status in LIVE]
    return [Piece(lc_id, lc.issuing_bank_id, lc.beneficiary_id, lc.amount,
                  start_of(lc.maturity_date), None, live[0] if live else None,
                  letter_of_credit_id=lc_id)]


async def _financing_pieces(unit: ScfUnitOfWork, financing_id: str) -> list[Piece]:
    financing = await financing_of(unit, financing_id)
    if financing.status not in LIVE:
        return []
    return [Piece(financing.collateral_id, financing.obligor_id, financing.applicant_id,
                  financing.face, start_of(financing.maturity_date), None, financing)]


def _payments(pieces: list[Piece], days_late: int, terms: Terms
              ) -> dict[str, list[Payment]]:
    """Per piece: the funder's claim (what it advanced against, face x advance rate) and
    its late fee when late; the rest of the face to the holder."""
    payments: dict[str, list[Payment]] = {}
    for piece in pieces:
        reference = (f"payable:{piece.key}" if piece.payable or piece.financing is None
                     else f"financing:{piece.financing.financing_id}")
        claim = piece.face
        if piece.financing is not None and piece.financing.status in LIVE:
            claim = piece.financing.requested_amount
        own = [Payment(derived_id("settle", piece.key), piece.obligor_id, piece.payee_id,
                       claim, TransferCode.FINANCING_SETTLEMENT, reference)]
        if claim.units < piece.face.units:
            own.append(Payment(derived_id("settle-rest", piece.key), piece.obligor_id,
                               piece.holder_id, piece.face.minus(claim),
                               TransferCode.FINANCING_SETTLEMENT, reference))
        fee = pricing.late_fee(claim, rate=terms.late_fee_rate, days_late=days_late)
        if fee.units:
            own.append(Payment(derived_id("late-fee", piece.key, str(days_late)),
                               piece.obligor_id, piece.payee_id, fee,
                               TransferCode.FINANCING_SETTLEMENT, reference))
        payments[piece.key] = own
    return payments


async def settle_due(new_unit: NewUnit, ledger: Ledger, work: DueWork, *, terms: Terms,
                     clock: Clock, ports: Ports | None = None) -> None:
    """Do one item of due work: pay, or mark overdue (and default after grace); or wind
    a securitized pool up."""
    if work.kind == securitizations.WIND_UP_POOL:
        await securitizations.wind_up(new_unit, ledger, work, clock())
        return
    if work.kind == letters_of_credit.EXPIRE_LC:
        await letters_of_credit.expire(new_unit, work, clock())
        return
    if work.kind == CLOSE_BIDDING:
        assert ports is not None
        await close_bidding(new_unit, ports, work.subject_id, clock)
        await _finish(new_unit, work, clock())
        return
    async with new_unit() as unit:
        if work.kind == SETTLE_ROOT:
            pieces = await _root_pieces(unit, work.subject_id)
        elif work.kind == letters_of_credit.SETTLE_LC:
            pieces = await _lc_pieces(unit, work.subject_id)
        else:
            pieces = await _financing_pieces(unit, work.subject_id)
    now = clock()
    if not pieces:
        await _finish(new_unit, work, now)
        return
    await settle_pieces(new_unit, ledger, pieces, terms=terms, now=now, work=work)


async def settle_pieces(new_unit: NewUnit, ledger: Ledger, pieces: list[Piece], *,
                        terms: Terms, now: datetime, work: DueWork | None) -> bool:
    days_late = max(0, (now.date() - pieces[0].maturity.date()).days)
    payments = _payments(pieces, days_late, terms)
    try:
        await ledger.pay([p for own in payments.values() for p in own])
    except InsufficientFunds:
        await _unpaid(new_unit, ledger, pieces, days_late=days_late, terms=terms, now=now,
                      work=work)
        return False
    await _paid(new_unit, pieces, payments, days_late=days_late, terms=terms, now=now,
                work=work)
    return True


async def _finish(new_unit: NewUnit, work: DueWork, now: datetime) -> None:
    async with new_unit() as unit:
        await unit.due_work.finish(work.work_id, now)
        await unit.commit()


async def _paid(new_unit: NewUnit, pieces: list[Piece], payments: dict[str, list[Payment]],
                *, days_late: int, terms: Terms, now: datetime, work: DueWork | None) -> None:
    async with new_unit() as unit:
        roots: set[str] = set()
        for piece in pieces:
            transfer_ids = tuple(p.transfer_id for p in payments[piece.key])
            if piece.payable is not None:
                current = await unit.payables.get(piece.key, for_update=True)
                assert current is not None
                if current.status is PayableStatus.SETTLED:
                    continue  # a second scheduler (another replica) got here first
                settled = replace(current, status=PayableStatus.SETTLED)
                await unit.payables.save(settled)
                roots.add(current.root_payable_id)
                unit.record(PayableSettled(settled, piece.payee_id, days_late == 0,
                                           transfer_ids[0], now))
            if piece.financing is not None and piece.financing.status in LIVE:
                financing = await financing_of(unit, piece.financing.financing_id,
                                               for_update=True)
                if financing.status not in LIVE:
                    continue
                fee = pricing.late_fee(financing.requested_amount, rate=terms.late_fee_rate,
                                       days_late=days_late)
                done = financing.settled(transfer_ids=transfer_ids, late_fee=fee,
                                         days_overdue=days_late, at=now)
                await unit.financings.save(done)
                unit.record(FinancingSettled(done))
                if financing.collateral_kind is CollateralKind.INVOICE:
                    await _mark_paid(unit, financing.collateral_id)
                if financing.collateral_kind is CollateralKind.WAREHOUSE_RECEIPT:
                    receipt = await unit.receipts.get(financing.collateral_id, for_update=True)
                    if receipt is not None:
                        await unit.receipts.save(receipt.unpledged())
            if piece.letter_of_credit_id:
                lc = await letters_of_credit.lc_of(unit, piece.letter_of_credit_id,
                                                   for_update=True)
                await unit.letters_of_credit.save(lc.paid(transfer_ids[0]))
        for root_id in roots:
            if not await unit.payables.find({"root_payable_id": root_id, "status": HELD}):
                root = await unit.payables.get(root_id)
                assert root is not None
                await _mark_paid(unit, root.invoice_id)
        if work is not None:
            await unit.due_work.finish(work.work_id, now)
        await unit.commit()


async def _mark_paid(unit: ScfUnitOfWork, invoice_id: str) -> None:
    invoice = await unit.invoices.get(invoice_id, for_update=True)
    if invoice is not None and invoice.status is not InvoiceStatus.PAID:
        await unit.invoices.save(replace(invoice, status=InvoiceStatus.PAID))


async def _unpaid(new_unit: NewUnit, ledger: Ledger, pieces: list[Piece], *, days_late: int,
                  terms: Terms, now: datetime, work: DueWork | None) -> None:
    defaulting = days_late >= terms.grace_days
    async with new_unit() as unit:
        for piece in pieces:
            if piece.payable is not None:
                current = await unit.payables.get(piece.key, for_update=True)
                assert current is not None
                if current.status is not PayableStatus.OVERDUE:
                    overdue = replace(current, status=PayableStatus.OVERDUE)
                    await unit.payables.save(overdue)
                    unit.record(PayableOverdue(overdue, now))
            if piece.financing is not None and piece.financing.status in LIVE:
                financing = await financing_of(unit, piece.financing.financing_id,
                                               for_update=True)
                if financing.status not in LIVE:
                    continue  # another replica closed it meanwhile
                fee = pricing.late_fee(financing.requested_amount, rate=terms.late_fee_rate,
                                       days_late=days_late)
                late = financing.overdue(days=days_late, late_fee=fee)
                if defaulting:
                    late = late.defaulted(
                        reason=f"unpaid {days_late} days after maturity (grace "
                               f"{terms.grace_days} days)", at=now)
                    unit.record(FinancingDefaulted(late))
                await unit.financings.save(late)
        if work is not None:
            if defaulting:
                await unit.due_work.finish(work.work_id, now)
            else:
                await unit.due_work.postpone(
                    work.work_id, until=start_of(now.date() + timedelta(days=1)),
                    error="obligor's wallet is short")
        await unit.commit()
    log.info("settlement unpaid", pieces=[p.key for p in pieces], days_late=days_late,
             defaulted=defaulting)
    if defaulting:
        for piece in pieces:
            if piece.financing is not None and piece.financing.with_recourse:
                await collect_recourse(new_unit, ledger, piece.financing.financing_id)


async def collect_recourse(new_unit: NewUnit, ledger: Ledger, financing_id: str) -> bool:
    """With recourse the applicant owes the funder's claim once the obligor defaulted;
    collected from its wallet when it can pay (the financing stays DEFAULTED: it was the
    obligor's default)."""
    async with new_unit() as unit:
        financing = await financing_of(unit, financing_id)
    if financing.recourse_transfer_id or financing.status is not FinancingStatus.DEFAULTED:
        return False
    transfer_id = derived_id("recourse", financing_id)
    try:
        await ledger.pay([Payment(transfer_id, financing.applicant_id, financing.funder_id,
                                  financing.requested_amount,
                                  TransferCode.FINANCING_SETTLEMENT,
                                  f"financing:{financing_id}")])
    except InsufficientFunds:
        return False
    async with new_unit() as unit:
        current = await financing_of(unit, financing_id, for_update=True)
        await unit.financings.save(replace(current, recourse_transfer_id=transfer_id))
        await unit.commit()
    return True


async def run_due_work(new_unit: NewUnit, ledger: Ledger, *, terms: Terms, clock: Clock,
                       batch_size_max: int = 100, ports: Ports | None = None) -> int:
    """One pass over the work due now; returns how many items were handled."""
    async with new_unit() as unit:
        due = await unit.due_work.due(clock(), batch_size_max)
    for work in due:
        try:
            await settle_due(new_unit, ledger, work, terms=terms, clock=clock, ports=ports)
        except Exception as error:  # one bad item must not stop the others
            log.exception("due work failed; retrying later", work_id=work.work_id)
            async with new_unit() as unit:
                await unit.due_work.postpone(work.work_id, until=clock() + timedelta(minutes=1),
                                             error=repr(error))
                await unit.commit()
    return len(due)


async def run_scheduler(new_unit: NewUnit, ports: Ports, stop: asyncio.Event, *,
                        terms: Terms, clock: Clock, period_s: float) -> None:
    """The background task: wake every period, do what is due."""
    while not stop.is_set():
        if await run_due_work(new_unit, ports.ledger, terms=terms, clock=clock,
                              ports=ports) == 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), period_s)


async def settle_now(new_unit: NewUnit, ledger: Ledger, financing_id: str, *, request_id: str,
                     terms: Terms, now: datetime) -> None:
    """Early repayment or an operator's retry of one financing. A retried request id
    returns without a second effect (its payments are derived from the pieces anyway)."""
    key = fingerprint({"financing_id": financing_id})
    async with new_unit() as unit:
        if await unit.previous_response(operation="SettleFinancing", request_id=request_id,
                                        fingerprint=key) is not None:
            return
        financing = await financing_of(unit, financing_id)
        if financing.status not in LIVE:
            raise FailedPrecondition("FINANCING_NOT_FUNDED",
                                     f"the financing is {financing.status.value}")
        if financing.collateral_kind is CollateralKind.LETTER_OF_CREDIT:
            pieces = await _lc_pieces(unit, financing.collateral_id)
        elif financing.collateral_kind is CollateralKind.PAYABLE:
            payable = await unit.payables.get(financing.collateral_id)
            assert payable is not None
            pieces = [Piece(payable.payable_id, payable.obligor_id, payable.holder_id,
                            payable.face, start_of(payable.maturity_date), payable, financing)]
        else:
            pieces = await _financing_pieces(unit, financing_id)
    if not await settle_pieces(new_unit, ledger, pieces, terms=terms, now=now, work=None):
        raise FailedPrecondition("INSUFFICIENT_FUNDS", "the obligor's wallet is short")
    async with new_unit() as unit:
        await unit.remember_response(operation="SettleFinancing", request_id=request_id,
                                     fingerprint=key, response=financing_id.encode())
        await unit.commit()


async def declare_default(new_unit: NewUnit, financing_id: str, reason: str, *,
                          request_id: str, now: datetime) -> None:
    async def perform(unit: ScfUnitOfWork) -> str:
        financing = await financing_of(unit, financing_id, for_update=True)
        defaulted = financing.defaulted(reason=reason, at=now)
        await unit.financings.save(defaulted)
        unit.record(FinancingDefaulted(defaulted))
        return financing_id

    await once(new_unit, "DeclareFinancingDefault", request_id,
               {"financing_id": financing_id, "reason": reason}, perform)
