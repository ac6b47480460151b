"""Letters of credit over gRPC: issue, a discrepant presentation refused, a complete one
accepted (payable at acceptance + usance), discounted by a funder, and paid by the
issuing bank at maturity to that funder."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from scf_api_support import ScfServer, as_, error_reason, eventually, new_id, stub
from scf_fakes import MovableClock
from scf_world import World, cny, pdate

from ntb.common.v1 import common_pb2
from ntb.scf_exchange.v1 import scf_exchange_pb2 as pb

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BANK, BUYER, SELLER, FUNDER = (str(uuid.uuid4()) for _ in range(4))
REQUIRED = ["bill of lading", "commercial invoice"]


def doc(name: str) -> common_pb2.DocumentHash:
    return common_pb2.DocumentHash(name=name, sha256=hashlib.sha256(name.encode()).digest(),
                                   media_type="application/pdf")


async def test_credit_presented_accepted_discounted_and_paid(tmp_path: Path) -> None:
    scf = ScfServer(f"sqlite+aiosqlite:///{tmp_path / 'scf.db'}", MovableClock(START))
    scf.ledger.deposit(BANK, "CNY", 1_000_000_00)
    scf.ledger.deposit(FUNDER, "CNY", 1_000_000_00)
    await scf.start()
    try:
        async with grpc.aio.insecure_channel(scf.target) as channel:
            w = World(stub(channel), START.date())
            alliance = await w.alliance("Ceramics", countries=("CN", "DE"))
            await w.join(alliance, BANK, pb.MEMBER_ROLE_FUNDER)
            await w.join(alliance, FUNDER, pb.MEMBER_ROLE_FUNDER)
            issued = (await w.api.IssueLetterOfCredit(pb.IssueLetterOfCreditRequest(
                request_id=new_id(), issuing_bank_id=BANK, applicant_id=BUYER,
                beneficiary_id=SELLER, amount=cny(300_000_00),
                expiry_date=pdate(START.date() + timedelta(days=30)), usance_days=60,
                required_documents=REQUIRED), metadata=as_(BANK))).letter_of_credit
            lc_id = issued.letter_of_credit_id
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await w.api.PresentDocuments(pb.PresentDocumentsRequest(
                    request_id=new_id(), letter_of_credit_id=lc_id,
                    documents=[doc("commercial invoice")]), metadata=as_(SELLER))
            assert error_reason(raised.value) == "DOCUMENTS_DO_NOT_MATCH"
            await w.api.PresentDocuments(pb.PresentDocumentsRequest(
                request_id=new_id(), letter_of_credit_id=lc_id,
                documents=[doc(n) for n in REQUIRED]), metadata=as_(SELLER))
            refused = (await w.api.ExamineDocuments(pb.ExamineDocumentsRequest(
                request_id=new_id(), letter_of_credit_id=lc_id, accept=False,
                notes="port of loading differs"), metadata=as_(BANK))).letter_of_credit
            assert refused.status == pb.LETTER_OF_CREDIT_STATUS_REFUSED
            await w.api.PresentDocuments(pb.PresentDocumentsRequest(
                request_id=new_id(), letter_of_credit_id=lc_id,
                documents=[doc(n) for n in REQUIRED]), metadata=as_(SELLER))
            accepted = (await w.api.ExamineDocuments(pb.ExamineDocumentsRequest(
                request_id=new_id(), letter_of_credit_id=lc_id, accept=True),
                metadata=as_(BANK))).letter_of_credit
            assert accepted.status == pb.LETTER_OF_CREDIT_STATUS_ACCEPTED
            assert accepted.maturity_date == pdate(START.date() + timedelta(days=60))

            discounting = (await w.api.RequestFinancing(pb.RequestFinancingRequest(
                request_id=new_id(), product=pb.FINANCING_PRODUCT_LETTER_OF_CREDIT_DISCOUNTING,
                applicant_id=SELLER, collateral=pb.Collateral(letter_of_credit_id=lc_id),
                requested_amount=cny(300_000_00)), metadata=as_(SELLER))).financing
            assert discounting.obligor_id == BANK
            await w.bid(discounting.financing_id, FUNDER, "0.036")
            funded = await w.accept(discounting)
            # 300,000 x 0.036 x 60 / 360 = 1,800.00
            assert (funded.discount.units, funded.advance.units) == (1_800_00, 298_200_00)

            scf.clock.now = START + timedelta(days=60)

            async def paid() -> pb.LetterOfCredit | None:
                found = (await w.api.GetLetterOfCredit(pb.GetLetterOfCreditRequest(
                    letter_of_credit_id=lc_id), metadata=as_(SELLER))).letter_of_credit
                return found if found.status == pb.LETTER_OF_CREDIT_STATUS_PAID else None

            done = await eventually(paid)
            assert done.payment_transfer_id
            assert (await w.financing(funded.financing_id)).status == (
                pb.FINANCING_STATUS_SETTLED)
    finally:
        await scf.stop()
    assert scf.ledger.balance(BANK, "CNY") == 700_000_00
    assert scf.ledger.balance(FUNDER, "CNY") == 1_000_000_00 + 1_800_00
    assert scf.ledger.balance(SELLER, "CNY") == 298_200_00


async def test_a_credit_without_accepted_documents_expires(tmp_path: Path) -> None:
    scf = ScfServer(f"sqlite+aiosqlite:///{tmp_path / 'scf.db'}", MovableClock(START))
    await scf.start()
    try:
        async with grpc.aio.insecure_channel(scf.target) as channel:
            w = World(stub(channel), START.date())
            alliance = await w.alliance("Glass")
            await w.join(alliance, BANK, pb.MEMBER_ROLE_FUNDER)
            issued = (await w.api.IssueLetterOfCredit(pb.IssueLetterOfCreditRequest(
                request_id=new_id(), issuing_bank_id=BANK, applicant_id=BUYER,
                beneficiary_id=SELLER, amount=cny(10_000_00),
                expiry_date=pdate(START.date() + timedelta(days=10)), usance_days=0,
                required_documents=REQUIRED), metadata=as_(BANK))).letter_of_credit
            scf.clock.now = START + timedelta(days=11)

            async def expired() -> bool:
                found = (await w.api.GetLetterOfCredit(pb.GetLetterOfCreditRequest(
                    letter_of_credit_id=issued.letter_of_credit_id), metadata=as_(SELLER))
                         ).letter_of_credit
                return found.status == pb.LETTER_OF_CREDIT_STATUS_EXPIRED

            await eventually(expired)
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await w.api.PresentDocuments(pb.PresentDocumentsRequest(
                    request_id=new_id(), letter_of_credit_id=issued.letter_of_credit_id,
                    documents=[doc(n) for n in REQUIRED]), metadata=as_(SELLER))
            assert error_reason(raised.value) == "LC_NOT_PRESENTABLE"
    finally:
        await scf.stop()
