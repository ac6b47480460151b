"""IP-pledge loans: confirmed rights pledged into custody, a loan up to a
loan-to-value of the lower valuation, a repayment schedule, interest accrued simple
actual/365, release on repayment, default and enforcement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, localcontext
from enum import StrEnum

from ntb_intangible_bank.domain.valuation import CONTEXT, fen
from ntbkit.errors import FailedPrecondition

INSTALLMENT_PERIOD_DAYS = 30
DAYS_PER_YEAR = 365


class LoanStatus(StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    DISBURSED = "DISBURSED"
    REPAID = "REPAID"
    DEFAULTED = "DEFAULTED"
    ENFORCED = "ENFORCED"


class PledgeStatus(StrEnum):
    PROPOSED = "PROPOSED"
    ACTIVE = "ACTIVE"
    RELEASED = "RELEASED"
    ENFORCED = "ENFORCED"


HOLDING_PLEDGES = frozenset({PledgeStatus.PROPOSED, PledgeStatus.ACTIVE})


@dataclass(frozen=True)
class Installment:
    number: int
    due_date: date
    principal_due_fen: int
    outstanding_after_fen: int


@dataclass(frozen=True)
class Repayment:
    amount_fen: int
    interest_part_fen: int
    principal_part_fen: int
    transfer_id: str
    on_time: bool
    at: datetime


@dataclass
class Loan:
    loan_id: str
    borrower_id: str
    lender_id: str
    asset_id: str
    confirmation_ids: tuple[str, ...]
    principal_fen: int
    annual_rate: Decimal
    term_days: int
    purpose: str
    valuation_id: str
    appraised_value_fen: int
    loan_to_value: Decimal
    max_loan_to_value: Decimal
    pledge_id: str
    created_at: datetime
    status: LoanStatus = LoanStatus.REQUESTED
    pledge_status: PledgeStatus = PledgeStatus.PROPOSED
    pledge_activated_at: datetime | None = None
    pledge_closed_at: datetime | None = None
    outstanding_principal_fen: int = 0
    interest_unpaid_fen: int = 0
    interest_from: datetime | None = None
    interest_paid_fen: int = 0
    repaid_total_fen: int = 0
    disbursement_transfer_id: str = ""
    repayment_transfer_ids: tuple[str, ...] = ()
    schedule: tuple[Installment, ...] = ()
    disbursed_at: datetime | None = None
    maturity_date: date | None = None
    closed_at: datetime | None = None
    late: bool = False
    reasons: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert self.principal_fen > 0 and 0 <= self.outstanding_principal_fen <= self.principal_fen

    def _require(self, *allowed: LoanStatus) -> None:
        if self.status not in allowed:
            raise FailedPrecondition(
                "LOAN_STATUS_INVALID", f"the loan is {self.status.value}, not "
                f"{' or '.join(s.value for s in allowed)}", {"status": self.status.value})

    def exceeds_loan_to_value(self) -> bool:
        """Exact: principal > limit x collateral (loan_to_value is only rounded for show)."""
        with localcontext(CONTEXT):
            return Decimal(self.principal_fen) > self.max_loan_to_value * self.appraised_value_fen

    def approve(self, at: datetime) -> None:
        self._require(LoanStatus.REQUESTED)
        if self.exceeds_loan_to_value():
            raise FailedPrecondition(
                "LOAN_TO_VALUE_EXCEEDED", f"loan-to-value {self.loan_to_value} is above the "
                f"{self.max_loan_to_value} allowed for this asset kind",
                {"loan_to_value": str(self.loan_to_value),
                 "max_loan_to_value": str(self.max_loan_to_value)})
        self.status, self.pledge_status, self.pledge_activated_at = (
            LoanStatus.APPROVED, PledgeStatus.ACTIVE, at)

    def reject(self, reason: str, at: datetime) -> None:
        self._require(LoanStatus.REQUESTED)
        self.status, self.pledge_status = LoanStatus.REJECTED, PledgeStatus.RELEASED
        self.pledge_closed_at = self.closed_at = at
        self.reasons["rejected"] = reason

    def disburse(self, transfer_id: str, at: datetime) -> None:
        self._require(LoanStatus.APPROVED)
        self.status, self.disbursement_transfer_id = LoanStatus.DISBURSED, transfer_id
        self.disbursed_at = self.interest_from = at
        self.outstanding_principal_fen = self.principal_fen
        self.maturity_date = at.date() + timedelta(days=self.term_days)
        self.schedule = build_schedule(self.principal_fen, at.date(), self.term_days)

    def accrued_interest_fen(self, now: datetime) -> int:
        if self.interest_from is None or self.status not in (LoanStatus.DISBURSED,
                                                             LoanStatus.DEFAULTED):
            return self.interest_unpaid_fen
        days = max(0, (now - self.interest_from).days)
        with localcontext(CONTEXT):
            fresh = fen(self.outstanding_principal_fen * self.annual_rate * days
                        / DAYS_PER_YEAR)
        return self.interest_unpaid_fen + fresh

    def repay(self, amount_fen: int, transfer_id: str, now: datetime) -> Repayment:
        self._require(LoanStatus.DISBURSED, LoanStatus.DEFAULTED)
        accrued = self.accrued_interest_fen(now)
        owed = self.outstanding_principal_fen + accrued
        if amount_fen > owed:
            raise FailedPrecondition("REPAYMENT_EXCEEDS_DEBT", f"{amount_fen} fen is more "
                                     f"than the {owed} fen owed", {"owed_fen": str(owed)})
        interest_part = min(amount_fen, accrued)
        principal_part = amount_fen - interest_part
        on_time = not self.overdue(now)
        self.interest_unpaid_fen = accrued - interest_part
        self.interest_from = now
        self.interest_paid_fen += interest_part
        self.outstanding_principal_fen -= principal_part
        self.repaid_total_fen += amount_fen
        self.repayment_transfer_ids += (transfer_id,)
        self.late = self.late or not on_time
        if self.outstanding_principal_fen == 0 and self.interest_unpaid_fen == 0:
            self.status, self.pledge_status = LoanStatus.REPAID, PledgeStatus.RELEASED
            self.pledge_closed_at = self.closed_at = now
        return Repayment(amount_fen, interest_part, principal_part, transfer_id, on_time, now)

    def overdue(self, now: datetime) -> bool:
        """An installment is due before today and the principal is not down to it."""
        today = now.date()
        return any(i.due_date < today and self.outstanding_principal_fen > i.outstanding_after_fen
                   for i in self.schedule)

    def installment_paid(self, installment: Installment) -> bool:
        return self.outstanding_principal_fen <= installment.outstanding_after_fen

    def declare_default(self, reason: str, now: datetime) -> None:
        self._require(LoanStatus.DISBURSED)
        if not self.overdue(now):
            raise FailedPrecondition("LOAN_NOT_OVERDUE",
                                     "no installment of the loan is unpaid past its due date")
        self.status = LoanStatus.DEFAULTED
        self.reasons["defaulted"] = reason

    def enforce(self, now: datetime) -> None:
        self._require(LoanStatus.DEFAULTED)
        # The debt is fixed here: interest stops once the lender takes the asset.
        self.interest_unpaid_fen, self.interest_from = self.accrued_interest_fen(now), now
        self.status, self.pledge_status = LoanStatus.ENFORCED, PledgeStatus.ENFORCED
        self.pledge_closed_at = self.closed_at = now

    def settle_by_sale(self, price_fen: int, now: datetime) -> int:
        """The enforced asset sold: the price pays the debt (interest first); what is left
        over belongs to the borrower. Returns that surplus, >= 0."""
        self._require(LoanStatus.ENFORCED)
        accrued = self.interest_unpaid_fen  # fixed at enforcement
        owed = self.outstanding_principal_fen + accrued
        recovered = min(price_fen, owed)
        interest_part = min(recovered, accrued)
        self.interest_paid_fen += interest_part
        self.outstanding_principal_fen -= recovered - interest_part
        self.interest_unpaid_fen = accrued - interest_part
        self.repaid_total_fen += recovered
        self.reasons["sold"] = str(price_fen)
        return price_fen - recovered

    def release(self, reason: str, now: datetime) -> None:
        if self.pledge_status is not PledgeStatus.ACTIVE:
            raise FailedPrecondition("PLEDGE_NOT_ACTIVE",
                                     f"the pledge is {self.pledge_status.value}")
        self.pledge_status, self.pledge_closed_at = PledgeStatus.RELEASED, now
        self.reasons["released"] = reason


def build_schedule(principal_fen: int, start: date, term_days: int) -> tuple[Installment, ...]:
    count = -(-term_days // INSTALLMENT_PERIOD_DAYS)
    part = principal_fen // count
    installments = []
    outstanding = principal_fen
    for number in range(1, count + 1):
        due = start + timedelta(days=min(number * INSTALLMENT_PERIOD_DAYS, term_days))
        amount = part if number < count else outstanding
        outstanding -= amount
        installments.append(Installment(number, due, amount, outstanding))
    assert outstanding == 0 and sum(i.principal_due_fen for i in installments) == principal_fen
    return tuple(installments)


def loan_to_value(principal_fen: int, collateral_fen: int) -> Decimal:
    with localcontext(CONTEXT):
        return (Decimal(principal_fen) / collateral_fen).quantize(Decimal("0.0001"))
