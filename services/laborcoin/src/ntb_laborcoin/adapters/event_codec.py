"""Domain events <-> protobuf payloads of ntb.events.v1 and their topics."""

from __future__ import annotations

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from ntb.events.v1 import laborcoin_events_pb2
from ntb.laborcoin.v1 import laborcoin_pb2
from ntb_laborcoin.domain.events import AccountOpened

ACCOUNT_TOPIC = "ntb.laborcoin.account.v1"


def encode(event: AccountOpened) -> tuple[str, str, Message]:
    opened_at = Timestamp()
    opened_at.FromDatetime(event.opened_at)
    message = laborcoin_events_pb2.AccountOpened(
        account_id=event.account_id,
        owner_id=event.owner_id,
        asset=event.asset,
        kind=laborcoin_pb2.AccountKind.Value(f"ACCOUNT_KIND_{event.kind.value}"),
        opened_at=opened_at,
    )
    return ACCOUNT_TOPIC, event.account_id, message
