"""Protobuf <-> domain for laborcoin, with request validation."""

from __future__ import annotations

import re
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from ntb.laborcoin.v1 import laborcoin_pb2 as pb
from ntb_laborcoin.domain.model import Account, AccountKind
from ntb_laborcoin.service.handlers import AccountSelector
from ntbkit.validation import Violations

_ASSET = re.compile(r"^[A-Z]{3,8}$")
_KINDS = {
    pb.AccountKind.Value(f"ACCOUNT_KIND_{kind.value}"): kind for kind in AccountKind
}
_KIND_TO_PB = {kind: number for number, kind in _KINDS.items()}


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
    kind = _KINDS.get(owner.kind)
    v.check(kind is not None, "owner.kind", "must be set")
    v.raise_if_any()
    return AccountSelector(owner_id=owner.owner_id, asset=owner.asset, kind=kind)


def _timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def account(model: Account) -> pb.Account:
    return pb.Account(
        account_id=model.account_id,
        owner_id=model.owner_id,
        asset=model.asset,
        kind=_KIND_TO_PB[model.kind],
        flags=pb.AccountFlags(
            debits_must_not_exceed_credits=model.flags.debits_must_not_exceed_credits,
            credits_must_not_exceed_debits=model.flags.credits_must_not_exceed_debits,
        ),
        debits_posted=model.debits_posted,
        credits_posted=model.credits_posted,
        debits_pending=model.debits_pending,
        credits_pending=model.credits_pending,
        version=model.version,
        created_at=_timestamp(model.created_at),
    )
