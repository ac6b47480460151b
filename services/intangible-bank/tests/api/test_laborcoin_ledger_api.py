"""Loan money through the real laborcoin (its own server, its own SQLite file): the
GrpcLedger adapter finds the CNY wallets by owner, pays the principal out and the
repayments back in as LOAN_DISBURSEMENT and LOAN_REPAYMENT transfers, a retried request
moves money once, and laborcoin's refusals (no CNY wallet, insufficient funds) reach the
caller as FAILED_PRECONDITION WALLET_NOT_FOUND and INSUFFICIENT_FUNDS."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
from bank_flows import cny, confirm_right, cost_only, dec, register, value
from bank_support import (
    Bank,
    Clock,
    _with_test_keys,
    bearer,
    refused,
    rid,
)

from ntb.common.v1 import common_pb2
from ntb.intangible_bank.v1 import intangible_bank_pb2 as pb
from ntb.intangible_bank.v1 import intangible_bank_pb2_grpc
from ntb.laborcoin.v1 import laborcoin_pb2 as lc
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_intangible_bank.adapters.ledger import GrpcLedger
from ntb_intangible_bank.bootstrap import MIGRATIONS, intangible_bank, patent_bank
from ntb_intangible_bank.patent_bank_settings import PatentBankSettings
from ntb_intangible_bank.settings import Settings
from ntb_laborcoin import bootstrap as laborcoin_bootstrap
from ntb_laborcoin.settings import LaborCoinSettings
from ntbkit.auth import ROLE_OPERATOR, ROLE_SERVICE
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.runtime import ServiceRuntime

pytestmark = pytest.mark.asyncio
LEDGER_ROLE = ROLE_SERVICE  # intangible-bank's own token at laborcoin: a service, no operator
OPERATOR = bearer("operator-1", ROLE_OPERATOR)


class _Bearer(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    def __init__(self, metadata: tuple[tuple[str, str], ...]) -> None:
        self._metadata = metadata

    async def intercept_unary_unary(self, continuation: Callable[..., Any],
                                    details: grpc.aio.ClientCallDetails, request: Any) -> Any:
        return await continuation(details._replace(metadata=self._metadata), request)


async def _wallets(stub: laborcoin_pb2_grpc.LaborCoinServiceStub, owners: list[str],
                   deposits: dict[str, int]) -> None:
    """CNY wallets for the owners, and money deposited from a bank's settlement account."""
    settlement = str(uuid.uuid5(uuid.NAMESPACE_URL, "test-settlement-bank"))
    accounts = [lc.Account(account_id=settlement, owner_id="settlement-bank", asset="CNY",
                           kind=lc.ACCOUNT_KIND_EXTERNAL_SETTLEMENT,
                           flags=lc.AccountFlags(credits_must_not_exceed_debits=True))]
    ids = {owner: str(uuid.uuid4()) for owner in owners}
    accounts += [lc.Account(account_id=ids[o], owner_id=o, asset="CNY",
                            kind=lc.ACCOUNT_KIND_WALLET,
                            flags=lc.AccountFlags(debits_must_not_exceed_credits=True))
                 for o in owners]
    created = await stub.CreateAccounts(lc.CreateAccountsRequest(
        request_id=rid(), accounts=accounts), metadata=OPERATOR)
    assert {r.code for r in created.results} <= {lc.CREATE_ACCOUNT_RESULT_CODE_OK,
                                                 lc.CREATE_ACCOUNT_RESULT_CODE_EXISTS}
    for owner in deposits:
        ids[owner] = (await stub.GetAccount(lc.GetAccountRequest(owner=lc.AccountOwnerKey(
            owner_id=owner, asset="CNY", kind=lc.ACCOUNT_KIND_WALLET)), metadata=OPERATOR)
        ).account.account_id
    moved = await stub.CreateTransfers(lc.CreateTransfersRequest(request_id=rid(), transfers=[
        lc.Transfer(transfer_id=str(uuid.uuid4()), debit_account_id=settlement,
                    credit_account_id=ids[o], amount=common_pb2.Money(asset="CNY", units=fen),
                    code=lc.TRANSFER_CODE_DEPOSIT) for o, fen in deposits.items()]),
        metadata=OPERATOR)
    assert {r.code for r in moved.results} == {lc.CREATE_TRANSFER_RESULT_CODE_OK}


async def _balance(stub: laborcoin_pb2_grpc.LaborCoinServiceStub, owner: str) -> int:
    account = (await stub.GetAccount(lc.GetAccountRequest(owner=lc.AccountOwnerKey(
        owner_id=owner, asset="CNY", kind=lc.ACCOUNT_KIND_WALLET)), metadata=OPERATOR)).account
    return account.credits_posted - account.debits_posted


@pytest_asyncio.fixture
async def wired(tmp_path: Path) -> AsyncIterator[tuple[Bank, Any]]:
    bus, clock = InMemoryEventBus(), Clock()
    laborcoin = ServiceRuntime(
        LaborCoinSettings(grpc_port=0, database_url=f"sqlite+aiosqlite:///{tmp_path}/lc.db",
                          event_bus="memory", log_level="WARNING"),
        build=_with_test_keys(laborcoin_bootstrap.build),
        migrations=laborcoin_bootstrap.MIGRATIONS, bus=bus)
    await laborcoin.start()
    target = f"127.0.0.1:{laborcoin.port}"
    ledger_channel = grpc.aio.insecure_channel(
        target, interceptors=[_Bearer(bearer("svc-intangible-bank", LEDGER_ROLE))])
    ledger = GrpcLedger(ledger_channel)
    common = {"grpc_port": 0, "database_url": f"sqlite+aiosqlite:///{tmp_path}/bank.db",
              "event_bus": "memory", "log_level": "WARNING"}
    body = ServiceRuntime(Settings(**common), migrations=MIGRATIONS, bus=bus,
                          build=_with_test_keys(intangible_bank(ledger=ledger, clock=clock)))
    wing = ServiceRuntime(PatentBankSettings(**common), migrations=MIGRATIONS, bus=bus,
                          build=_with_test_keys(patent_bank(ledger=ledger, clock=clock)))
    await body.start()
    await wing.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{laborcoin.port}")
    bank = Bank(bus, None, clock,  # type: ignore[arg-type]
                intangible_bank_pb2_grpc.IntangibleBankServiceStub(
                    grpc.aio.insecure_channel(f"127.0.0.1:{body.port}")),
                intangible_bank_pb2_grpc.PatentBankServiceStub(
                    grpc.aio.insecure_channel(f"127.0.0.1:{wing.port}")), [body, wing])
    yield bank, laborcoin_pb2_grpc.LaborCoinServiceStub(channel)
    for runtime in (wing, body, laborcoin):
        await runtime.stop()


async def test_loan_money_moves_through_laborcoin(wired: tuple[Bank, Any]) -> None:
    bank, coins = wired
    holder = await bank.principal("ENTERPRISE")
    lender = await bank.principal("FINANCIAL_INSTITUTION")
    await bank.settled([holder, lender])
    asset = await register(bank, holder, "LC-1")
    ownership = await confirm_right(bank, asset.asset_id, holder, pb.RIGHT_KIND_OWNERSHIP)
    await value(bank, asset.asset_id, holder, cost_only("1000", 10_000))
    loan = (await bank.bank.RequestLoan(pb.RequestLoanRequest(
        request_id=rid(), borrower_id=holder, lender_id=lender, asset_id=asset.asset_id,
        confirmation_ids=[ownership.confirmation_id], principal=cny(2_500_000),
        annual_rate=dec("0.0365"), term_days=30), metadata=bearer(holder))).loan
    await bank.bank.ApproveLoan(pb.ApproveLoanRequest(request_id=rid(), loan_id=loan.loan_id),
                                metadata=bearer(lender))
    await refused(bank.bank.DisburseLoan(pb.DisburseLoanRequest(
        request_id=rid(), loan_id=loan.loan_id), metadata=bearer(lender)), "WALLET_NOT_FOUND")
    await _wallets(coins, [holder, lender], {lender: 2_000_000, holder: 50_000})
    await refused(bank.bank.DisburseLoan(pb.DisburseLoanRequest(
        request_id=rid(), loan_id=loan.loan_id), metadata=bearer(lender)), "INSUFFICIENT_FUNDS")
    await _wallets(coins, [], {lender: 1_000_000})
    disburse = pb.DisburseLoanRequest(request_id=rid(), loan_id=loan.loan_id)
    paid = (await bank.bank.DisburseLoan(disburse, metadata=bearer(lender))).loan
    await bank.bank.DisburseLoan(disburse, metadata=bearer(lender))  # retried: no 2nd transfer
    assert (await _balance(coins, lender), await _balance(coins, holder)) == (500_000,
                                                                              2_550_000)
    transfer = (await coins.GetTransfer(lc.GetTransferRequest(
        transfer_id=paid.disbursement_transfer_id), metadata=OPERATOR)).transfer
    assert transfer.code == lc.TRANSFER_CODE_LOAN_DISBURSEMENT
    assert transfer.reference == f"loan:{loan.loan_id}"
    bank.clock.advance(30)  # 2,500,000 x 0.0365 x 30 / 365 = 7,500 fen of interest
    repaid = (await bank.bank.RepayLoan(pb.RepayLoanRequest(
        request_id=rid(), loan_id=loan.loan_id, amount=cny(2_507_500)),
        metadata=bearer(holder))).loan
    assert repaid.status == pb.LOAN_STATUS_REPAID
    assert (await _balance(coins, lender), await _balance(coins, holder)) == (3_007_500,
                                                                              42_500)
