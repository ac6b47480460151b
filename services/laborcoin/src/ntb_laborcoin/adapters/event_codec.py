"""Domain events -> protobuf payloads of ntb.events.v1 and their topics."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from ntb.common.v1 import common_pb2
from ntb.events.v1 import laborcoin_events_pb2 as events
from ntb.laborcoin.v1 import laborcoin_pb2
from ntb_laborcoin.domain.events import AccountOpened, TransferPosted
from ntb_laborcoin.domain.transfers import TransferKind

ACCOUNT_TOPIC = "ntb.laborcoin.account.v1"
TRANSFER_TOPIC = "ntb.laborcoin.transfer.v1"


def _timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def encode(event: AccountOpened | TransferPosted) -> tuple[str, str, Message]:
    if isinstance(event, AccountOpened):
        return ACCOUNT_TOPIC, event.account_id, events.AccountOpened(
            account_id=event.account_id,
            owner_id=event.owner_id,
            asset=event.asset,
            kind=laborcoin_pb2.AccountKind.Value(f"ACCOUNT_KIND_{event.kind.value}"),
            opened_at=_timestamp(event.opened_at),
        )
    transfer = event.transfer
    flags = laborcoin_pb2.TransferFlags(
        pending=transfer.kind is TransferKind.PENDING,
        post_pending_transfer=transfer.kind is TransferKind.POST_PENDING,
        void_pending_transfer=transfer.kind is TransferKind.VOID_PENDING,
    )
    # Keyed by the debit account: one account's transfers stay in order.
    return TRANSFER_TOPIC, transfer.debit_account_id, events.TransferPosted(
        transfer_id=transfer.transfer_id,
        debit_account_id=transfer.debit_account_id,
        credit_account_id=transfer.credit_account_id,
        amount=common_pb2.Money(asset=transfer.asset, units=transfer.amount),
        code=laborcoin_pb2.TransferCode.Value(f"TRANSFER_CODE_{transfer.code}"),
        flags=flags,
        pending_id=transfer.pending_id,
        reference=transfer.reference,
        posted_at=_timestamp(transfer.created_at),
        debit_owner_id=event.debit_owner_id,
        credit_owner_id=event.credit_owner_id,
    )
