"""laborcoin's PriceUpdated becomes a coin price exactly, or is poison (dead-lettered):
plain and exponent notation are read exactly; zero, negative, non-numbers, absurd
magnitudes and a non-positive sequence are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ntb.common.v1 import common_pb2
from ntb.events.v1 import laborcoin_events_pb2
from ntb_fx_model.entrypoints.consumers import coin_price
from ntbkit.messaging.envelope import PoisonEvent


def event(price: str, sequence: int = 3) -> laborcoin_events_pb2.PriceUpdated:
    message = laborcoin_events_pb2.PriceUpdated(price=common_pb2.Decimal(value=price),
                                                sequence=sequence)
    message.effective_at.FromSeconds(1_795_000_000)
    return message


@pytest.mark.parametrize(("text", "value"), [("1.0214", "1.0214"), ("1E+1", "10"), ("7", "7")])
def test_prices_are_read_exactly(text: str, value: str) -> None:
    price = coin_price(event(text))
    assert price.price_cny == Decimal(value) and price.sequence == 3
    assert price.effective_at.tzinfo is not None


@pytest.mark.parametrize("text", ["0", "-1", "", "NaN", "1,5", "1E+40", "1" * 65])
def test_bad_prices_are_poison(text: str) -> None:
    with pytest.raises(PoisonEvent):
        coin_price(event(text))


def test_sequence_must_be_positive() -> None:
    with pytest.raises(PoisonEvent):
        coin_price(event("1", sequence=0))
