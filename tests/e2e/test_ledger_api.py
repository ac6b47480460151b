"""The ledger through laborcoin's public gRPC API in the distributed suite: accounts,
a deposit, an atomic linked batch that fails as a whole, a pending transfer posted in
part, retries that return the first result, paging and account history."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest
import pytest_asyncio
from e2e_suite import DistributedSuite
from google.protobuf import json_format
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from typer.testing import CliRunner

from ntb.common.v1 import common_pb2
from ntb.laborcoin.v1 import laborcoin_pb2 as pb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_cli.__main__ import app as cli

pytestmark = pytest.mark.asyncio(loop_scope="session")
OK = pb.CREATE_TRANSFER_RESULT_CODE_OK


@pytest_asyncio.fixture(loop_scope="session")
async def ledger(suite: DistributedSuite) -> AsyncIterator[laborcoin_pb2_grpc.LaborCoinServiceStub]:
    async with grpc.aio.insecure_channel(suite.target("laborcoin")) as channel:
        yield laborcoin_pb2_grpc.LaborCoinServiceStub(channel)


def new_id() -> str:
    return str(uuid.uuid4())


def cny(units: int) -> common_pb2.Money:
    return common_pb2.Money(asset="CNY", units=units)


async def open_accounts(ledger, metadata) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    bank, alice, bob = new_id(), new_id(), new_id()
    wallet = pb.AccountFlags(debits_must_not_exceed_credits=True)
    response = await ledger.CreateAccounts(pb.CreateAccountsRequest(request_id=new_id(), accounts=[
        pb.Account(account_id=bank, owner_id=f"bank-{bank[:8]}", asset="CNY",
                   kind=pb.ACCOUNT_KIND_EXTERNAL_SETTLEMENT),
        pb.Account(account_id=alice, owner_id=f"alice-{alice[:8]}", asset="CNY",
                   kind=pb.ACCOUNT_KIND_WALLET, flags=wallet),
        pb.Account(account_id=bob, owner_id=f"bob-{bob[:8]}", asset="CNY",
                   kind=pb.ACCOUNT_KIND_WALLET, flags=wallet),
    ]), metadata=metadata, timeout=10)
    assert [r.code for r in response.results] == [pb.CREATE_ACCOUNT_RESULT_CODE_OK] * 3
    return bank, alice, bob


def transfer(debit: str, credit: str, units: int, **fields: object) -> pb.Transfer:
    fields.setdefault("code", pb.TRANSFER_CODE_PAYMENT)
    return pb.Transfer(transfer_id=new_id(), debit_account_id=debit, credit_account_id=credit,
                       amount=cny(units), **fields)


async def test_ledger_moves_money_atomically_and_idempotently(
    ledger: laborcoin_pb2_grpc.LaborCoinServiceStub, suite: DistributedSuite
) -> None:
    metadata = (("authorization", f"Bearer {await suite.operator_token()}"),)
    bank, alice, bob = await open_accounts(ledger, metadata)
    deposit = pb.CreateTransfersRequest(request_id=new_id(), transfers=[
        transfer(bank, alice, 10_000, code=pb.TRANSFER_CODE_DEPOSIT)])
    first = await ledger.CreateTransfers(deposit, metadata=metadata, timeout=10)
    again = await ledger.CreateTransfers(deposit, metadata=metadata, timeout=10)
    assert [r.code for r in first.results] == [OK]
    assert again == first  # the same request id returns the first result verbatim

    # Linked chain: the second link overdraws, so neither moves.
    chain = pb.CreateTransfersRequest(request_id=new_id(), mode=pb.TRANSFER_BATCH_MODE_CHAINS,
                                      transfers=[
        transfer(alice, bob, 6_000, flags=pb.TransferFlags(linked=True)),
        transfer(alice, bob, 6_000)])
    codes = [r.code for r in (await ledger.CreateTransfers(
        chain, metadata=metadata, timeout=10)).results]
    assert codes == [pb.CREATE_TRANSFER_RESULT_CODE_LINKED_EVENT_FAILED,
                     pb.CREATE_TRANSFER_RESULT_CODE_EXCEEDS_CREDITS]

    hold = transfer(alice, bob, 4_000, flags=pb.TransferFlags(pending=True), timeout_s=600)
    await ledger.CreateTransfers(pb.CreateTransfersRequest(request_id=new_id(), transfers=[hold]),
                                 metadata=metadata, timeout=10)
    posted = await ledger.PostPendingTransfer(pb.PostPendingTransferRequest(
        request_id=new_id(), pending_id=hold.transfer_id, amount=cny(2_500)),
        metadata=metadata, timeout=10)
    assert posted.transfer.amount.units == 2_500
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await ledger.VoidPendingTransfer(pb.VoidPendingTransferRequest(
            request_id=new_id(), pending_id=hold.transfer_id), metadata=metadata, timeout=10)
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    status = rpc_status.from_call(raised.value)
    info = error_details_pb2.ErrorInfo()
    assert status is not None and status.details[0].Unpack(info)
    assert info.reason == "PENDING_TRANSFER_ALREADY_POSTED"

    balances = await ledger.GetBalances(pb.GetBalancesRequest(account_ids=[alice, bob]),
                                        metadata=metadata, timeout=10)
    assert [b.posted.units for b in balances.balances] == [7_500, 2_500]
    assert [b.available.units for b in balances.balances] == [7_500, 2_500]

    history = await ledger.GetAccountHistory(pb.GetAccountHistoryRequest(
        account_id=alice, page=common_pb2.PageRequest(page_size=2)), metadata=metadata, timeout=10)
    assert [e.credits_posted - e.debits_posted for e in history.entries] == [10_000, 10_000]
    assert [e.debits_pending for e in history.entries] == [0, 4_000]
    rest = await ledger.GetAccountHistory(pb.GetAccountHistoryRequest(
        account_id=alice, page=common_pb2.PageRequest(
            page_size=2, page_token=history.page.next_page_token)), metadata=metadata, timeout=10)
    assert [(e.debits_posted, e.debits_pending) for e in rest.entries] == [(2_500, 0)]
    listed = await ledger.ListTransfers(pb.ListTransfersRequest(account_id=bob),
                                        metadata=metadata, timeout=10)
    assert [t.amount.units for t in listed.transfers] == [4_000, 2_500]


async def test_text_with_a_nul_character_is_a_field_violation(
    ledger: laborcoin_pb2_grpc.LaborCoinServiceStub, suite: DistributedSuite
) -> None:
    """PostgreSQL text cannot hold U+0000: refused at the edge, never an INTERNAL."""
    metadata = (("authorization", f"Bearer {await suite.operator_token()}"),)
    bank, alice, _ = await open_accounts(ledger, metadata)
    request = pb.CreateTransfersRequest(request_id=new_id(), transfers=[
        transfer(bank, alice, 1, code=pb.TRANSFER_CODE_DEPOSIT, memo="tea\x00", reference="\x00")])
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await ledger.CreateTransfers(request, metadata=metadata, timeout=10)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(raised.value)
    bad_request = error_details_pb2.BadRequest()
    assert status is not None and status.details[0].Unpack(bad_request)
    assert [v.field for v in bad_request.field_violations] == [
        "transfers[0].reference", "transfers[0].memo"]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await ledger.CreateAccounts(pb.CreateAccountsRequest(request_id=new_id(), accounts=[
            pb.Account(account_id=new_id(), owner_id="eve\x00", asset="CNY",
                       kind=pb.ACCOUNT_KIND_WALLET)]), metadata=metadata, timeout=10)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_bank_verifies_a_payment_offline_with_ntb_verify(
    ledger: laborcoin_pb2_grpc.LaborCoinServiceStub, suite: DistributedSuite, tmp_path: Path
) -> None:
    """DESIGN §5 step 8: fetch an inclusion proof over gRPC, verify it with `ntb verify`
    and the log's public key only; a tampered copy is refused."""
    metadata = (("authorization", f"Bearer {await suite.operator_token()}"),)
    bank, alice, _ = await open_accounts(ledger, metadata)
    payment = transfer(bank, alice, 12_345, code=pb.TRANSFER_CODE_DEPOSIT)
    await ledger.CreateTransfers(pb.CreateTransfersRequest(
        request_id=new_id(), transfers=[payment]), metadata=metadata, timeout=10)
    for _ in range(100):  # the sealer runs every half second
        try:
            proof = await ledger.GetInclusionProof(pb.GetInclusionProofRequest(
                transfer_id=payment.transfer_id), metadata=metadata, timeout=10)
            break
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
            await asyncio.sleep(0.1)
    else:
        raise AssertionError("the payment was never sealed into the log")
    keys = await ledger.GetLogKeys(pb.GetLogKeysRequest(), timeout=10)  # public: no token
    (tmp_path / "checkpoint").write_text(proof.signed_tree_head.checkpoint)
    (tmp_path / "proof.json").write_text(json_format.MessageToJson(proof.proof))
    arguments = ["verify", "inclusion", "--checkpoint", str(tmp_path / "checkpoint"),
                 "--vkey", keys.keys[0].key_id, "--proof", str(tmp_path / "proof.json")]
    assert CliRunner().invoke(cli, arguments).exit_code == 0
    tampered = json.loads((tmp_path / "proof.json").read_text())
    tampered["leafData"] = base64.b64encode(
        base64.b64decode(tampered["leafData"]).replace(b"12345", b"12346")).decode()
    tampered.pop("leafHash")
    (tmp_path / "proof.json").write_text(json.dumps(tampered))
    assert CliRunner().invoke(cli, arguments).exit_code == 1
