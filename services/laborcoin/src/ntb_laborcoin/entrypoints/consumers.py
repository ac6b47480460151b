"""Events laborcoin consumes: decode -> command -> use case."""

from __future__ import annotations

from ntb.events.v1 import identity_events_pb2
from ntb.identity.v1 import identity_pb2
from ntb_laborcoin.service import handlers
from ntbkit.messaging.bus import EventHandler
from ntbkit.messaging.envelope import EventEnvelope, decode

PRINCIPAL_TOPIC = "ntb.identity.principal.v1"


def principal_registered(new_unit: handlers.NewUnit) -> EventHandler:
    async def handle(envelope: EventEnvelope) -> None:
        event = decode(envelope, identity_events_pb2.PrincipalRegistered)
        assert isinstance(event, identity_events_pb2.PrincipalRegistered)
        kind = identity_pb2.PrincipalKind.Name(event.kind).removeprefix("PRINCIPAL_KIND_")
        command = handlers.OpenWallet(owner_id=event.principal_id, principal_kind=kind)
        await handlers.open_wallet(new_unit, command, envelope)

    return handle
