"""scf-exchange's ledger adapter against laborcoin's real gRPC API (laborcoin served on
loopback): wallets found by owner, a batch commits atomically, a retried payment is no
second transfer, a short wallet is InsufficientFunds with nothing moved."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from scf_api_support import OPERATOR, WithMetadata, signing_keys

from ntb.common.v1 import common_pb2
from ntb.laborcoin.v1 import laborcoin_pb2 as lpb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_laborcoin import bootstrap as laborcoin_bootstrap
from ntb_laborcoin.settings import LaborCoinSettings
from ntb_scf_exchange.adapters.clients.ledger import GrpcLedger
from ntb_scf_exchange.domain.money import Money
from ntb_scf_exchange.service.ports import InsufficientFunds, Payment, TransferCode
from ntbkit.messaging.memory import InMemoryEventBus
from ntbkit.runtime import Infrastructure, ServiceParts, ServiceRuntime

CORE, FUNDER, SUPPLIER = (str(uuid.uuid4()) for _ in range(3))


@pytest_asyncio.fixture
async def laborcoin(tmp_path: Path) -> AsyncIterator[str]:
    async def build(infrastructure: Infrastructure) -> ServiceParts:
        parts = await laborcoin_bootstrap.build(infrastructure)
        parts.key_fetcher = signing_keys
        return parts

    runtime = ServiceRuntime(LaborCoinSettings(
        grpc_port=0, database_url=f"sqlite+aiosqlite:///{tmp_path / 'lc.db'}",
        event_bus="memory", log_level="WARNING"), build=build,
        migrations=laborcoin_bootstrap.MIGRATIONS, bus=InMemoryEventBus())
    await runtime.start()
    yield f"127.0.0.1:{runtime.port}"
    await runtime.stop()


async def test_payments_through_laborcoins_ledger(laborcoin: str) -> None:
    interceptors = [WithMetadata(OPERATOR)]
    async with grpc.aio.insecure_channel(laborcoin, interceptors=interceptors) as channel:
        stub = laborcoin_pb2_grpc.LaborCoinServiceStub(channel)
        bank = str(uuid.uuid4())
        wallets = {owner: str(uuid.uuid4()) for owner in (CORE, FUNDER, SUPPLIER)}
        flags = lpb.AccountFlags(debits_must_not_exceed_credits=True)
        await stub.CreateAccounts(lpb.CreateAccountsRequest(request_id=str(uuid.uuid4()),
                                                            accounts=[
            lpb.Account(account_id=bank, owner_id="bank-1", asset="CNY",
                        kind=lpb.ACCOUNT_KIND_EXTERNAL_SETTLEMENT),
            *[lpb.Account(account_id=a, owner_id=o, asset="CNY", kind=lpb.ACCOUNT_KIND_WALLET,
                          flags=flags) for o, a in wallets.items()]]))
        await stub.CreateTransfers(lpb.CreateTransfersRequest(
            request_id=str(uuid.uuid4()), transfers=[lpb.Transfer(
                transfer_id=str(uuid.uuid4()), debit_account_id=bank,
                credit_account_id=wallets[FUNDER], amount=common_pb2.Money(
                    asset="CNY", units=100_000_00), code=lpb.TRANSFER_CODE_DEPOSIT)]))
        ledger = GrpcLedger(channel)
        advance = Payment(str(uuid.uuid4()), FUNDER, SUPPLIER, Money("CNY", 98_000_00),
                          TransferCode.FINANCING_DISBURSEMENT, "financing:x")
        await ledger.pay([advance])
        await ledger.pay([advance])  # a retry: the same transfer, nothing new
        with pytest.raises(InsufficientFunds):
            await ledger.pay([
                Payment(str(uuid.uuid4()), FUNDER, CORE, Money("CNY", 1_000_00),
                        TransferCode.FINANCING_SETTLEMENT, "financing:y"),
                Payment(str(uuid.uuid4()), CORE, SUPPLIER, Money("CNY", 5_000_00),
                        TransferCode.FINANCING_SETTLEMENT, "financing:y")])
        balances = await stub.GetBalances(lpb.GetBalancesRequest(
            account_ids=[wallets[CORE], wallets[FUNDER], wallets[SUPPLIER]]))
        assert [b.posted.units for b in balances.balances] == [0, 2_000_00, 98_000_00]
        listed = await stub.ListTransfers(lpb.ListTransfersRequest(account_id=wallets[SUPPLIER]))
        assert [(t.code, t.reference) for t in listed.transfers] == [
            (lpb.TRANSFER_CODE_FINANCING_DISBURSEMENT, "financing:x")]
