"""Events laborcoin consumes: decode -> command -> use case (in the inbox's transaction)."""

from __future__ import annotations

from ntb.events.v1 import identity_events_pb2
from ntb.identity.v1 import identity_pb2
from ntb_laborcoin.service import handlers
from ntb_laborcoin.service.unit_of_work import LaborCoinUnitOfWork, NewUnit
from ntbkit.messaging.envelope import EventEnvelope, decode
from ntbkit.messaging.inbox import InboxHandler

PRINCIPAL_TOPIC = "ntb.identity.principal.v1"


async def principal_registered(unit: LaborCoinUnitOfWork, envelope: EventEnvelope) -> None:
    if envelope.event_type != identity_events_pb2.PrincipalRegistered.DESCRIPTOR.full_name:
        return  # other principal events (profile, KYC) do not concern wallets
    event = decode(envelope, identity_events_pb2.PrincipalRegistered)
    assert isinstance(event, identity_events_pb2.PrincipalRegistered)
    kind = identity_pb2.PrincipalKind.Name(event.kind).removeprefix("PRINCIPAL_KIND_")
    await handlers.open_wallet(
        unit, handlers.OpenWallet(owner_id=event.principal_id, principal_kind=kind)
    )


def wallet_opener(new_unit: NewUnit) -> InboxHandler[LaborCoinUnitOfWork]:
    return InboxHandler(new_unit, group=handlers.WALLET_OPENER_GROUP, apply=principal_registered)
