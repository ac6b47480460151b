"""Events fx-model consumes: decode -> use case (in the inbox's transaction)."""

from __future__ import annotations

import re
from datetime import UTC
from decimal import Decimal

from ntb.events.v1 import laborcoin_events_pb2
from ntb_fx_model.domain.anchor import CoinPrice
from ntb_fx_model.service import handlers
from ntb_fx_model.service.unit_of_work import FxUnitOfWork
from ntbkit.messaging.envelope import EventEnvelope, PoisonEvent, decode
from ntbkit.messaging.inbox import InboxHandler

PRICE_TOPIC = "ntb.laborcoin.price.v1"
# ntb.common.v1.Decimal is plain notation; an exponent (str(Decimal) may produce one) is
# accepted too, since the value is still exact.
_PRICE_MAGNITUDE_MAX = 12  # a CNY price per coin between 1e-12 and 1e12
_PLAIN_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def coin_price(event: laborcoin_events_pb2.PriceUpdated) -> CoinPrice:
    """The price point of a PriceUpdated event; a malformed one is poison (DLQ)."""
    text = event.price.value
    if (
        len(text) > 64
        or not _PLAIN_DECIMAL.fullmatch(text)
        or Decimal(text) <= 0
        or abs(Decimal(text).adjusted()) > _PRICE_MAGNITUDE_MAX
    ):
        raise PoisonEvent(f"PriceUpdated.price {text!r} is not a positive decimal")
    if event.sequence <= 0:
        raise PoisonEvent(f"PriceUpdated.sequence {event.sequence} must be positive")
    effective_at = event.effective_at.ToDatetime(tzinfo=UTC)
    return CoinPrice(price_cny=Decimal(text), sequence=event.sequence, effective_at=effective_at)


def price_consumer(
    new_unit: handlers.NewUnit, active: handlers.ActiveDatasets
) -> InboxHandler[FxUnitOfWork]:
    async def apply(unit: FxUnitOfWork, envelope: EventEnvelope) -> None:
        if envelope.event_type != laborcoin_events_pb2.PriceUpdated.DESCRIPTOR.full_name:
            return
        event = decode(envelope, laborcoin_events_pb2.PriceUpdated)
        assert isinstance(event, laborcoin_events_pb2.PriceUpdated)
        await handlers.coin_price_updated(unit, active, coin_price(event))

    return InboxHandler(new_unit, group=handlers.COIN_PRICE_GROUP, apply=apply)
