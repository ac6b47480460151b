"""Custody and IP-pledge credit: a holder pledges confirmed rights for a loan from a
financial institution; money moves through laborcoin's ledger in CNY; the pledge is
released on repayment or enforced on default (the asset goes up for sale)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ntb_intangible_bank.domain.assets import AssetKind, Holder, LegalStatus
from ntb_intangible_bank.domain.events import LoanChanged, LoanRepaymentReceived
from ntb_intangible_bank.domain.gene import GeneEventKind
from ntb_intangible_bank.domain.loans import Loan, LoanStatus, loan_to_value
from ntb_intangible_bank.domain.patent_bank import DealTerms, ListingKind
from ntb_intangible_bank.domain.rights import RightKind, RightsConfirmation
from ntb_intangible_bank.service import gene_map
from ntb_intangible_bank.service.access import locked_asset
from ntb_intangible_bank.service.patent_bank import new_listing, publish
from ntb_intangible_bank.service.ports import (
    LOAN_DISBURSEMENT,
    LOAN_REPAYMENT,
    Ledger,
    transfer_id_for,
)
from ntb_intangible_bank.service.registry import transfer_holders
from ntb_intangible_bank.service.unit_of_work import (
    Clock,
    IntangibleBankUnitOfWork,
    LoanFilter,
    NewUnit,
)
from ntbkit.auth import Caller
from ntbkit.errors import FailedPrecondition, NotFound
from ntbkit.storage.idempotency import run_idempotent

_PLEDGEABLE = frozenset({RightKind.OWNERSHIP, RightKind.COLLECTION})


@dataclass(frozen=True)
class RequestLoan:
    request_id: str
    borrower_id: str
    lender_id: str
    asset_id: str
    confirmation_ids: tuple[str, ...]
    principal_fen: int
    annual_rate: Decimal
    term_days: int
    purpose: str


@dataclass(frozen=True)
class LoanCommand:
    """Approve, reject, disburse, default, enforce or release: a loan and a reason."""

    request_id: str
    loan_id: str
    reason: str = ""
    annual_rate: Decimal | None = None
    asking_price_fen: int | None = None


@dataclass(frozen=True)
class RepayLoan:
    request_id: str
    loan_id: str
    amount_fen: int


@dataclass(frozen=True)
class LoanPolicy:
    max_loan_to_value: dict[AssetKind, Decimal]


def _check_rights(rights: list[RightsConfirmation], asked: tuple[str, ...], *,
                  borrower_id: str, asset_id: str, now: datetime) -> None:
    by_id = {c.confirmation_id: c for c in rights}
    for confirmation_id in asked:
        right = by_id.get(confirmation_id)
        if right is None:
            raise FailedPrecondition("RIGHT_NOT_OF_ASSET", f"{confirmation_id} is not a right "
                                     f"of asset {asset_id}")
        if not right.in_force(now):
            raise FailedPrecondition("RIGHT_NOT_CONFIRMED", f"right {confirmation_id} is "
                                     f"{right.status_at(now).value}, not CONFIRMED")
        if right.holder_id != borrower_id:
            raise FailedPrecondition("RIGHT_NOT_HELD", f"right {confirmation_id} is held by "
                                     "someone else than the borrower")
    if not any(by_id[c].right_kind in _PLEDGEABLE for c in asked):
        raise FailedPrecondition("PLEDGE_NEEDS_OWNERSHIP_OR_COLLECTION",
                                 "a pledge must include the OWNERSHIP or COLLECTION right")


async def _collateral(unit: IntangibleBankUnitOfWork, asset_id: str) -> tuple[str, int]:
    valuations = await unit.valuations.of_asset(asset_id)
    if not valuations:
        raise FailedPrecondition("ASSET_NOT_VALUED", "value the asset before borrowing on it")
    latest = valuations[0]
    return latest.valuation_id, latest.lowest_value_fen


async def request_loan(new_unit: NewUnit, command: RequestLoan, caller: Caller, clock: Clock,
                       policy: LoanPolicy) -> Loan:
    caller.require_may_act_for(command.borrower_id)

    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        lender = await unit.principals.get(command.lender_id)
        if lender is None or lender.kind != "FINANCIAL_INSTITUTION":
            raise FailedPrecondition("LENDER_NOT_FINANCIAL_INSTITUTION",
                                     "the lender must be a registered financial institution")
        asset = await locked_asset(unit, command.asset_id)
        now = clock()
        if not asset.holds(command.borrower_id):
            raise FailedPrecondition("BORROWER_NOT_HOLDER", "the borrower holds no share of "
                                     "the asset")
        if asset.legal_status is not LegalStatus.IN_FORCE:
            raise FailedPrecondition("ASSET_NOT_IN_FORCE",
                                     f"the asset is {asset.legal_status.value}")
        if await unit.loans.holding_pledge(asset.asset_id) is not None:
            raise FailedPrecondition("ASSET_PLEDGED", "the asset is already pledged")
        _check_rights(await unit.rights.of_asset(asset.asset_id), command.confirmation_ids,
                      borrower_id=command.borrower_id, asset_id=asset.asset_id, now=now)
        remaining = asset.remaining_life_days(now.date())
        if remaining is not None and remaining <= command.term_days:
            raise FailedPrecondition(
                "REMAINING_LIFE_TOO_SHORT", f"{remaining} days of protection remain; the "
                f"loan runs {command.term_days}", {"remaining_life_days": str(remaining)})
        valuation_id, collateral = await _collateral(unit, asset.asset_id)
        loan = Loan(
            loan_id=str(uuid.uuid4()), borrower_id=command.borrower_id,
            lender_id=command.lender_id, asset_id=asset.asset_id,
            confirmation_ids=command.confirmation_ids, principal_fen=command.principal_fen,
            annual_rate=command.annual_rate, term_days=command.term_days,
            purpose=command.purpose, valuation_id=valuation_id,
            appraised_value_fen=collateral,
            loan_to_value=(loan_to_value(command.principal_fen, collateral) if collateral
                           else Decimal("Infinity")),
            max_loan_to_value=policy.max_loan_to_value[asset.kind],
            pledge_id=str(uuid.uuid4()), created_at=now)
        if loan.exceeds_loan_to_value():
            raise FailedPrecondition(
                "LOAN_TO_VALUE_EXCEEDED", f"loan-to-value {loan.loan_to_value} is above the "
                f"{loan.max_loan_to_value} allowed for {asset.kind.value}",
                {"loan_to_value": str(loan.loan_to_value),
                 "max_loan_to_value": str(loan.max_loan_to_value)})
        await unit.loans.add(loan)
        unit.record(LoanChanged("LoanRequested", loan, now))
        return loan.loan_id

    loan_id = await run_idempotent(
        new_unit, operation="RequestLoan", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_loan(new_unit, loan_id, caller)


async def _loan(unit: IntangibleBankUnitOfWork, loan_id: str) -> Loan:
    loan = await unit.loans.get(loan_id)
    if loan is None:
        raise NotFound("loan", loan_id)
    return loan


async def _as_lender(new_unit: NewUnit, command: LoanCommand, caller: Caller, operation: str,
                     change: Callable[[IntangibleBankUnitOfWork, Loan], Awaitable[None]]
                     ) -> Loan:
    """Runs `change(unit, loan)` for the loan's lender under the asset's lock."""

    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        loan = await _loan(unit, command.loan_id)
        caller.require_may_act_for(loan.lender_id)
        await locked_asset(unit, loan.asset_id)
        loan = await _loan(unit, command.loan_id)  # re-read under the lock
        await change(unit, loan)
        await unit.loans.save(loan)
        return loan.loan_id

    loan_id = await run_idempotent(
        new_unit, operation=operation, request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_loan(new_unit, loan_id, caller)


async def approve(new_unit: NewUnit, command: LoanCommand, caller: Caller, clock: Clock
                  ) -> Loan:
    async def change(unit: IntangibleBankUnitOfWork, loan: Loan) -> None:
        now = clock()
        # The latest valuation counts (the asset may have been revalued since).
        loan.valuation_id, loan.appraised_value_fen = await _collateral(unit, loan.asset_id)
        loan.loan_to_value = (loan_to_value(loan.principal_fen, loan.appraised_value_fen)
                              if loan.appraised_value_fen else Decimal("Infinity"))
        if command.annual_rate is not None:
            loan.annual_rate = command.annual_rate
        loan.approve(now)
        unit.record(LoanChanged("LoanApproved", loan, now))
        unit.record(LoanChanged("PledgeCreated", loan, now))
        await gene_map.record(unit, loan.asset_id, GeneEventKind.PLEDGED,
                              actor_id=caller.subject, subject_id=loan.loan_id, subject=loan,
                              at=now, summary=f"pledged to {loan.lender_id} for loan "
                              f"{loan.loan_id} of {loan.principal_fen} fen")

    return await _as_lender(new_unit, command, caller, "ApproveLoan", change)


async def reject(new_unit: NewUnit, command: LoanCommand, caller: Caller, clock: Clock
                 ) -> Loan:
    async def change(unit: IntangibleBankUnitOfWork, loan: Loan) -> None:
        now = clock()
        loan.reject(command.reason, now)
        unit.record(LoanChanged("LoanRejected", loan, now, command.reason))

    return await _as_lender(new_unit, command, caller, "RejectLoan", change)


async def disburse(new_unit: NewUnit, command: LoanCommand, caller: Caller, clock: Clock,
                   ledger: Ledger) -> Loan:
    async def change(unit: IntangibleBankUnitOfWork, loan: Loan) -> None:
        if loan.status is not LoanStatus.APPROVED:
            loan.disburse("", clock())  # raises LOAN_STATUS_INVALID
        transfer_id = await ledger.pay(
            transfer_id=transfer_id_for(command.request_id, "disbursement"),
            payer_id=loan.lender_id, payee_id=loan.borrower_id, amount_fen=loan.principal_fen,
            code=LOAN_DISBURSEMENT, reference=f"loan:{loan.loan_id}")
        now = clock()
        loan.disburse(transfer_id, now)
        unit.record(LoanChanged("LoanDisbursed", loan, now))
        await gene_map.record(unit, loan.asset_id, GeneEventKind.LOAN_DISBURSED,
                              actor_id=caller.subject, subject_id=loan.loan_id, subject=loan,
                              at=now, summary=f"loan {loan.loan_id} paid out, "
                              f"{loan.principal_fen} fen, due {loan.maturity_date}")

    return await _as_lender(new_unit, command, caller, "DisburseLoan", change)


async def repay(new_unit: NewUnit, command: RepayLoan, caller: Caller, clock: Clock,
                ledger: Ledger) -> Loan:
    async def perform(unit: IntangibleBankUnitOfWork) -> str:
        loan = await _loan(unit, command.loan_id)
        caller.require_may_act_for(loan.borrower_id)
        await locked_asset(unit, loan.asset_id)
        loan = await _loan(unit, command.loan_id)
        now = clock()
        owed = loan.outstanding_principal_fen + loan.accrued_interest_fen(now)
        if loan.status not in (LoanStatus.DISBURSED, LoanStatus.DEFAULTED) or (
                command.amount_fen > owed):
            loan.repay(command.amount_fen, "", now)  # raises the reason
        transfer_id = await ledger.pay(
            transfer_id=transfer_id_for(command.request_id, "repayment"),
            payer_id=loan.borrower_id, payee_id=loan.lender_id, amount_fen=command.amount_fen,
            code=LOAN_REPAYMENT, reference=f"loan:{loan.loan_id}")
        repayment = loan.repay(command.amount_fen, transfer_id, now)
        await unit.loans.save(loan)
        unit.record(LoanRepaymentReceived(loan, repayment))
        await gene_map.record(unit, loan.asset_id, GeneEventKind.LOAN_REPAYMENT,
                              actor_id=caller.subject, subject_id=loan.loan_id, subject=loan,
                              at=now, summary=(f"repaid {repayment.amount_fen} fen "
                                               f"(interest {repayment.interest_part_fen})"))
        if loan.status is LoanStatus.REPAID:
            unit.record(LoanChanged("LoanRepaid", loan, now))
            unit.record(LoanChanged("PledgeReleased", loan, now, "repaid"))
            await gene_map.record(unit, loan.asset_id, GeneEventKind.PLEDGE_RELEASED,
                                  actor_id=caller.subject, subject_id=loan.loan_id,
                                  subject=loan, at=now, summary="pledge released: repaid")
        return loan.loan_id

    loan_id = await run_idempotent(
        new_unit, operation="RepayLoan", request_id=command.request_id, command=command,
        perform=perform, encode=str.encode, decode=bytes.decode)
    return await get_loan(new_unit, loan_id, caller)


async def declare_default(new_unit: NewUnit, command: LoanCommand, caller: Caller,
                          clock: Clock) -> Loan:
    async def change(unit: IntangibleBankUnitOfWork, loan: Loan) -> None:
        now = clock()
        loan.declare_default(command.reason, now)
        unit.record(LoanChanged("LoanDefaulted", loan, now, command.reason))
        await gene_map.record(unit, loan.asset_id, GeneEventKind.LOAN_DEFAULTED,
                              actor_id=caller.subject, subject_id=loan.loan_id, subject=loan,
                              at=now, summary=f"loan {loan.loan_id} in default: "
                              f"{command.reason}")

    return await _as_lender(new_unit, command, caller, "DeclareLoanDefault", change)


async def enforce(new_unit: NewUnit, command: LoanCommand, caller: Caller, clock: Clock
                  ) -> tuple[Loan, str]:
    """The pledged asset passes to the lender and goes up for sale on the patent bank."""
    listing: dict[str, str] = {}

    async def change(unit: IntangibleBankUnitOfWork, loan: Loan) -> None:
        now = clock()
        loan.enforce(now)
        unit.record(LoanChanged("PledgeEnforced", loan, now))
        await gene_map.record(unit, loan.asset_id, GeneEventKind.PLEDGE_ENFORCED,
                              actor_id=caller.subject, subject_id=loan.loan_id, subject=loan,
                              at=now, summary=f"pledge enforced by {loan.lender_id}")
        asset = await locked_asset(unit, loan.asset_id)
        await unit.loans.save(loan)  # the pledge no longer holds the asset
        await transfer_holders(unit, asset, (Holder(loan.lender_id, Decimal(1)),),
                               cause=f"pledge_enforcement:{loan.loan_id}",
                               actor_id=caller.subject, at=now)
        price = command.asking_price_fen or (loan.outstanding_principal_fen
                                             + loan.accrued_interest_fen(now))
        sale = new_listing(
            asset, seller_id=loan.lender_id, kind=ListingKind.SALE, at=now,
            loan_id=loan.loan_id, description=f"enforcement of the pledge of loan {loan.loan_id}",
            terms=DealTerms(price, Decimal(0), 0, (), "", None, None, False))
        await publish(unit, sale, caller.subject)
        listing["id"] = sale.listing_id

    loan = await _as_lender(new_unit, command, caller, "EnforcePledge", change)
    if "id" not in listing:  # a repeated request: find the listing it opened
        async with new_unit() as unit:
            found = await unit.listings.of_loan(loan.loan_id)
            listing["id"] = "" if found is None else found.listing_id
    return loan, listing["id"]


async def release(new_unit: NewUnit, command: LoanCommand, caller: Caller, clock: Clock
                  ) -> Loan:
    async def change(unit: IntangibleBankUnitOfWork, loan: Loan) -> None:
        now = clock()
        loan.release(command.reason, now)
        unit.record(LoanChanged("PledgeReleased", loan, now, "waived"))
        await gene_map.record(unit, loan.asset_id, GeneEventKind.PLEDGE_RELEASED,
                              actor_id=caller.subject, subject_id=loan.loan_id, subject=loan,
                              at=now, summary=f"pledge released (waived): {command.reason}")

    return await _as_lender(new_unit, command, caller, "ReleasePledge", change)


async def get_loan(new_unit: NewUnit, loan_id: str, caller: Caller) -> Loan:
    async with new_unit() as unit:
        loan = await _loan(unit, loan_id)
    if caller.subject not in (loan.borrower_id, loan.lender_id) and not caller.privileged:
        caller.require_access_to(loan.borrower_id)
    return loan


async def list_loans(new_unit: NewUnit, where: LoanFilter, offset: int, limit: int,
                     caller: Caller) -> list[Loan]:
    if not caller.privileged and caller.subject not in (where.borrower_id, where.lender_id):
        caller.require_access_to(where.borrower_id or where.lender_id)
    async with new_unit() as unit:
        return await unit.loans.page(where, offset, limit)
