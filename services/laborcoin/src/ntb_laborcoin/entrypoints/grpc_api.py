"""laborcoin's gRPC API: decode -> use case -> encode, nothing else.

RPCs not listed here answer UNIMPLEMENTED (the generated base class) until built.
"""

from __future__ import annotations

from dataclasses import dataclass

from ntb.common.v1 import common_pb2
from ntb.laborcoin.v1 import laborcoin_pb2 as pb
from ntb.laborcoin.v1 import laborcoin_pb2_grpc
from ntb_laborcoin.domain.checkpoint import VerifierKey
from ntb_laborcoin.entrypoints import metrics, transfer_codec
from ntb_laborcoin.entrypoints.coin_api import CoinApi
from ntb_laborcoin.entrypoints.log_api import LogApi
from ntb_laborcoin.service import accounts, handlers, pending, queries
from ntb_laborcoin.service.group_commit import TransferCommitter
from ntb_laborcoin.service.unit_of_work import NewUnit
from ntbkit import paging
from ntbkit.auth import current_caller
from ntbkit.grpc import ServicerContext
from ntbkit.validation import Violations


@dataclass
class LaborCoinApi(CoinApi, LogApi, laborcoin_pb2_grpc.LaborCoinServiceServicer):
    new_unit: NewUnit
    log_key: VerifierKey
    committer: TransferCommitter

    async def GetAccount(
        self, request: pb.GetAccountRequest, context: ServicerContext
    ) -> pb.GetAccountResponse:
        selector = transfer_codec.account_selector(request)
        account = await handlers.get_account(self.new_unit, selector, current_caller())
        return pb.GetAccountResponse(account=transfer_codec.account(account))

    async def CreateAccounts(
        self, request: pb.CreateAccountsRequest, context: ServicerContext
    ) -> pb.CreateAccountsResponse:
        command = transfer_codec.create_accounts(request)
        results = await accounts.create_accounts(self.new_unit, command, current_caller())
        return pb.CreateAccountsResponse(results=[
            pb.CreateAccountResult(
                index=r.index, account_id=r.account_id,
                code=pb.CreateAccountResultCode.Value(
                    f"CREATE_ACCOUNT_RESULT_CODE_{r.code.value}"))
            for r in results])

    async def CreateTransfers(
        self, request: pb.CreateTransfersRequest, context: ServicerContext
    ) -> pb.CreateTransfersResponse:
        command = transfer_codec.create_transfers(request)
        results = await self.committer.submit(command, current_caller())
        metrics.count_transfers(results, {t.transfer_id: t.code for t in command.transfers})
        return transfer_codec.transfer_results(results)

    async def PostPendingTransfer(
        self, request: pb.PostPendingTransferRequest, context: ServicerContext
    ) -> pb.PostPendingTransferResponse:
        _validate_resolution(request.request_id, request.transfer_id, request.pending_id)
        transfer = await pending.resolve_pending(
            self.new_unit, current_caller(), request_id=request.request_id,
            transfer_id=request.transfer_id, pending_id=request.pending_id, post=True,
            amount=request.amount.units, asset=request.amount.asset,
            reference=request.reference)
        return pb.PostPendingTransferResponse(transfer=transfer_codec.transfer(transfer))

    async def VoidPendingTransfer(
        self, request: pb.VoidPendingTransferRequest, context: ServicerContext
    ) -> pb.VoidPendingTransferResponse:
        _validate_resolution(request.request_id, request.transfer_id, request.pending_id)
        transfer = await pending.resolve_pending(
            self.new_unit, current_caller(), request_id=request.request_id,
            transfer_id=request.transfer_id, pending_id=request.pending_id, post=False,
            memo=request.reason)
        return pb.VoidPendingTransferResponse(transfer=transfer_codec.transfer(transfer))

    async def GetTransfer(
        self, request: pb.GetTransferRequest, context: ServicerContext
    ) -> pb.GetTransferResponse:
        v = Violations()
        v.require_uuid(request.transfer_id, "transfer_id")
        v.raise_if_any()
        transfer = await queries.get_transfer(self.new_unit, current_caller(),
                                              request.transfer_id)
        return pb.GetTransferResponse(transfer=transfer_codec.transfer(transfer))

    async def GetBalances(
        self, request: pb.GetBalancesRequest, context: ServicerContext
    ) -> pb.GetBalancesResponse:
        v = Violations()
        v.check(bool(request.account_ids) != bool(request.owner_id), "account_ids",
                "set exactly one of account_ids and owner_id")
        v.check(len(request.account_ids) <= 100, "account_ids", "at most 100")
        for index, account_id in enumerate(request.account_ids):
            v.require_uuid(account_id, f"account_ids[{index}]")
        v.raise_if_any()
        found = await queries.balances(self.new_unit, current_caller(),
                                       account_ids=list(request.account_ids),
                                       owner_id=request.owner_id)
        return pb.GetBalancesResponse(balances=[transfer_codec.balance(a) for a in found])

    async def ListTransfers(
        self, request: pb.ListTransfersRequest, context: ServicerContext
    ) -> pb.ListTransfersResponse:
        query, after_seq, size = transfer_codec.list_transfers(request)
        found = await queries.list_transfers(
            self.new_unit, current_caller(), query, after_seq=after_seq, size=size)
        token = paging.encode_token(found[-1][0], query) if len(found) == size else ""
        return pb.ListTransfersResponse(
            transfers=[transfer_codec.transfer(t) for _, t in found],
            page=common_pb2.PageResponse(next_page_token=token))

    async def GetAccountHistory(
        self, request: pb.GetAccountHistoryRequest, context: ServicerContext
    ) -> pb.GetAccountHistoryResponse:
        v = Violations()
        v.require_uuid(request.account_id, "account_id")
        after, size = paging.decode_page(
            request.page.page_size, request.page.page_token, request.account_id, v)
        v.raise_if_any()
        entries = await queries.account_history(
            self.new_unit, current_caller(), request.account_id, after_version=after, size=size)
        token = (paging.encode_token(entries[-1][0].version, request.account_id)
                 if len(entries) == size else "")
        return pb.GetAccountHistoryResponse(
            entries=[pb.AccountHistoryEntry(
                transfer=transfer_codec.transfer(t), debits_posted=c.debits_posted,
                credits_posted=c.credits_posted, debits_pending=c.debits_pending,
                credits_pending=c.credits_pending, version=c.version) for c, t in entries],
            page=common_pb2.PageResponse(next_page_token=token))


def _validate_resolution(request_id: str, transfer_id: str, pending_id: str) -> None:
    v = Violations()
    v.require_uuid(request_id, "request_id")
    if transfer_id:
        v.require_uuid(transfer_id, "transfer_id")
    v.require_uuid(pending_id, "pending_id")
    v.raise_if_any()
