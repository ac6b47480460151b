"""intangible-bank's loan outcomes move a borrower's credit wave: LoanDefaulted lowers it
with the LOAN_DEFAULTS reason, LoanRepaid is recorded as repayment history; other loan
events are no conduct. Events go through identity's real consumer (in-process bus)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from google.protobuf.message import Message
from identity_server import IdentityServer, auth, identity_server, person

from ntb.events.v1 import intangible_bank_events_pb2 as lev
from ntb.identity.v1 import identity_pb2 as pb
from ntbkit.messaging.envelope import new_envelope

LOAN_TOPIC = "ntb.intangible_bank.loan.v1"


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[IdentityServer]:
    async with identity_server(tmp_path, 900) as running:
        yield running


async def publish(server: IdentityServer, message: Message) -> None:
    await server.bus.publisher().publish([new_envelope(
        topic=LOAN_TOPIC, key=str(uuid.uuid4()), message=message, source="intangible-bank")])


async def points(server: IdentityServer, token: str, principal_id: str, length: int
                 ) -> pb.GetCreditWaveResponse:
    for _ in range(100):
        wave = await server.stub.GetCreditWave(
            pb.GetCreditWaveRequest(principal_id=principal_id), metadata=auth(token), timeout=5)
        if len(wave.points) >= length:
            return wave
        await asyncio.sleep(0.05)
    raise AssertionError(f"credit wave never reached {length} points")


async def test_loan_outcomes_move_the_borrowers_credit_wave(server: IdentityServer) -> None:
    token = await server.token()
    borrower = (await server.stub.RegisterPrincipal(person(), metadata=auth(token),
                                                    timeout=10)).principal.principal_id
    start = (await points(server, token, borrower, 1)).current
    await publish(server, lev.LoanDisbursed(loan_id=str(uuid.uuid4()), borrower_id=borrower))
    await publish(server, lev.LoanRepaid(loan_id=str(uuid.uuid4()), borrower_id=borrower,
                                         on_time=True))
    repaid = (await points(server, token, borrower, 2))
    assert len(repaid.points) == 2  # the disbursement was no conduct
    assert repaid.current.cause == pb.WAVE_CAUSE_LOAN_REPAID
    assert repaid.current.score >= start.score
    await publish(server, lev.LoanDefaulted(loan_id=str(uuid.uuid4()), borrower_id=borrower,
                                            reason="installments unpaid"))
    defaulted = (await points(server, token, borrower, 3)).current
    assert defaulted.cause == pb.WAVE_CAUSE_LOAN_DEFAULTED
    assert defaulted.score < repaid.current.score
    assert "LOAN_DEFAULTS" in [r.code for r in defaulted.reasons]
