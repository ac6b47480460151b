"""Letters of credit: issuance by a bank, presentation by the beneficiary, examination;
an accepted credit is paid by the bank at maturity (to the funder that discounted it,
if any) by the settlement scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ntb_scf_exchange.domain.alliances import Role
from ntb_scf_exchange.domain.letters_of_credit import Document, LcStatus, LetterOfCredit
from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.service.common import new_id, once
from ntb_scf_exchange.service.payables import start_of
from ntb_scf_exchange.service.unit_of_work import Clock, DueWork, NewUnit, ScfUnitOfWork
from ntbkit.auth import Caller
from ntbkit.errors import FailedPrecondition, NotFound, PermissionDenied

SETTLE_LC = "SETTLE_LC"
EXPIRE_LC = "EXPIRE_LC"


@dataclass(frozen=True)
class IssueLc:
    request_id: str
    issuing_bank_id: str
    applicant_id: str
    beneficiary_id: str
    purchase_order_id: str
    amount: Money
    expiry_date: date
    usance_days: int
    required_documents: tuple[str, ...]


async def lc_of(unit: ScfUnitOfWork, lc_id: str, *, for_update: bool = False
                ) -> LetterOfCredit:
    found = await unit.letters_of_credit.get(lc_id, for_update=for_update)
    if found is None:
        raise NotFound("letter of credit", lc_id)
    return found


async def issue(new_unit: NewUnit, command: IssueLc, caller: Caller, clock: Clock
                ) -> LetterOfCredit:
    caller.require_may_act_for(command.issuing_bank_id)

    async def perform(unit: ScfUnitOfWork) -> str:
        banks = await unit.members.find({"member_id": command.issuing_bank_id})
        if not any(m.has(Role.FUNDER) for m in banks):
            raise FailedPrecondition("NOT_A_BANK", "only FUNDER members issue credits")
        now = clock()
        if command.expiry_date <= now.date():
            raise FailedPrecondition("EXPIRY_INVALID", "the expiry date is in the future")
        lc = LetterOfCredit(
            letter_of_credit_id=new_id(), applicant_id=command.applicant_id,
            beneficiary_id=command.beneficiary_id, issuing_bank_id=command.issuing_bank_id,
            purchase_order_id=command.purchase_order_id, amount=command.amount,
            expiry_date=command.expiry_date, usance_days=command.usance_days,
            required_documents=command.required_documents, status=LcStatus.ISSUED,
            issued_at=now)
        await unit.letters_of_credit.add(lc)
        await unit.due_work.schedule(DueWork(
            f"{EXPIRE_LC}:{lc.letter_of_credit_id}", EXPIRE_LC, lc.letter_of_credit_id,
            start_of(command.expiry_date + timedelta(days=1))))
        return lc.letter_of_credit_id

    lc_id = await once(new_unit, "IssueLetterOfCredit", command.request_id, command, perform)
    return await get(new_unit, lc_id, caller)


async def present(new_unit: NewUnit, *, request_id: str, lc_id: str,
                  documents: tuple[Document, ...], caller: Caller, clock: Clock
                  ) -> LetterOfCredit:
    async def perform(unit: ScfUnitOfWork) -> str:
        lc = await lc_of(unit, lc_id, for_update=True)
        caller.require_may_act_for(lc.beneficiary_id)
        await unit.letters_of_credit.save(lc.presented(documents, clock().date()))
        return lc_id

    await once(new_unit, "PresentDocuments", request_id,
               {"lc": lc_id, "documents": documents}, perform)
    return await get(new_unit, lc_id, caller)


async def examine(new_unit: NewUnit, *, request_id: str, lc_id: str, accept: bool, notes: str,
                  caller: Caller, clock: Clock) -> LetterOfCredit:
    async def perform(unit: ScfUnitOfWork) -> str:
        lc = await lc_of(unit, lc_id, for_update=True)
        caller.require_may_act_for(lc.issuing_bank_id)
        examined = lc.examined(accept=accept, notes=notes, today=clock().date())
        await unit.letters_of_credit.save(examined)
        if examined.maturity_date is not None:
            await unit.due_work.schedule(DueWork(f"{SETTLE_LC}:{lc_id}", SETTLE_LC, lc_id,
                                                 start_of(examined.maturity_date)))
        return lc_id

    await once(new_unit, "ExamineDocuments", request_id,
               {"lc": lc_id, "accept": accept, "notes": notes}, perform)
    return await get(new_unit, lc_id, caller)


async def expire(new_unit: NewUnit, work: DueWork, now: datetime) -> None:
    async with new_unit() as unit:
        lc = await lc_of(unit, work.subject_id, for_update=True)
        await unit.letters_of_credit.save(lc.expired())
        await unit.due_work.finish(work.work_id, now)
        await unit.commit()


async def get(new_unit: NewUnit, lc_id: str, caller: Caller) -> LetterOfCredit:
    async with new_unit() as unit:
        lc = await lc_of(unit, lc_id)
        parties = {lc.applicant_id, lc.beneficiary_id, lc.issuing_bank_id}
        parties |= {f.funder_id for f in await unit.financings.find({"collateral_id": lc_id})}
    if not caller.privileged and caller.subject not in parties:
        raise PermissionDenied("only the parties see the credit")
    return lc


async def list_credits(new_unit: NewUnit, *, party_id: str, status: LcStatus | None,
                       caller: Caller, offset: int, limit: int) -> list[LetterOfCredit]:
    if not caller.privileged:
        caller.require_access_to(party_id)
    async with new_unit() as unit:
        if party_id:
            found: dict[str, LetterOfCredit] = {}
            for column in ("applicant_id", "beneficiary_id", "issuing_bank_id"):
                for lc in await unit.letters_of_credit.find({column: party_id}):
                    found[lc.letter_of_credit_id] = lc
            credits = list(found.values())
        else:
            credits = await unit.letters_of_credit.find()
    ordered = sorted((c for c in credits if status is None or c.status is status),
                     key=lambda c: (c.issued_at, c.letter_of_credit_id), reverse=True)
    return ordered[offset:offset + limit]
