"""Protobuf <-> domain for accounts and transfers, with request validation."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from ntb.common.v1 import common_pb2
from ntb.laborcoin.v1 import laborcoin_pb2 as pb
from ntb_laborcoin.domain.model import Account, AccountFlags, AccountKind
from ntb_laborcoin.domain.transfers import (
    BATCH_SIZE_MAX,
    TIMEOUT_MAX_S,
    BatchMode,
    ResultCode,
    Transfer,
    TransferKind,
    TransferRequest,
    TransferResult,
)
from ntb_laborcoin.service.accounts import CreateAccounts
from ntb_laborcoin.service.handlers import AccountSelector
from ntb_laborcoin.service.ledger import CreateTransfers
from ntb_laborcoin.service.queries import TransferFilter
from ntbkit import paging
from ntbkit.timestamps import to_timestamp
from ntbkit.validation import Violations, is_uuid, text_problem

_ASSET = re.compile(r"^[A-Z]{3,8}$")
_KIND_OF = {pb.AccountKind.Value(f"ACCOUNT_KIND_{k.value}"): k for k in AccountKind}
_KIND_TO_PB = {k: n for n, k in _KIND_OF.items()}
_CODES: dict[int, str] = {
    number: name.removeprefix("TRANSFER_CODE_") for name, number in pb.TransferCode.items()
    if number != pb.TRANSFER_CODE_UNSPECIFIED
}

_CODE_TO_PB = {name: pb.TransferCode.Value(f"TRANSFER_CODE_{name}")
               for name in _CODES.values()} | {"": pb.TRANSFER_CODE_UNSPECIFIED}
_RESULT_TO_PB = {
    code: pb.CreateTransferResultCode.Value(f"CREATE_TRANSFER_RESULT_CODE_{code.value}")
    for code in ResultCode}


def account_selector(request: pb.GetAccountRequest) -> AccountSelector:
    v = Violations()
    which = request.WhichOneof("selector")
    if which == "account_id":
        v.require_uuid(request.account_id, "account_id")
        v.raise_if_any()
        return AccountSelector(account_id=request.account_id)
    if which != "owner":
        v.add("selector", "set account_id or owner")
        v.raise_if_any()
    owner = request.owner
    v.require_text(owner.owner_id, "owner.owner_id", length_max=64)
    v.check(bool(_ASSET.match(owner.asset)), "owner.asset", "3..8 upper-case letters, e.g. LBC")
    kind = _KIND_OF.get(owner.kind)
    v.check(kind is not None, "owner.kind", "must be set")
    v.raise_if_any()
    return AccountSelector(owner_id=owner.owner_id, asset=owner.asset, kind=kind)



def create_accounts(request: pb.CreateAccountsRequest) -> CreateAccounts:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.check(1 <= len(request.accounts) <= BATCH_SIZE_MAX, "accounts",
            f"1..{BATCH_SIZE_MAX} accounts")
    ids = [a.account_id for a in request.accounts]
    v.check(len(set(ids)) == len(ids), "accounts", "account_id must be unique in the batch")
    for i, a in enumerate(request.accounts):
        v.check(is_uuid(a.account_id), f"accounts[{i}].account_id", "must be a UUID")
        v.require_text(a.owner_id, f"accounts[{i}].owner_id", length_max=64)
        v.check(bool(_ASSET.match(a.asset)), f"accounts[{i}].asset", "3..8 upper-case letters")
        v.check(a.kind in _KIND_OF, f"accounts[{i}].kind", "must be set")
        v.check(not (a.flags.debits_must_not_exceed_credits
                     and a.flags.credits_must_not_exceed_debits),
                f"accounts[{i}].flags", "at most one balance constraint")
    v.raise_if_any()
    return CreateAccounts(request.request_id, tuple(
        (a.account_id, a.owner_id, a.asset, _KIND_OF[a.kind],
         AccountFlags(a.flags.debits_must_not_exceed_credits,
                      a.flags.credits_must_not_exceed_debits))
        for a in request.accounts))


def create_transfers(request: pb.CreateTransfersRequest) -> CreateTransfers:
    v = Violations()
    v.require_uuid(request.request_id, "request_id")
    v.check(1 <= len(request.transfers) <= BATCH_SIZE_MAX, "transfers",
            f"1..{BATCH_SIZE_MAX} transfers")
    ids = [t.transfer_id for t in request.transfers]
    v.check(len(set(ids)) == len(ids), "transfers", "transfer_id must be unique in the batch")
    if request.transfers and request.transfers[-1].flags.linked:
        v.add(f"transfers[{len(ids) - 1}].flags.linked", "the last transfer cannot be linked")
    requests = tuple(_transfer(t, f"transfers[{i}]", v) for i, t in enumerate(request.transfers))
    v.raise_if_any()
    mode = BatchMode.CHAINS if request.mode == pb.TRANSFER_BATCH_MODE_CHAINS else BatchMode.ATOMIC
    return CreateTransfers(request.request_id, requests, mode)


def _transfer(t: pb.Transfer, path: str, v: Violations) -> TransferRequest:
    """One transfer; a field's path is only formatted when it is bad (hot path)."""
    def bad(field: str, description: str) -> None:
        v.add(f"{path}.{field}", description)

    flags = t.flags
    kinds = [k for k, on in ((TransferKind.PENDING, flags.pending),
                             (TransferKind.POST_PENDING, flags.post_pending_transfer),
                             (TransferKind.VOID_PENDING, flags.void_pending_transfer)) if on]
    if len(kinds) > 1:
        bad("flags", "at most one of pending, post, void")
    kind = kinds[0] if kinds else TransferKind.POSTED
    resolving = kind in (TransferKind.POST_PENDING, TransferKind.VOID_PENDING)
    units = t.amount.units
    if not is_uuid(t.transfer_id):
        bad("transfer_id", "must be a UUID")
    if flags.balancing_debit or flags.balancing_credit:
        bad("flags", "balancing transfers are not supported yet")
    if resolving:
        if not is_uuid(t.pending_id):
            bad("pending_id", "must name the pending transfer")
        if units < 0:
            bad("amount.units", "must be >= 0")
    else:
        if t.pending_id:
            bad("pending_id", "only with post/void")
        if not is_uuid(t.debit_account_id):
            bad("debit_account_id", "must be a UUID")
        if not is_uuid(t.credit_account_id):
            bad("credit_account_id", "must be a UUID")
        if t.debit_account_id == t.credit_account_id:
            bad("credit_account_id", "must differ from the debit account")
        if units <= 0:
            bad("amount.units", "must be > 0")
        if not _ASSET.match(t.amount.asset):
            bad("amount.asset", "3..8 upper-case letters")
        if t.code not in _CODES:
            bad("code", "must be set")
    timeout_s = t.timeout_s
    if timeout_s and kind is not TransferKind.PENDING:
        bad("timeout_s", "only with pending")
    if not 0 <= timeout_s <= TIMEOUT_MAX_S:
        bad("timeout_s", f"0..{TIMEOUT_MAX_S}")
    if (problem := text_problem(t.reference, length_max=128)) is not None:
        bad("reference", problem)
    if (problem := text_problem(t.memo, length_max=500)) is not None:
        bad("memo", problem)
    return TransferRequest(
        transfer_id=t.transfer_id, debit_account_id=t.debit_account_id,
        credit_account_id=t.credit_account_id, asset=t.amount.asset,
        amount=max(0, units), code=_CODES.get(t.code, ""), kind=kind,
        pending_id=t.pending_id, timeout_s=max(0, min(timeout_s, TIMEOUT_MAX_S)),
        linked=flags.linked, reference=t.reference, memo=t.memo,
    )


_FLAGS_OF = {
    kind: pb.TransferFlags(
        pending=kind is TransferKind.PENDING,
        post_pending_transfer=kind is TransferKind.POST_PENDING,
        void_pending_transfer=kind is TransferKind.VOID_PENDING)
    for kind in TransferKind
}


def account(model: Account) -> pb.Account:
    return pb.Account(
        account_id=model.account_id, owner_id=model.owner_id, asset=model.asset,
        kind=_KIND_TO_PB[model.kind],
        flags=pb.AccountFlags(
            debits_must_not_exceed_credits=model.flags.debits_must_not_exceed_credits,
            credits_must_not_exceed_debits=model.flags.credits_must_not_exceed_debits),
        debits_posted=model.debits_posted, credits_posted=model.credits_posted,
        debits_pending=model.debits_pending, credits_pending=model.credits_pending,
        version=model.version, created_at=to_timestamp(model.created_at),
    )


def balance(model: Account) -> pb.Balance:
    def money(units: int) -> common_pb2.Money:
        return common_pb2.Money(asset=model.asset, units=units)

    posted = model.credits_posted - model.debits_posted
    return pb.Balance(
        account_id=model.account_id, owner_id=model.owner_id, kind=_KIND_TO_PB[model.kind],
        posted=money(posted), available=money(posted - model.debits_pending),
        pending_debits=money(model.debits_pending),
        pending_credits=money(model.credits_pending), version=model.version,
    )


def transfer(model: Transfer, created_at: Timestamp | None = None) -> pb.Transfer:
    """`created_at` may be passed in when many transfers share one (a batch's results)."""
    message = pb.Transfer(
        transfer_id=model.transfer_id, debit_account_id=model.debit_account_id,
        credit_account_id=model.credit_account_id,
        amount=common_pb2.Money(asset=model.asset, units=model.amount),
        pending_id=model.pending_id, timeout_s=model.timeout_s,
        code=_CODE_TO_PB[model.code],
        flags=_FLAGS_OF[model.kind],
        reference=model.reference, memo=model.memo,
        created_at=created_at or to_timestamp(model.created_at),
    )
    if model.log_index is not None:
        message.log_index = model.log_index
    return message


def transfer_results(results: list[TransferResult]) -> pb.CreateTransfersResponse:
    stamps: dict[datetime, Timestamp] = {}  # a batch's transfers share their commit time

    def encode(model: Transfer) -> pb.Transfer:
        stamp = stamps.get(model.created_at)
        if stamp is None:
            stamp = stamps[model.created_at] = to_timestamp(model.created_at)
        return transfer(model, stamp)

    return pb.CreateTransfersResponse(results=[
        pb.CreateTransferResult(
            index=r.index, transfer_id=r.transfer_id, code=_RESULT_TO_PB[r.code],
            transfer=encode(r.transfer) if r.transfer else None)
        for r in results])


def result_code_name(code: ResultCode) -> str:
    return code.value


def list_transfers(request: pb.ListTransfersRequest) -> tuple[TransferFilter, int, int]:
    v = Violations()
    if request.account_id:
        v.require_uuid(request.account_id, "account_id")
    v.check(request.code in _CODES or request.code == pb.TRANSFER_CODE_UNSPECIFIED, "code",
            "unknown transfer code")
    start = request.range.start_time.ToDatetime(UTC) if request.range.HasField(
        "start_time") else None
    end = request.range.end_time.ToDatetime(UTC) if request.range.HasField("end_time") else None
    query = TransferFilter(account_id=request.account_id, start=start, end=end,
                           code=_CODES.get(request.code, ""), reference=request.reference,
                           newest_first=request.newest_first)
    after, size = paging.decode_page(request.page.page_size, request.page.page_token, query, v)
    v.raise_if_any()
    return query, after, size
