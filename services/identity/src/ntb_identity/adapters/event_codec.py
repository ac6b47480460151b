"""Domain events -> protobuf payloads of ntb.events.v1 and their topics."""

from __future__ import annotations

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from ntb.events.v1 import identity_events_pb2
from ntb.identity.v1 import identity_pb2
from ntb_identity.domain.events import PrincipalRegistered

PRINCIPAL_TOPIC = "ntb.identity.principal.v1"


def encode(event: PrincipalRegistered) -> tuple[str, str, Message]:
    registered_at = Timestamp()
    registered_at.FromDatetime(event.registered_at)
    message = identity_events_pb2.PrincipalRegistered(
        principal_id=event.principal_id,
        kind=identity_pb2.PrincipalKind.Value(f"PRINCIPAL_KIND_{event.kind.value}"),
        display_name=event.display_name,
        country_code=event.country_code,
        region=event.region,
        industry_code=event.industry_code,
        registered_at=registered_at,
    )
    return PRINCIPAL_TOPIC, event.principal_id, message
