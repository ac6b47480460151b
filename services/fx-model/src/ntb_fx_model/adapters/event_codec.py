"""fx-model's domain events as the protobuf messages of `ntb/events/v1`."""

from __future__ import annotations

import pycountry
from google.protobuf.timestamp_pb2 import Timestamp

from ntb.common.v1 import common_pb2
from ntb.events.v1 import fx_model_events_pb2 as pb
from ntb_fx_model.domain.events import RatesUpdated
from ntb_fx_model.domain.parity import ANCHOR_CURRENCY, to_plain_string

RATES_TOPIC = "ntb.fx_model.rates.v1"


def _alpha2(iso3: str) -> str:
    country = pycountry.countries.get(alpha_3=iso3)
    return "" if country is None else str(country.alpha_2)


def encode(event: RatesUpdated) -> tuple[str, str, pb.FxRatesUpdated]:
    rates = []
    for rate in sorted(event.rates, key=lambda r: (r.currency or "", r.iso3)):
        message = pb.FxRate(
            currency=rate.currency or "",
            country_code=_alpha2(rate.iso3),
            model_local_per_usd=common_pb2.Decimal(value=to_plain_string(rate.local_per_usd)),
            model_usd_per_local=common_pb2.Decimal(value=to_plain_string(rate.usd_per_local)),
        )
        if rate.official_local_per_usd is not None:
            message.official_local_per_usd.value = to_plain_string(rate.official_local_per_usd)
        anchored = event.lbc_per_local.get(rate.iso3)
        if anchored is not None:
            message.lbc_per_local.value = to_plain_string(anchored)
        rates.append(message)
    updated_at = Timestamp()
    updated_at.FromDatetime(event.updated_at)
    message_out = pb.FxRatesUpdated(
        dataset_version=event.dataset_id, year=event.year, base_currency=ANCHOR_CURRENCY,
        rates=rates, updated_at=updated_at,
    )
    return RATES_TOPIC, event.dataset_id, message_out
