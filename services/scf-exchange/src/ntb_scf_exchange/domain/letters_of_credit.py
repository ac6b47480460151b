"""Documentary letters of credit: issue, present documents, examine (accept or refuse),
then the issuing bank owes the amount at maturity (acceptance + usance) - a receivable
the beneficiary can discount with a funder."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from ntb_scf_exchange.domain.money import Money
from ntbkit.errors import FailedPrecondition


class LcStatus(enum.Enum):
    ISSUED = "ISSUED"
    PRESENTED = "PRESENTED"
    ACCEPTED = "ACCEPTED"
    REFUSED = "REFUSED"
    PAID = "PAID"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class Document:
    name: str
    sha256: bytes
    media_type: str


@dataclass(frozen=True)
class LetterOfCredit:
    letter_of_credit_id: str
    applicant_id: str
    beneficiary_id: str
    issuing_bank_id: str
    purchase_order_id: str
    amount: Money
    expiry_date: date
    usance_days: int
    required_documents: tuple[str, ...]
    status: LcStatus
    issued_at: datetime
    presented_documents: tuple[Document, ...] = ()
    maturity_date: date | None = None
    examination_notes: str = ""
    payment_transfer_id: str = ""

    def presented(self, documents: tuple[Document, ...], today: date) -> LetterOfCredit:
        if self.status not in (LcStatus.ISSUED, LcStatus.REFUSED):
            raise FailedPrecondition("LC_NOT_PRESENTABLE", f"the credit is {self.status.value}")
        if today > self.expiry_date:
            raise FailedPrecondition("LC_EXPIRED", "the credit expired")
        names = sorted(d.name for d in documents)
        if names != sorted(self.required_documents):
            raise FailedPrecondition("DOCUMENTS_DO_NOT_MATCH",
                                     "present exactly one document per required name")
        return replace(self, status=LcStatus.PRESENTED, presented_documents=documents)

    def examined(self, *, accept: bool, notes: str, today: date) -> LetterOfCredit:
        if self.status is not LcStatus.PRESENTED:
            raise FailedPrecondition("LC_NOT_PRESENTED", f"the credit is {self.status.value}")
        if not accept:
            return replace(self, status=LcStatus.REFUSED, examination_notes=notes)
        return replace(self, status=LcStatus.ACCEPTED, examination_notes=notes,
                       maturity_date=today + timedelta(days=max(1, self.usance_days)))

    def expired(self) -> LetterOfCredit:
        """Past its expiry date without accepted documents, a credit lapses."""
        if self.status in (LcStatus.ISSUED, LcStatus.PRESENTED, LcStatus.REFUSED):
            return replace(self, status=LcStatus.EXPIRED)
        return self

    def paid(self, transfer_id: str) -> LetterOfCredit:
        return replace(self, status=LcStatus.PAID, payment_transfer_id=transfer_id)
